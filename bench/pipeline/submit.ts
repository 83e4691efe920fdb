/**
 * Filing declarations: one POST /declarations, or one POST /declarations/batch for up to 100 of
 * one enterprise's. Every answer is booked in the ledger: accepted (202, or 200 for a replay),
 * refused (429/503, which must carry Retry-After; with `retryRefused` the bench honours it and
 * files again after that long), or an error by kind (HTTP status, client timeout, network).
 */
import { performance } from 'node:perf_hooks';
import { request } from '../support/load.js';
import type { Ledger, Record_ } from './ledger.js';
import type { Planned } from './mix.js';

export type SubmitContext = {
  url: string;
  ledger: Ledger;
  timeoutMs: number;
  retryRefused: boolean;
  /** Intake latencies (ms from schedule to answer) of accepted and of refused requests. */
  intakeAccepted: number[];
  intakeRefused: number[];
  retryAfterS: number[];
  /** Retries waiting for their Retry-After (so the run can wait for them). */
  pendingRetries: Set<Promise<void>>;
};

const isRefusal = (status: number) => status === 429 || status === 503;

/**
 * Which of intake's admission signals refused (shared/app/admission.ts words its problem detail
 * after it): in-flight limit, congested store, or queue backlog. Anything else is `other`.
 */
export function refusalReason(detail: string | undefined): 'in-flight' | 'congestion' | 'backlog' | 'other' {
  if (!detail) return 'other';
  if (/intake transactions are in progress/.test(detail)) return 'in-flight';
  if (/the store is congested/.test(detail)) return 'congestion';
  if (/waiting to be processed/.test(detail)) return 'backlog';
  return 'other';
}

const problemDetail = (body: string): string | undefined => {
  try {
    return (JSON.parse(body) as { detail?: string }).detail;
  } catch {
    return undefined;
  }
};

function errorKind(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code === 'timeout' ? 'client_timeout_30s' : `network_${code ?? 'error'}`;
}

/** Books a refusal; returns the Retry-After seconds when present and valid. */
function refusal(ctx: SubmitContext, headers: Record<string, string | string[] | undefined>, count: number, detail: string | undefined): number | undefined {
  ctx.ledger.refused += count;
  const reason = refusalReason(detail);
  ctx.ledger.refusedByReason[reason] = (ctx.ledger.refusedByReason[reason] ?? 0) + count;
  const raw = headers['retry-after'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    ctx.ledger.refusedWithoutRetryAfter += count;
    return undefined;
  }
  ctx.retryAfterS.push(seconds);
  return seconds;
}

function retryLater(ctx: SubmitContext, seconds: number, again: () => Promise<void>): void {
  const p: Promise<void> = new Promise<void>((r) => setTimeout(r, seconds * 1000)).then(again).finally(() => ctx.pendingRetries.delete(p));
  ctx.pendingRetries.add(p);
}

export async function submitOne(ctx: SubmitContext, planned: Planned, scheduledAt: number, existing?: Record_): Promise<void> {
  const rec: Record_ = existing ?? {
    clientRef: planned.body.clientRef,
    intent: planned.intent,
    level: planned.level,
    lines: planned.lines,
    enterprise: planned.enterprise.code,
    scheduledAt,
    via: 'single',
  };
  if (!existing) ctx.ledger.add(rec);
  let res;
  try {
    res = await request(
      `${ctx.url}/declarations`,
      'POST',
      { authorization: `Bearer ${planned.enterprise.key}`, 'content-type': 'application/json' },
      JSON.stringify(planned.body),
      ctx.timeoutMs,
    );
  } catch (error) {
    return ctx.ledger.error(errorKind(error));
  }
  const ms = performance.now() - scheduledAt;
  if (res.status === 202 || res.status === 200) {
    ctx.intakeAccepted.push(ms);
    // The bench never files a clientRef twice: a replay means its bookkeeping is wrong.
    if (res.status === 200) ctx.ledger.error('intake_replayed_200');
    const id = (JSON.parse(res.body) as { id: string }).id;
    return ctx.ledger.acceptedAs(rec, id, res.status, ms);
  }
  if (isRefusal(res.status)) {
    ctx.intakeRefused.push(ms);
    const after = refusal(ctx, res.headers, 1, problemDetail(res.body));
    if (ctx.retryRefused && after !== undefined) retryLater(ctx, after, () => submitOne(ctx, planned, scheduledAt, rec));
    return;
  }
  ctx.ledger.error(`http_${res.status}`);
}

export async function submitBatch(ctx: SubmitContext, planned: Planned[], scheduledAt: number, existing?: Record_[]): Promise<void> {
  const recs: Record_[] =
    existing ??
    planned.map((p) => ({
      clientRef: p.body.clientRef,
      intent: p.intent,
      level: p.level,
      lines: p.lines,
      enterprise: p.enterprise.code,
      scheduledAt,
      via: 'batch' as const,
    }));
  if (!existing) recs.forEach((r) => ctx.ledger.add(r));
  let res;
  try {
    res = await request(
      `${ctx.url}/declarations/batch`,
      'POST',
      { authorization: `Bearer ${planned[0]!.enterprise.key}`, 'content-type': 'application/json' },
      JSON.stringify({ declarations: planned.map((p) => p.body) }),
      ctx.timeoutMs,
    );
  } catch (error) {
    for (let i = 0; i < recs.length; i++) ctx.ledger.error(errorKind(error));
    return;
  }
  const ms = performance.now() - scheduledAt;
  if (isRefusal(res.status)) {
    ctx.intakeRefused.push(ms);
    const after = refusal(ctx, res.headers, recs.length, problemDetail(res.body));
    if (ctx.retryRefused && after !== undefined) retryLater(ctx, after, () => submitBatch(ctx, planned, scheduledAt, recs));
    return;
  }
  if (res.status !== 200) {
    for (let i = 0; i < recs.length; i++) ctx.ledger.error(`batch_http_${res.status}`);
    return;
  }
  ctx.intakeAccepted.push(ms);
  const { results } = JSON.parse(res.body) as {
    results: { index: number; status: number; id?: string; problem?: { retryAfterSeconds?: number; detail?: string } }[];
  };
  // Items of a pack refused under load (503 + problem.retryAfterSeconds) while others were stored.
  const again: number[] = [];
  let retryAfter: number | undefined;
  for (const r of results) {
    const rec = recs[r.index]!;
    if ((r.status === 202 || r.status === 200) && r.id) ctx.ledger.acceptedAs(rec, r.id, r.status, ms);
    else if (isRefusal(r.status)) {
      const seconds = r.problem?.retryAfterSeconds;
      retryAfter = refusal(ctx, { 'retry-after': seconds === undefined ? undefined : String(seconds) }, 1, r.problem?.detail) ?? retryAfter;
      again.push(r.index);
    } else ctx.ledger.error(`batch_item_${r.status}`);
  }
  if (ctx.retryRefused && again.length && retryAfter !== undefined)
    retryLater(ctx, retryAfter, () => submitBatch(ctx, again.map((i) => planned[i]!), scheduledAt, again.map((i) => recs[i]!)));
}
