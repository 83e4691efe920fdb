/**
 * One load run: an open-loop schedule at `rate` declarations/s for `durationS` (single filings, or
 * batches of `batch` at rate/batch requests/s: a slow answer never delays the next request),
 * officers working the worklists, a progress line every few seconds and a sample every second;
 * then a drain wait until every accepted declaration is terminal (or `drainS` passes) and a look
 * at what is left.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { request } from '../support/load.js';
import { cpuShares, cpuSnapshot, type CpuShares } from './cpu.js';
import { cpuPerDeclaration, processTreeCpu, type CpuPerDeclaration } from './process-cpu.js';
import { Ledger } from './ledger.js';
import { planDeclaration, seeded, type BenchEnterprise, type Planned } from './mix.js';
import { Officers } from './officers.js';
import type { QueueProbe } from './queues.js';
import { submitBatch, submitOne, type SubmitContext } from './submit.js';
import { summarize, type Sample, type Summary } from './stats.js';
import type { Receiver } from './receiver.js';
import type { Target } from './target.js';

export type Bench = {
  target: Target;
  receiver: Receiver;
  enterprises: BenchEnterprise[];
  officerKeys: Map<string, string>;
  probe?: QueueProbe;
  /** Ledgers of this process's runs, newest first: the receiver books each webhook in its run's. */
  ledgers: Ledger[];
  strayWebhooks: number;
  runId: string;
};

export type RunOptions = {
  label: string;
  rate: number;
  durationS: number;
  /** 0: POST /declarations; N: POST /declarations/batch with N declarations each. */
  batch: number;
  seed: number;
  officerDelayMs: number;
  /** How often each officer reads its bureau's worklist. */
  officerPollMs: number;
  failShare: number;
  drainS: number;
  timeoutMs: number;
  retryRefused: boolean;
  progressEveryS: number;
  quiet?: boolean;
};

export type RunResult = {
  label: string;
  startedAt: string;
  loadAverage: { start: number[]; end: number[] };
  /** Shares of the machine's CPU time during the load (Linux): busy, idle, and stolen by the hypervisor (bench/pipeline/cpu.ts). */
  cpu?: CpuShares;
  /**
   * Local runs (Linux): CPU milliseconds per accepted declaration from the load's start to the end
   * of the drain, by DynamoDB Local's JVM, the platform's Node processes and the bench itself
   * (bench/pipeline/process-cpu.ts). Steadier from run to run than the latencies.
   */
  cpuPerDeclaration?: CpuPerDeclaration;
  options: Omit<RunOptions, 'quiet'>;
  submitted: number;
  accepted: number;
  achievedOfferedRate: number;
  refused: { count: number; withoutRetryAfter: number; byReason: Record<string, number>; retryAfterS: Summary };
  errors: { total: number; byKind: Record<string, number> };
  intakeMs: { accepted: Summary; refused: Summary };
  postToWebhookMs: {
    documentRelease: Summary;
    /**
     * The same, split at the audit's decision (the released event's timestamp): POST → decision is
     * intake, the audit queue and the audit; decision → webhook is the notify queue and the delivery.
     */
    documentReleaseStages?: { toDecision: Summary; decisionToWebhook: Summary };
    /** POST → first decision webhook, by the route the audit chose. */
    decisionByRoute: Record<string, Summary>;
    returned: Summary;
  };
  /** Inspected declarations: last step recorded → released/failed webhook. */
  lastStepToFinalMs: Summary;
  /** Where that time goes: the step request itself (200 answered), then its answer → the webhook. */
  stepMs?: { request: Summary; answeredToFinal: Summary };
  paths: { byDecision: Record<string, number>; byRoute: Record<string, number>; byIntent: Record<string, number>; lines: Summary };
  webhooks: {
    received: number;
    verified: number;
    badSignature: number;
    duplicates: number;
    duplicateIds: string[];
    byType: Record<string, number>;
    stray: number;
  };
  officers: Officers['counts'];
  backlog: { maxUndecided: number; maxQueued: number | null };
  end: {
    drainedInS: number;
    nonTerminal: number;
    statusesOfUnfinished: Record<string, number>;
    terminalWithoutWebhook: number;
    /** For terminal declarations whose webhook never came: their deliveries' status and last error, counted. */
    missingWebhooks: Record<string, number>;
  };
  deadLetters: Record<string, number> | null;
  /** Local runs: the platform's error lines printed during the run (last 20, cut to 500 characters). */
  platformErrors: { count: number; last: string[] };
  samples: Sample[];
  /** For the chart: completed latencies by completion time. */
  series: { documentRelease: { at: number; ms: number }[]; inspectedRelease: { at: number; ms: number }[] };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = <T>(xs: Iterable<T>, key: (x: T) => string | undefined) => {
  const out: Record<string, number> = {};
  for (const x of xs) {
    const k = key(x);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

export async function runLoad(bench: Bench, o: RunOptions): Promise<RunResult> {
  const ledger = new Ledger();
  bench.ledgers.unshift(ledger);
  const receivedAtStart = { ...bench.receiver.counts };
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg();
  const cpuAtStart = cpuSnapshot();
  const processCpuAtStart = processTreeCpu(bench.target.pid);
  const outputAtStart = bench.target.output?.().length ?? 0;
  const rng = seeded(o.seed);
  const officers = new Officers(bench.target.url, bench.officerKeys, ledger, { delayMs: o.officerDelayMs, pollMs: o.officerPollMs, failShare: o.failShare });
  const ctx: SubmitContext = {
    url: bench.target.url,
    ledger,
    timeoutMs: o.timeoutMs,
    retryRefused: o.retryRefused,
    intakeAccepted: [],
    intakeRefused: [],
    retryAfterS: [],
    pendingRetries: new Set(),
  };
  let seq = 0;
  // Unique per run: a clientRef filed again would be an idempotent replay (200, no new webhook).
  const runNo = bench.ledgers.length;
  const nextRef = () => `bench-${bench.runId}-${runNo}-${seq++}`;
  const samples: Sample[] = [];
  const origin = performance.now();
  ledger.origin = origin;
  const log = (line: string) => !o.quiet && console.log(line);

  let maxQueued: number | null = null;
  let sampling = true;
  const sampler = (async () => {
    for (let t = 1; sampling; t++) {
      await sleep(Math.max(0, origin + t * 1000 - performance.now()));
      const queued = bench.probe ? await bench.probe.backlog() : undefined;
      if (queued !== undefined) maxQueued = Math.max(maxQueued ?? 0, queued);
      const s: Sample = {
        t,
        offered: ledger.offered,
        accepted: ledger.accepted,
        refused: ledger.refused,
        errors: ledger.errors,
        webhooks: ledger.webhooks,
        backlog: ledger.undecided(),
        atOfficers: ledger.atOfficers(),
        ...(queued !== undefined ? { queued } : {}),
      };
      samples.push(s);
      if (t % o.progressEveryS === 0) {
        const recent = ledger.documentReleaseAt.filter((p) => p.at > t - o.progressEveryS).map((p) => p.ms);
        const p99 = summarize(recent).p99;
        log(
          `[${o.label}] t=${String(t).padStart(4)}s offered ${s.offered} accepted ${s.accepted} refused ${s.refused} errors ${s.errors} webhooks ${s.webhooks} backlog ${s.backlog} at-officers ${s.atOfficers}${queued !== undefined ? ` queued ${queued}` : ''} | doc-release p99 (last ${o.progressEveryS}s) ${Number.isFinite(p99) ? `${p99.toFixed(0)} ms` : '-'}`,
        );
      }
    }
  })();

  officers.start();
  // The open-loop schedule: request k is due at origin + k * interval, whatever earlier ones do.
  const perRequest = o.batch > 0 ? o.batch : 1;
  const interval = (1000 * perRequest) / o.rate;
  const requests = Math.max(1, Math.round((o.rate * o.durationS) / perRequest));
  const inFlight = new Set<Promise<void>>();
  for (let k = 0; k < requests; k++) {
    const due = origin + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    let p: Promise<void>;
    if (o.batch > 0) {
      const enterprise = bench.enterprises[Math.floor(rng() * bench.enterprises.length)]!;
      const planned: Planned[] = Array.from({ length: o.batch }, () => planDeclaration(rng, bench.enterprises, nextRef(), { enterprise }));
      p = submitBatch(ctx, planned, due);
    } else p = submitOne(ctx, planDeclaration(rng, bench.enterprises, nextRef()), due);
    const tracked: Promise<void> = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  const loadEnded = performance.now();
  const cpuAtLoadEnd = cpuSnapshot();
  const offeredRate = ledger.offered / ((loadEnded - origin) / 1000 + interval / 1000);
  await Promise.all([...inFlight]);
  while (ctx.pendingRetries.size) await Promise.all([...ctx.pendingRetries]);

  // Drain: officers keep working until everything accepted is terminal, or drainS passes.
  const drainStart = performance.now();
  while (ledger.unfinished().length > 0 && performance.now() - drainStart < o.drainS * 1000) await sleep(250);
  const drainedInS = (performance.now() - drainStart) / 1000;
  const processCpuAtDrainEnd = processTreeCpu(bench.target.pid);
  await officers.stop();
  sampling = false;
  await sampler;

  // What is left: ask the platform about each unfinished declaration (as its enterprise).
  const unfinished = ledger.unfinished();
  const keyOf = new Map(bench.enterprises.map((e) => [e.code, e.key]));
  const statuses: Record<string, number> = {};
  let terminalWithoutWebhook = 0;
  let nonTerminal = 0;
  const finished = new Set<string>();
  for (const r of unfinished.slice(0, 500)) {
    let status = 'UNREADABLE';
    try {
      const res = await request(`${bench.target.url}/declarations/${r.id}`, 'GET', { authorization: `Bearer ${keyOf.get(r.enterprise)}` }, undefined, 30_000);
      if (res.status === 200) status = (JSON.parse(res.body) as { status: string }).status;
      else status = `HTTP_${res.status}`;
    } catch {
      /* unreadable */
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (['RELEASED', 'RETURNED', 'FAILED', 'CANCELLED'].includes(status)) {
      terminalWithoutWebhook++;
      finished.add(r.id!);
    }
    else nonTerminal++;
  }
  nonTerminal += Math.max(0, unfinished.length - 500);
  const missingWebhooks = terminalWithoutWebhook ? await whyNoWebhook(bench, unfinished.filter((r) => finished.has(r.id!))) : {};

  const records = [...ledger.byId.values()];
  const ms = (pred: (r: (typeof records)[number]) => boolean, from: (r: (typeof records)[number]) => number | undefined, to: (r: (typeof records)[number]) => number | undefined) =>
    summarize(
      records
        .filter(pred)
        .map((r) => {
          const a = from(r);
          const b = to(r);
          return a !== undefined && b !== undefined ? b - a : undefined;
        })
        .filter((v): v is number => v !== undefined),
    );
  const isDocumentRelease = (r: (typeof records)[number]) => r.mode === 'DOCUMENT_RELEASE' && r.final === 'RELEASED';
  const routes = [...new Set(records.map((r) => r.route).filter((x): x is string => !!x))].sort();
  const counts = bench.receiver.counts;
  const result: RunResult = {
    label: o.label,
    startedAt,
    loadAverage: { start: loadStart.map((v) => +v.toFixed(2)), end: os.loadavg().map((v) => +v.toFixed(2)) },
    cpu: cpuShares(cpuAtStart, cpuAtLoadEnd),
    cpuPerDeclaration: cpuPerDeclaration(processCpuAtStart, processCpuAtDrainEnd, ledger.accepted),
    options: { ...o, quiet: undefined } as RunResult['options'],
    submitted: ledger.offered,
    accepted: ledger.accepted,
    achievedOfferedRate: +offeredRate.toFixed(2),
    refused: {
      count: ledger.refused,
      withoutRetryAfter: ledger.refusedWithoutRetryAfter,
      byReason: { ...ledger.refusedByReason },
      retryAfterS: summarize(ctx.retryAfterS),
    },
    errors: {
      total: ledger.errors + terminalWithoutWebhook + (counts.badSignature - receivedAtStart.badSignature),
      byKind: {
        ...ledger.errorsByKind,
        ...(terminalWithoutWebhook ? { terminal_without_webhook: terminalWithoutWebhook } : {}),
        ...(counts.badSignature > receivedAtStart.badSignature ? { webhook_bad_signature: counts.badSignature - receivedAtStart.badSignature } : {}),
      },
    },
    intakeMs: { accepted: summarize(ctx.intakeAccepted), refused: summarize(ctx.intakeRefused) },
    postToWebhookMs: {
      documentRelease: ms(isDocumentRelease, (r) => r.scheduledAt, (r) => r.finalAt),
      documentReleaseStages: {
        toDecision: ms(isDocumentRelease, (r) => r.scheduledAt, (r) => r.finalDecidedAt),
        decisionToWebhook: ms(isDocumentRelease, (r) => r.finalDecidedAt, (r) => r.finalAt),
      },
      decisionByRoute: Object.fromEntries(routes.map((route) => [route, ms((r) => r.route === route, (r) => r.scheduledAt, (r) => r.decidedAt)])),
      returned: ms((r) => r.final === 'RETURNED', (r) => r.scheduledAt, (r) => r.finalAt),
    },
    lastStepToFinalMs: ms((r) => r.decision === 'declaration.inspection_required' && r.final !== undefined, (r) => r.lastStepAt, (r) => r.finalAt),
    stepMs: {
      request: summarize(officers.stepRequestMs),
      answeredToFinal: ms((r) => r.decision === 'declaration.inspection_required' && r.final !== undefined, (r) => r.lastStepAnsweredAt, (r) => r.finalAt),
    },
    paths: {
      byDecision: count(records, (r) => r.decision ?? 'undecided'),
      byRoute: count(records, (r) => r.route ?? 'undecided'),
      byIntent: count(ledger.byRef.values(), (r) => r.intent),
      lines: summarize([...ledger.byRef.values()].map((r) => r.lines)),
    },
    webhooks: {
      received: counts.received - receivedAtStart.received,
      verified: counts.verified - receivedAtStart.verified,
      badSignature: counts.badSignature - receivedAtStart.badSignature,
      duplicates: counts.duplicates - receivedAtStart.duplicates,
      duplicateIds: bench.receiver.duplicateIds.slice(0, 10),
      byType: ledger.eventsByType,
      stray: bench.strayWebhooks,
    },
    officers: officers.counts,
    backlog: { maxUndecided: Math.max(0, ...samples.map((s) => s.backlog)), maxQueued },
    end: { drainedInS: +drainedInS.toFixed(1), nonTerminal, statusesOfUnfinished: statuses, terminalWithoutWebhook, missingWebhooks },
    deadLetters: (await bench.probe?.deadLetters()) ?? null,
    platformErrors: platformErrors(bench.target.output?.().slice(outputAtStart) ?? ''),
    samples,
    series: { documentRelease: ledger.documentReleaseAt, inspectedRelease: ledger.inspectedReleaseAt },
  };
  return result;
}

/**
 * What the platform says about declarations whose final webhook the receiver never got: the
 * delivery of that declaration's final event (status and last attempt), or that none exists yet.
 */
async function whyNoWebhook(bench: Bench, records: { id?: string; enterprise: string }[]): Promise<Record<string, number>> {
  const FINAL = new Set(['declaration.released', 'declaration.returned', 'declaration.failed']);
  const wanted = new Set(records.map((r) => r.id));
  const out: Record<string, number> = {};
  const found = new Set<string>();
  for (const code of new Set(records.map((r) => r.enterprise))) {
    const key = bench.enterprises.find((e) => e.code === code)?.key;
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await request(
        `${bench.target.url}/webhook/deliveries?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        'GET',
        { authorization: `Bearer ${key}` },
        undefined,
        30_000,
      ).catch(() => undefined);
      if (!res || res.status !== 200) break;
      const body = JSON.parse(res.body) as {
        items: { status: string; eventType: string; attempts: { error?: string; responseStatus?: number }[]; message: { data: { declarationId?: string } } }[];
        nextCursor: string | null;
      };
      for (const d of body.items) {
        const id = d.message.data.declarationId;
        if (!id || !wanted.has(id) || !FINAL.has(d.eventType)) continue;
        found.add(id);
        const last = d.attempts.at(-1);
        const k = `${d.eventType} ${d.status}${last ? ` (${d.attempts.length} attempts, last: ${last.error ?? `http ${last.responseStatus}`})` : ' (no attempt yet)'}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      cursor = body.nextCursor;
      if (!cursor) break;
    }
  }
  const none = [...wanted].filter((id) => id && !found.has(id)).length;
  if (none) out['no delivery of a final event yet'] = none;
  return out;
}

function platformErrors(output: string): { count: number; last: string[] } {
  const lines = output.split('\n').filter((l) => /error|fail/i.test(l));
  return { count: lines.length, last: lines.slice(-20).map((l) => l.slice(0, 500)) };
}
