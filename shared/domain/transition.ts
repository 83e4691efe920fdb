/**
 * The one shape of a declaration's state change. Every transition (deciding an audit, recording a
 * step, an override, amending, cancelling, ...) is a pure function of the current record and its
 * input that returns a `DeclarationTransition`; the declaration store applies it as ONE
 * DynamoDB transaction conditional on the record's `version` being the one the transition was
 * computed from. So two transitions computed from the same record (two bureaus recording the last
 * two steps at the same moment, a waive confirmed while the last step is recorded) can never both
 * commit: the loser re-reads and decides again on the new state.
 *
 * Nothing here does I/O. Signing is passed in as a synchronous `Sealer` (the use case resolves
 * the key first), so a release's certificate is part of the pure result.
 */
import type { DeclarationStatus, WorkKind } from '../schemas/declaration.js';
import type { RevisionRecord } from '../schemas/lifecycle.js';
import type { CertificateContent } from './certificate.js';
import type { DeclarationRecord, Release, StepState, TimelineEntry } from './declaration.js';
import type { EventType, OutboxEvent } from './events.js';
import { timeOrderedId } from './ids.js';
import type { EffectivenessDelta } from './effectiveness.js';

/** Statistics counter deltas (contract section 10), moved in the same transaction as the state. */
export type CounterIncrements = Partial<{
  declarations: number;
  lines: number;
  /** Money is counted in integer cents: a counter ADDs exactly, never a double's 17 digits. */
  valueCents: number;
  released: number;
  documentReleased: number;
  inspected: number;
  failed: number;
  returned: number;
  /** Contract section 13: declarations cancelled. */
  cancelled: number;
  /** Contract section 15: follow-up checks after release that failed. */
  followUpFailed: number;
}>;

/** A worklist entry: a step of the decision, or a follow-up check after release (same fields). */
export type WorkStep = Omit<StepState, 'kind'> & { kind: WorkKind };

/** Signs certificate content: digest and signature (and whatever else the signer adds). */
export type Sealer = (content: CertificateContent) => { digest: string; signature: string } & Record<string, string>;

/** A certificate as issued: its content and the seal over it. */
export type IssuedCertificate = { content: CertificateContent; digest: string; signature: string } & Record<string, unknown>;

/** The attributes of a declaration a transition may change (everything but its identity and body). */
export type MutableFields = Partial<Omit<DeclarationRecord, 'id' | 'createdAt' | 'timeline' | 'version'>>;

export type DeclarationTransition = {
  /** The declaration as it is after the change (timeline appended, version + 1). */
  record: DeclarationRecord;
  /** The version the transition was computed from: the store commits only if it is still that. */
  expectedVersion: number;
  /** Status before and after (equal when the status stays, e.g. one of two steps recorded). */
  from: DeclarationStatus;
  to: DeclarationStatus;
  /** Exactly the attributes that change (the store writes these, plus status, updatedAt, version). */
  set: MutableFields;
  /** Entries appended to the timeline. */
  timeline: TimelineEntry[];
  /** Outbox events committed with the change (delivered by the notify worker afterwards). */
  events: OutboxEvent[];
  /** Statistics deltas, attributed to the declaration's bureaus and creation day. */
  counters: CounterIncrements;
  /** Seconds from declaration to release, for the release-time histogram (only on release). */
  releaseSeconds?: number;
  /** The certificate to store for public verification (only on release). */
  certificate?: IssuedCertificate;
  /** Steps whose worklist entry changes (added, recorded, waived, cancelled): the store rewrites these. */
  worklist: WorkStep[];
  /** Rule effectiveness counter deltas (contract section 15), moved in the same transaction. */
  effectiveness?: EffectivenessDelta;
  /**
   * An amendment (contract section 13, shared/domain/amendment.ts): the store rewrites the body
   * (lines included), keeps `revision` as the superseded revision, puts the declaration back in the
   * stranded index, and moves `previousCounters` at the previous body's bureaus and direction.
   */
  amendment?: { previous: DeclarationRecord; revision: RevisionRecord; previousCounters: CounterIncrements };
  /**
   * A declaration that stays ACCEPTED but moves in the pending index (shared/domain/audit-parking.ts):
   * `parked` takes it out of the stranded index into the parked one, `stranded` puts it back.
   */
  pendingIndex?: 'parked' | 'stranded';
};

export type TransitionInput = {
  status?: DeclarationStatus;
  at: string;
  set?: MutableFields;
  timeline: TimelineEntry[];
  events?: OutboxEvent[];
  counters?: CounterIncrements;
  releaseSeconds?: number;
  certificate?: IssuedCertificate;
  /** Worklist entries that change besides the steps (a follow-up check after release). */
  worklist?: WorkStep[];
  effectiveness?: EffectivenessDelta;
};

/** The record's optimistic-concurrency version (0 for a record no transition has touched). */
export const versionOf = (d: Pick<DeclarationRecord, 'version'>) => d.version ?? 0;

/**
 * Builds a transition from what changes; the new record, the version and the worklist changes
 * (steps that differ from before, by value) are derived here so no transition can forget them.
 */
export function transition(d: DeclarationRecord, change: TransitionInput): DeclarationTransition {
  const to = change.status ?? d.status;
  const set = change.set ?? {};
  const version = versionOf(d);
  const record: DeclarationRecord = {
    ...d,
    ...set,
    status: to,
    updatedAt: change.at,
    version: version + 1,
    timeline: [...d.timeline, ...change.timeline],
  };
  const before = new Map(d.steps.map((s) => [s.kind, JSON.stringify(s)]));
  const worklist = set.steps ? set.steps.filter((s) => before.get(s.kind) !== JSON.stringify(s)) : [];
  return {
    record,
    expectedVersion: version,
    from: d.status,
    to,
    set,
    timeline: change.timeline,
    events: change.events ?? [],
    counters: change.counters ?? {},
    ...(change.releaseSeconds !== undefined ? { releaseSeconds: change.releaseSeconds } : {}),
    ...(change.certificate ? { certificate: change.certificate } : {}),
    worklist: [...worklist, ...(change.worklist ?? [])],
    ...(change.effectiveness ? { effectiveness: change.effectiveness } : {}),
  };
}

const EVENT_OF_STATUS: Partial<Record<DeclarationStatus, EventType>> = {
  RELEASED: 'declaration.released',
  INSPECTION_REQUIRED: 'declaration.inspection_required',
  RETURNED: 'declaration.returned',
  FAILED: 'declaration.failed',
};

/** The enterprise's event for a declaration reaching `status`. */
export function declarationEvent(
  d: Pick<DeclarationRecord, 'id' | 'clientRef' | 'enterpriseId'>,
  status: DeclarationStatus,
  at: string,
  extra: Record<string, unknown>,
  type: EventType | undefined = EVENT_OF_STATUS[status],
): OutboxEvent {
  if (!type) throw new Error(`no event for status ${status}`);
  return {
    id: `evt_${timeOrderedId(Date.parse(at))}`,
    type,
    enterpriseId: d.enterpriseId,
    timestamp: at,
    data: { declarationId: d.id, clientRef: d.clientRef, status, ...extra },
  };
}

/** Seconds from declaration to `at` (the release-time histogram). */
export const secondsSince = (d: Pick<DeclarationRecord, 'createdAt'>, at: string) => (Date.parse(at) - Date.parse(d.createdAt)) / 1000;

/** A release and its certificate, sealed. */
export function sealRelease(
  content: CertificateContent,
  mode: Release['mode'],
  seal: Sealer,
): { release: Release; certificate: IssuedCertificate } {
  const sealed = seal(content);
  return {
    release: { ...sealed, bureau: content.bureau, certificateNo: content.certificateNo, releasedAt: content.releasedAt, mode },
    certificate: { ...sealed, content },
  };
}

/** What a bureau's system is told about a step it owes (contract section 12). */
export function stepEvent(
  d: Pick<DeclarationRecord, 'id' | 'clientRef' | 'enterpriseId' | 'direction' | 'decision'>,
  step: WorkStep,
  type: 'step.required' | 'step.overdue',
  at: string,
): OutboxEvent {
  return {
    id: `evt_${timeOrderedId(Date.parse(at))}`,
    type,
    enterpriseId: d.enterpriseId,
    owner: { kind: 'bureau', id: step.bureau },
    timestamp: at,
    data: {
      declarationId: d.id,
      enterpriseId: d.enterpriseId,
      direction: d.direction,
      route: d.decision?.route ?? null,
      kind: step.kind,
      bureau: step.bureau,
      requiredSince: step.requiredSince ?? null,
      dueAt: step.dueAt ?? null,
      ...(type === 'step.overdue' && step.dueAt
        ? { overdueSeconds: Math.max(0, Math.floor((Date.parse(at) - Date.parse(step.dueAt)) / 1000)) }
        : {}),
    },
  };
}
