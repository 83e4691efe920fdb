/**
 * Operational defaults that several parts of Clearway read: the stack sets them on the functions
 * that need them, the functions fall back to them, and the local runtime derives its timers from
 * them. Defined once here so that cloud, functions and local mode cannot disagree.
 * Pure: no AWS imports, so the domain may read it too.
 */

/**
 * How long a declaration may sit in ACCEPTED (or an event unconsumed) before the redrive sweep
 * queues it again, seconds. Override: `CLEARWAY_STRANDED_AFTER_S`.
 */
export const DEFAULT_STRANDED_AFTER_S = 120;

/** Webhook retry delays after each failed attempt, seconds (contract section 9). Override: `CLEARWAY_WEBHOOK_SCHEDULE`. */
export const DEFAULT_WEBHOOK_SCHEDULE_S: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** The stranded bound in force: `CLEARWAY_STRANDED_AFTER_S` if it is a number, else the default. */
export function strandedAfterS(raw = process.env.CLEARWAY_STRANDED_AFTER_S): number {
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_STRANDED_AFTER_S;
}

/** The webhook retry schedule in force: `CLEARWAY_WEBHOOK_SCHEDULE` (comma-separated seconds) if valid, else the default. */
export function webhookScheduleS(raw = process.env.CLEARWAY_WEBHOOK_SCHEDULE): number[] {
  if (!raw) return [...DEFAULT_WEBHOOK_SCHEDULE_S];
  const values = raw.split(',').map(Number);
  return values.every((v) => Number.isFinite(v) && v >= 0) ? values : [...DEFAULT_WEBHOOK_SCHEDULE_S];
}

/**
 * Failed audits of one declaration before it is parked (issue 9): retried only on a slow backoff, listed in
 * `GET /declarations/parked`, alarmed on in the cloud, redriven by hand once the cause is fixed.
 * Five matches the audit queue's maxReceiveCount: a declaration whose audit keeps failing is parked
 * where its message would otherwise reach the dead-letter queue.
 */
export const MAX_AUDIT_FAILURES = 5;

/**
 * How long a parked declaration waits between automatic retries of its audit, seconds (contract
 * sections 5 and 11: a declaration left in ACCEPTED is driven on again automatically). Slow on
 * purpose: a declaration that fails every time costs one attempt per period, while it stays listed
 * and alarmed. Override: `CLEARWAY_PARKED_RETRY_AFTER_S`.
 */
export const DEFAULT_PARKED_RETRY_AFTER_S = 3600;

/** The parked retry period in force: `CLEARWAY_PARKED_RETRY_AFTER_S` if it is a number, else the default. */
export function parkedRetryAfterS(raw = process.env.CLEARWAY_PARKED_RETRY_AFTER_S): number {
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_PARKED_RETRY_AFTER_S;
}

/** The line the redrive sweep logs while declarations are parked; the cloud's metric filter matches it. */
export const PARKED_LOG_MESSAGE = 'parked declarations';
