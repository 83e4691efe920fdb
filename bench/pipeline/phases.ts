/**
 * Per-path budgets: after the load, with the officers' polling stopped, the bench files a few
 * declarations of one path at a time and meters what the platform did for them, start (intake)
 * to end (the last webhook delivered and recorded). Inspected paths are worked on the
 * `declaration.inspection_required` webhook (the steps it names, recorded at once) so no worklist
 * polling is mixed in; one worklist read is metered on its own. Scheduled functions (the redrive)
 * and intake's once-a-second backlog sample are left out (they cost per minute, not per declaration).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sizeSwitchFile } from '../../shared/adapters/metering.js';
import { request } from '../support/load.js';
import { Ledger } from './ledger.js';
import { planDeclaration, seeded, type BenchEnterprise, type Intent, type Level, type Planned } from './mix.js';
import { Officers } from './officers.js';
import { budgetOf, meterDelta, readMeters, SCHEDULED, type Budget, type Snapshot } from './meters.js';
import { submitBatch, submitOne, type SubmitContext } from './submit.js';
import type { Bench } from './run.js';
import { tableProbe } from './storage.js';

export type Phase = { name: string; intent: Intent; level: Level; n: number; batch: number };

export type PhaseResult = Phase & {
  budget: Budget;
  decided: Record<string, number>;
  unfinished: number;
  intakeOnly: Budget;
  /** Table bytes (with DynamoDB's 100-byte item overhead, indexes included) and items per declaration, when measurable. */
  stored?: { bytes: number; items: number };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A snapshot once the meters have stopped moving and the work queues are empty (the last
 * delivery's bookkeeping included; leftovers of the load finished first).
 */
async function quietSnapshot(dir: string, bench: Bench, maxWaitMs = 15_000): Promise<Snapshot> {
  const key = (s: Snapshot) => JSON.stringify([...s].filter(([n]) => !SCHEDULED.test(n)).sort());
  let last = readMeters(dir);
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    await sleep(1000);
    const now = readMeters(dir);
    const queued = (await bench.probe?.backlog()) ?? 0;
    if ((key(now) === key(last) && queued === 0) || performance.now() > deadline) return now;
    last = now;
  }
}

export function defaultPhases(batch: number): Phase[] {
  const size = batch > 0 ? batch : 50;
  return [
    { name: 'document release (single POST)', intent: 'EXPORT_DIRECT', level: 'AA', n: 30, batch: 0 },
    { name: `document release (batch of ${size})`, intent: 'EXPORT_DIRECT', level: 'AA', n: size * 2, batch: size },
    { name: 'inspected EXPORT_DIRECT (origin, 1 step)', intent: 'EXPORT_DIRECT', level: 'D', n: 10, batch: 0 },
    { name: 'inspected EXPORT_ORIGIN_AND_PORT (2 steps)', intent: 'EXPORT_ORIGIN_AND_PORT', level: 'D', n: 10, batch: 0 },
    { name: 'inspected IMPORT_PORT (1 step)', intent: 'IMPORT_PORT', level: 'D', n: 10, batch: 0 },
    { name: 'inspected IMPORT_DESTINATION (1 step)', intent: 'IMPORT_DESTINATION', level: 'D', n: 10, batch: 0 },
    { name: 'returned (missing permit)', intent: 'RETURNED', level: 'AA', n: 10, batch: 0 },
  ];
}

export async function runPhases(bench: Bench, meterDir: string, phases: Phase[], seed: number): Promise<{ phases: PhaseResult[]; worklistRead: Budget }> {
  // While the phases run, the platform's meter sizes each update in a transaction by reading its
  // item after the commit (DynamoDB charges an update by its item's size; the request does not
  // say it). Only then: during the load those reads would add to what the load measures.
  const sizing = sizeSwitchFile(meterDir);
  fs.mkdirSync(meterDir, { recursive: true });
  fs.writeFileSync(sizing, 'the per-path phases are running\n');
  try {
    return await meteredPhases(bench, meterDir, phases, seed);
  } finally {
    fs.rmSync(sizing, { force: true });
  }
}

async function meteredPhases(bench: Bench, meterDir: string, phases: Phase[], seed: number): Promise<{ phases: PhaseResult[]; worklistRead: Budget }> {
  const out: PhaseResult[] = [];
  const table = tableProbe(bench.target.dataDir);
  const rng = seeded(seed + 7919);
  let seq = 0;
  for (const phase of phases) {
    const ledger = new Ledger();
    bench.ledgers.unshift(ledger);
    const officers = new Officers(bench.target.url, bench.officerKeys, ledger, { delayMs: 0, pollMs: 500, failShare: 0 });
    const ctx: SubmitContext = {
      url: bench.target.url,
      ledger,
      timeoutMs: 30_000,
      retryRefused: true,
      intakeAccepted: [],
      intakeRefused: [],
      retryAfterS: [],
      pendingRetries: new Set(),
    };
    const filers = bench.enterprises.filter((e) => e.level === phase.level);
    const enterprise: BenchEnterprise = filers[0] ?? bench.enterprises[0]!;
    const plan = (): Planned =>
      planDeclaration(rng, bench.enterprises, `bench-${bench.runId}-cost-${seq++}`, { enterprise, intent: phase.intent });
    const before = await quietSnapshot(meterDir, bench, out.length === 0 ? 120_000 : 15_000);
    const sizeBefore = await table?.size();
    if (phase.batch > 0) {
      for (let i = 0; i < phase.n; i += phase.batch) {
        await submitBatch(ctx, Array.from({ length: Math.min(phase.batch, phase.n - i) }, plan), performance.now());
      }
    } else {
      // A steady trickle, 10/s open loop: not a burst the admission control would refuse (groups
      // of five at once were: about half the attempts came back 503).
      const filings: Promise<unknown>[] = [];
      for (let i = 0; i < phase.n; i++) {
        filings.push(submitOne(ctx, plan(), performance.now()));
        await sleep(100);
      }
      await Promise.all(filings);
    }
    while (ctx.pendingRetries.size) await Promise.all([...ctx.pendingRetries]);
    // Intake's HTTP requests, answered or refused (a refused batch is one request, whatever it held).
    const intakeRequests = ctx.intakeAccepted.length + ctx.intakeRefused.length;
    let apiRequests = intakeRequests;
    // Work inspections off the webhook, until every declaration is terminal (or 90 s pass).
    const stepped = new Set<string>();
    const deadline = performance.now() + 90_000;
    while (ledger.unfinished().length && performance.now() < deadline) {
      for (const r of ledger.unfinished()) {
        if (r.decision !== 'declaration.inspection_required' || stepped.has(r.id!)) continue;
        stepped.add(r.id!);
        for (const s of r.steps ?? []) {
          apiRequests++;
          await officers.record({ declarationId: r.id!, kind: s.kind, bureau: s.bureau });
        }
      }
      await sleep(100);
    }
    const after = await quietSnapshot(meterDir, bench);
    const sizeAfter = await table?.size();
    const delta = meterDelta(before, after);
    const accepted = ledger.accepted || 1;
    const stored =
      sizeBefore && sizeAfter && sizeAfter.bytes > sizeBefore.bytes
        ? { bytes: Math.round((sizeAfter.bytes - sizeBefore.bytes) / accepted), items: +((sizeAfter.items - sizeBefore.items) / accepted).toFixed(2) }
        : undefined;
    const intake = new Map([...delta].filter(([n]) => /^(ApiDeclarations|Authorizer)/.test(n)));
    out.push({
      ...phase,
      budget: budgetOf(delta, accepted, apiRequests),
      // Intake alone (authorizer + the intake function, up to the 202): single vs batch (issue 8 item 5).
      intakeOnly: phase.name.startsWith('document release') ? budgetOf(intake, accepted, intakeRequests) : budgetOf(new Map(), 1, 0),
      decided: Object.fromEntries(
        Object.entries(
          [...ledger.byId.values()].reduce<Record<string, number>>((acc, r) => ((acc[r.mode ?? r.decision ?? 'undecided'] = (acc[r.mode ?? r.decision ?? 'undecided'] ?? 0) + 1), acc), {}),
        ),
      ),
      unfinished: ledger.unfinished().length,
      ...(stored ? { stored } : {}),
    });
    console.log(`[cost] ${phase.name}: ${accepted} declarations metered${ledger.refused ? `, ${ledger.refused} refusals filed again` : ''}`);
  }
  // One worklist page read by an officer (what a polling bureau system pays per poll).
  const before = await quietSnapshot(meterDir, bench);
  const [, key] = [...bench.officerKeys][0]!;
  for (let i = 0; i < 10; i++) await request(`${bench.target.url}/worklist?limit=100`, 'GET', { authorization: `Bearer ${key}` }, undefined, 30_000);
  const worklistRead = budgetOf(meterDelta(before, await quietSnapshot(meterDir, bench)), 10, 10);
  table?.close();
  return { phases: out, worklistRead };
}
