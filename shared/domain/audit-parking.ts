/**
 * A declaration whose audit keeps failing (issue 9: a 202 that was never audited, "Number
 * underflow" at every redrive) must not be redriven silently for ever. Each failed audit attempt
 * is counted on the declaration itself (a conditional transition, so retries and redeliveries of
 * the same failure each count once); at `maxFailures` it is PARKED: out of the stranded index (the
 * redrive sweep no longer redrives it every bound), in the parked index officers list, with a
 * timeline entry. It stays ACCEPTED: the redrive sweep retries its audit on a slow backoff
 * (CLEARWAY_PARKED_RETRY_AFTER_S, hourly by default) and the first success audits it; an operator
 * may redrive it at once after fixing the cause, which restarts the count.
 *
 * Failures that say nothing about the declaration (the table throttled or unreachable, a lost
 * race) are not counted: see `countsAgainstDeclaration`.
 */
import { MAX_AUDIT_FAILURES } from '../config.js';
import { isParked, type DeclarationRecord } from './declaration.js';
import { conflict } from './errors.js';
import { isTransient } from './transient-errors.js';
import { transition, type DeclarationTransition } from './transition.js';

/** What the declaration keeps about its failed audits (never shown to enterprises). */
export type AuditFailures = {
  /** Failed attempts since it was filed, amended or last redriven. */
  count: number;
  lastFailedAt?: string;
  /** The last failure's message, one line, bounded (for operators). */
  lastError?: string;
  /** Set while parked. */
  parkedAt?: string;
  /** The last manual redrive, and by whom. */
  redrivenAt?: string;
  redrivenBy?: string;
};

const ERROR_SUMMARY_CHARS = 300;

/** One line, bounded: what an operator needs to find the cause, never a stack trace. */
export function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > ERROR_SUMMARY_CHARS ? `${line.slice(0, ERROR_SUMMARY_CHARS - 1)}…` : line;
}

/** Defined with the declaration (its view says whether it is parked); here for the parking rules. */
export { isParked };

/**
 * Transient failures are not the declaration's fault and are not counted: throttling, the service
 * busy or unreachable, a conditional write lost to a concurrent change. Anything else (a
 * validation error from the table, an enterprise that does not exist, a bug) counts.
 */
export function countsAgainstDeclaration(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (isTransient(error)) return false;
  // Lost races answered as a 409 by the conflict loop ("changing too often").
  const e = error as Error & { kind?: unknown };
  return !(e.name === 'DomainError' && e.kind === 'conflict');
}

/**
 * Counts one failed audit attempt of a declaration still waiting for its audit; parks it at
 * `maxFailures`. Undefined when there is nothing to count (audited meanwhile, or parked already).
 */
export function recordAuditFailure(
  d: DeclarationRecord,
  failure: { at: string; error: unknown },
  maxFailures = MAX_AUDIT_FAILURES,
): DeclarationTransition | undefined {
  if (d.status !== 'ACCEPTED' || isParked(d)) return undefined;
  const count = (d.auditFailures?.count ?? 0) + 1;
  const park = count >= maxFailures;
  const auditFailures: AuditFailures = {
    ...d.auditFailures,
    count,
    lastFailedAt: failure.at,
    lastError: errorSummary(failure.error),
    ...(park ? { parkedAt: failure.at } : {}),
  };
  const t = transition(d, {
    at: failure.at,
    set: { auditFailures },
    timeline: park
      ? [
          {
            at: failure.at,
            status: 'ACCEPTED',
            bureau: d.declaredAt,
            detail: `the audit failed ${count} times; parked for the operators (retried automatically on a slow backoff)`,
          },
        ]
      : [],
  });
  return park ? { ...t, pendingIndex: 'parked' } : t;
}

/**
 * A failed automatic retry of a parked declaration: counted and described (for the operators'
 * listing), still parked (no new timeline entry: an hourly retry would flood it). Undefined when
 * it is not parked any more (audited or redriven meanwhile).
 */
export function recordParkedRetryFailure(d: DeclarationRecord, failure: { at: string; error: unknown }): DeclarationTransition | undefined {
  if (!isParked(d)) return undefined;
  const auditFailures: AuditFailures = {
    ...d.auditFailures!,
    count: d.auditFailures!.count + 1,
    lastFailedAt: failure.at,
    lastError: errorSummary(failure.error),
  };
  return transition(d, { at: failure.at, set: { auditFailures }, timeline: [] });
}

/**
 * An operator's redrive of a parked declaration: back in the stranded index with a fresh count
 * (the caller queues its audit at once). A declaration that is not parked is a 409. `who` is what
 * the timeline says (a bureau, never a principal id: enterprises read it); the principal is kept.
 */
export function redriveParked(d: DeclarationRecord, by: { at: string; who: string; principalId: string }): DeclarationTransition {
  if (!isParked(d)) throw conflict(`declaration ${d.id} is not parked (status ${d.status})`, { status: d.status });
  const { parkedAt: _parked, ...rest } = d.auditFailures!;
  const auditFailures: AuditFailures = { ...rest, count: 0, redrivenAt: by.at, redrivenBy: by.principalId };
  const t = transition(d, {
    at: by.at,
    set: { auditFailures },
    timeline: [{ at: by.at, status: 'ACCEPTED', bureau: d.declaredAt, detail: `redriven by ${by.who}; queued for audit again` }],
  });
  return { ...t, pendingIndex: 'stranded' };
}
