/**
 * What the bench knows about every declaration it filed: when it was due to be sent (open loop:
 * latency counts from the schedule, not from when a busy client got round to it), what intake
 * answered, which webhooks arrived, and when the officers recorded steps. Keyed by clientRef,
 * which every declaration webhook carries, so a webhook that beats its 202 is still matched.
 */
import type { Intent, Level } from './mix.js';
import { performance } from 'node:perf_hooks';
import type { WebhookEvent } from './receiver.js';

export type Record_ = {
  clientRef: string;
  intent: Intent;
  level: Level;
  lines: number;
  enterprise: string;
  /** performance.now() when the request was due. */
  scheduledAt: number;
  via: 'single' | 'batch';
  id?: string;
  intakeStatus?: number;
  intakeMs?: number;
  /** First decision webhook (released / inspection_required / returned). */
  decidedAt?: number;
  decision?: string;
  route?: string;
  mode?: string;
  steps?: { kind: string; bureau: string }[];
  lastStepAt?: number;
  /** When the last step's request answered 200 (the platform had stored it and queued its event). */
  lastStepAnsweredAt?: number;
  finalAt?: number;
  final?: 'RELEASED' | 'RETURNED' | 'FAILED';
  /**
   * When the platform decided the final transition: the event's `timestamp`, on the run's clock
   * (the platform and the bench share this machine's clock). It splits a release's latency into the
   * way to the decision (intake, audit queue, audit) and the way from it (notify queue, delivery).
   */
  finalDecidedAt?: number;
};

/** An event's ISO `timestamp` on the performance.now() clock (undefined when it does not parse). */
export function onRunClock(timestamp: string, timeOrigin = performance.timeOrigin): number | undefined {
  const epochMs = Date.parse(timestamp);
  return Number.isFinite(epochMs) ? epochMs - timeOrigin : undefined;
}

const FINAL: Record<string, Record_['final']> = {
  'declaration.released': 'RELEASED',
  'declaration.returned': 'RETURNED',
  'declaration.failed': 'FAILED',
};

export class Ledger {
  readonly byRef = new Map<string, Record_>();
  readonly byId = new Map<string, Record_>();
  /** Webhooks whose clientRef the bench never filed (a wrong routing, or another client's). */
  strayEvents = 0;
  readonly eventsByType: Record<string, number> = {};
  /** Cumulative counters (progress line, samples). */
  offered = 0;
  accepted = 0;
  refused = 0;
  refusedWithoutRetryAfter = 0;
  /** Refusals by the admission signal that refused (submit.ts `refusalReason`). */
  readonly refusedByReason: Record<string, number> = {};
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  webhooks = 0;
  /** Completed latencies with completion time (ms since `origin`), for the chart. */
  readonly documentReleaseAt: { at: number; ms: number }[] = [];
  readonly inspectedReleaseAt: { at: number; ms: number }[] = [];
  /** Time 0 of the run's clock (performance.now()). */
  origin = 0;

  add(r: Record_): void {
    this.byRef.set(r.clientRef, r);
    this.offered++;
  }

  error(kind: string): void {
    this.errors++;
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
  }

  acceptedAs(r: Record_, id: string, status: number, intakeMs: number): void {
    r.id = id;
    r.intakeStatus = status;
    r.intakeMs = intakeMs;
    this.byId.set(id, r);
    this.accepted++;
  }

  onEvent(event: WebhookEvent, receivedAt: number): void {
    this.webhooks++;
    this.eventsByType[event.type] = (this.eventsByType[event.type] ?? 0) + 1;
    const data = event.data as { clientRef?: string; declarationId?: string; decision?: { route?: string; mode?: string; steps?: { kind: string; bureau: string }[] } };
    const r = (data.clientRef && this.byRef.get(data.clientRef)) || (data.declarationId && this.byId.get(data.declarationId));
    if (!r) return void this.strayEvents++;
    if (data.declarationId && !r.id) {
      r.id = data.declarationId;
      this.byId.set(r.id, r);
    }
    const decisive = event.type === 'declaration.released' || event.type === 'declaration.inspection_required' || event.type === 'declaration.returned';
    if (decisive && r.decidedAt === undefined) {
      r.decidedAt = receivedAt;
      r.decision = event.type;
      r.route = data.decision?.route;
      r.mode = data.decision?.mode;
      r.steps = data.decision?.steps;
    }
    const final = FINAL[event.type];
    if (final && r.finalAt === undefined) {
      r.finalAt = receivedAt;
      r.final = final;
      r.finalDecidedAt = onRunClock(event.timestamp);
      const at = (receivedAt - this.origin) / 1000;
      if (final === 'RELEASED' && r.mode === 'DOCUMENT_RELEASE') this.documentReleaseAt.push({ at, ms: receivedAt - r.scheduledAt });
      else if (r.lastStepAt !== undefined) this.inspectedReleaseAt.push({ at, ms: receivedAt - r.lastStepAt });
    }
  }

  /** Accepted and not yet decided: work inside the audit/notify pipeline. */
  undecided(): number {
    let n = 0;
    for (const r of this.byId.values()) if (r.decidedAt === undefined) n++;
    return n;
  }

  atOfficers(): number {
    let n = 0;
    for (const r of this.byId.values()) if (r.decision === 'declaration.inspection_required' && r.finalAt === undefined) n++;
    return n;
  }

  /** Accepted declarations without their final webhook yet. */
  unfinished(): Record_[] {
    return [...this.byId.values()].filter((r) => r.finalAt === undefined);
  }
}
