/**
 * Officer agents, one per bureau (an officer principal with the inspector role): each polls its
 * bureau's worklist (GET /worklist) and, a set delay after first seeing a pending step, records
 * it (POST /declarations/{id}/steps/{kind}), PASS for most and FAIL for a small, deterministic
 * share of declarations. The time of the last step recorded for a declaration is what "released
 * within 1 s of the last step" is measured from.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { request } from '../support/load.js';
import type { Ledger } from './ledger.js';

export type OfficerCounts = { polls: number; pollErrors: number; steps: number; stepConflicts: number; stepErrors: number };

type Item = { declarationId: string; kind: string; bureau: string };

/** FAIL for `failShare` of declarations, decided by the id (the same declaration always fails). */
export function outcomeFor(declarationId: string, failShare: number): 'PASS' | 'FAIL' {
  const h = createHash('sha256').update(declarationId).digest().readUInt32BE(0) / 2 ** 32;
  return h < failShare ? 'FAIL' : 'PASS';
}

export class Officers {
  readonly counts: OfficerCounts = { polls: 0, pollErrors: 0, steps: 0, stepConflicts: 0, stepErrors: 0 };
  private running = false;
  private readonly loops: Promise<void>[] = [];
  /** Steps already scheduled or recorded ("id/kind"). */
  private readonly taken = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** How long each step request took to answer 200 (ms): the officer's side of "last step → webhook". */
  readonly stepRequestMs: number[] = [];

  constructor(
    private readonly url: string,
    /** bureau → officer API key */
    private readonly keys: Map<string, string>,
    private readonly ledger: Ledger,
    private readonly options: { delayMs: number; pollMs: number; failShare: number },
  ) {}

  start(): void {
    this.running = true;
    for (const [bureau, key] of this.keys) this.loops.push(this.poll(bureau, key));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([...this.inFlight]);
  }

  private async poll(bureau: string, key: string): Promise<void> {
    while (this.running) {
      let cursor: string | null = null;
      for (let page = 0; page < 5 && this.running; page++) {
        this.counts.polls++;
        try {
          const res = await request(
            `${this.url}/worklist?status=PENDING&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            'GET',
            { authorization: `Bearer ${key}` },
            undefined,
            30_000,
          );
          if (res.status !== 200) {
            this.counts.pollErrors++;
            break;
          }
          const body = JSON.parse(res.body) as { items: Item[]; nextCursor: string | null };
          for (const item of body.items) this.schedule(item, key);
          cursor = body.nextCursor;
          if (!cursor) break;
        } catch {
          this.counts.pollErrors++;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, this.options.pollMs));
    }
  }

  private schedule(item: Item, key: string): void {
    const id = `${item.declarationId}/${item.kind}`;
    if (this.taken.has(id) || item.kind === 'CREDIT_OBJECTION') return;
    this.taken.add(id);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const p = this.record(item, key).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, this.options.delayMs);
    this.timers.add(timer);
  }

  /** Records one step now (also used directly by the cost phase, which acts on webhooks). */
  async record(item: Item, key = this.keys.get(item.bureau)!): Promise<void> {
    const r = this.ledger.byId.get(item.declarationId);
    const sentAt = performance.now();
    if (r) r.lastStepAt = Math.max(r.lastStepAt ?? 0, sentAt);
    try {
      const res = await request(
        `${this.url}/declarations/${encodeURIComponent(item.declarationId)}/steps/${item.kind}`,
        'POST',
        { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        JSON.stringify({ outcome: outcomeFor(item.declarationId, this.options.failShare), remarks: 'bench officer' }),
        30_000,
      );
      if (res.status === 200) {
        this.counts.steps++;
        const answeredAt = performance.now();
        this.stepRequestMs.push(answeredAt - sentAt);
        if (r && r.lastStepAt === sentAt) r.lastStepAnsweredAt = answeredAt;
      } else if (res.status === 409) this.counts.stepConflicts++;
      else {
        this.counts.stepErrors++;
        this.ledger.error(`step_http_${res.status}`);
      }
    } catch (error) {
      this.counts.stepErrors++;
      this.ledger.error(`step_${(error as { code?: string }).code ?? 'network'}`);
    }
  }
}
