/**
 * Amending a declaration (contract section 13) as a pure transition. Allowed while it is ACCEPTED,
 * RETURNED, or INSPECTION_REQUIRED with no step recorded; the amended body goes back to ACCEPTED
 * and is audited again under the active rule set. The body it replaces is kept as a revision with
 * its decision. The same amendment (body and reason) sent again is a replay, not a new revision.
 *
 * Statistics across revisions: a declaration is counted ONCE, by its current revision.
 *   - `declarations`, `lines`, `valueUsd` move from the previous body to the new one (an amendment
 *     that changes the declaring, port or inspection bureau or the direction moves the declaration
 *     to the new bureaus' rows; a changed line count or value replaces the old one);
 *   - the outcome the previous revision's audit counted (`returned` or `inspected`) is taken back,
 *     the new revision's audit counts its own outcome.
 * So a declaration returned, amended and then released counts as 1 declaration, 0 returned,
 * 1 released. Counts stay exact: the deltas are in the amendment's own transaction.
 *
 * Races: the transition is conditional on the record's version, so an amendment and an audit or a
 * step recorded at the same moment cannot both commit; the loser decides again on the new state
 * (an audit then audits the amended body; an amendment finds the recorded step and answers 409).
 */
import { createHash } from 'node:crypto';
import type { AmendmentInput, RevisionRecord } from '../schemas/lifecycle.js';
import type { DeclarationInput } from '../schemas/declaration.js';
import { bodyHash, canonicalJson, statsBureaus, totalValueCents, type DeclarationRecord, type StepState } from './declaration.js';
import { conflict, invalid } from './errors.js';
import { declarationEvent, transition, type CounterIncrements, type DeclarationTransition } from './transition.js';
import { auditCounts, negated } from './effectiveness.js';

/** The fields of a section 5 body, in the order a reader expects them. */
const BODY_FIELDS = [
  'clientRef',
  'enterpriseId',
  'direction',
  'declaredAt',
  'portBureau',
  'port',
  'inspectionBureau',
  'releaseBureau',
  'transport',
  'originCountry',
  'destinationCountry',
  'containers',
  'lines',
  'documents',
] as const satisfies readonly (keyof DeclarationInput)[];

/** The section 5 body of a record (what a revision keeps). */
export function bodyOf(d: DeclarationInput): DeclarationInput {
  const body: Record<string, unknown> = {};
  for (const k of BODY_FIELDS) if (d[k] !== undefined) body[k] = d[k];
  return body as DeclarationInput;
}

export const amendmentHash = (body: DeclarationInput, reason: string) =>
  createHash('sha256').update(canonicalJson({ body, reason })).digest('hex');

/** Why a declaration cannot be amended now, or undefined when it can. */
export function amendmentRefusal(d: Pick<DeclarationRecord, 'id' | 'status' | 'steps'>): string | undefined {
  if (d.status === 'ACCEPTED' || d.status === 'RETURNED') return undefined;
  if (d.status === 'INSPECTION_REQUIRED') {
    const recorded = d.steps.filter((s) => s.status !== 'PENDING');
    if (recorded.length === 0) return undefined;
    return `declaration ${d.id} is INSPECTION_REQUIRED with ${recorded.map((s) => `${s.kind} ${s.status}`).join(', ')} recorded; an amendment is allowed only before any step is recorded`;
  }
  return `declaration ${d.id} is ${d.status}; an amendment is allowed only while it is ACCEPTED, RETURNED or INSPECTION_REQUIRED with no step recorded`;
}

/**
 * Steps an officer added (an applied ADD_STEP override), owed after an amendment at `at`: a pending
 * one stays owed as it is (same requiredSince and dueAt); one the audit withdrew when it RETURNED the
 * declaration (CANCELLED, not owed while returned) is owed again from the amendment, with the same
 * time limit it had.
 */
export function officerAddedSteps(d: Pick<DeclarationRecord, 'status' | 'steps' | 'overrides'>, at: string): StepState[] {
  const added = (d.overrides ?? []).filter((o) => o.action === 'ADD_STEP' && o.status === 'APPLIED');
  const isAdded = (s: StepState) => added.some((o) => o.kind === s.kind && o.bureau === s.bureau);
  const owed: StepState[] = [];
  for (const s of d.steps) {
    if (!isAdded(s)) continue;
    if (s.status === 'PENDING') owed.push(s);
    else if (s.status === 'CANCELLED' && d.status === 'RETURNED') owed.push(reOwed(s, at));
  }
  return owed;
}

/** A withdrawn step owed again from `at`, due after the same limit as before. */
function reOwed(s: StepState, at: string): StepState {
  const { overdueNotifiedAt: _notified, ...rest } = s;
  const limitMs = s.requiredSince && s.dueAt ? Date.parse(s.dueAt) - Date.parse(s.requiredSince) : undefined;
  return {
    ...rest,
    status: 'PENDING',
    requiredSince: at,
    ...(limitMs !== undefined ? { dueAt: new Date(Date.parse(at) + limitMs).toISOString() } : {}),
  };
}

/** What the intake counted for a body (contract section 10). */
const intakeCounters = (d: DeclarationInput): CounterIncrements => ({
  declarations: 1,
  lines: d.lines.length,
  valueCents: totalValueCents(d),
});

/** The outcome counter the audit of a revision in `status` moved (taken back when it is superseded). */
const outcomeCounter = (status: DeclarationRecord['status']): CounterIncrements =>
  status === 'RETURNED' ? { returned: 1 } : status === 'INSPECTION_REQUIRED' ? { inspected: 1 } : {};

const sameAttribution = (a: DeclarationInput, b: DeclarationInput) => {
  const x = statsBureaus(a);
  const y = statsBureaus(b);
  return a.direction === b.direction && x.declaredAt === y.declaredAt && x.inspectedAt === y.inspectedAt && x.destination === y.destination;
};

function minus(...parts: CounterIncrements[]): CounterIncrements {
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = (out[k] ?? 0) - (v ?? 0);
  return out;
}
function plus(a: CounterIncrements, b: CounterIncrements): CounterIncrements {
  const out: Record<string, number> = { ...(a as Record<string, number>) };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

/**
 * The amendment of `d` with `input`, at `at`. Undefined when it is a replay of the amendment that
 * made the current revision (nothing to do: the caller answers the declaration as it is).
 */
export function amendDeclaration(d: DeclarationRecord, input: AmendmentInput, at: string): DeclarationTransition | undefined {
  const { amendmentReason, ...body } = input;
  const fields = [];
  if (body.clientRef !== d.clientRef) fields.push({ path: 'clientRef', message: `must be the declaration's clientRef "${d.clientRef}"` });
  if (body.enterpriseId !== d.enterpriseId) fields.push({ path: 'enterpriseId', message: "must be the declaration's enterprise" });
  if (fields.length) throw invalid('an amendment is the full body of the same declaration', fields);

  const hash = amendmentHash(bodyOf(body), amendmentReason);
  if (d.amendmentHash === hash) return undefined;
  const refusal = amendmentRefusal(d);
  if (refusal) throw conflict(refusal, { status: d.status });

  const revision = d.revision ?? 1;
  const next = revision + 1;
  const previousBody = bodyOf(d);
  const kept: RevisionRecord = {
    revision,
    body: previousBody,
    status: d.status,
    decision: d.decision,
    steps: d.steps,
    validFrom: d.amendedAt ?? d.createdAt,
    supersededAt: at,
    ...(d.amendmentReason !== undefined ? { amendmentReason: d.amendmentReason } : {}),
    supersededBecause: amendmentReason,
  };
  // Counted once, by the current revision: take back what the previous one counted, count the new body.
  const taken = plus(intakeCounters(previousBody), outcomeCounter(d.status));
  const moved = !sameAttribution(previousBody, body);
  const counters = moved ? intakeCounters(body) : plus(intakeCounters(body), minus(taken));

  // An officer's ADD_STEP outlives the enterprise's amendment (contract section 12: it applies at
  // once; an amendment must not be a way around it): still owed, same requiredSince and dueAt, and
  // the new revision's audit keeps it (shared/domain/audit.ts), as it keeps one added while ACCEPTED.
  const stillOwed = officerAddedSteps(d, at);
  const event = declarationEvent(d, 'ACCEPTED', at, { revision: next, previousStatus: d.status, amendmentReason }, 'declaration.amended');
  const t = transition(d, {
    status: 'ACCEPTED',
    at,
    set: {
      ...body,
      bodyHash: bodyHash(body),
      decision: null,
      steps: stillOwed,
      release: null,
      revision: next,
      amendmentReason,
      amendedAt: at,
      amendmentHash: hash,
      // A new body is audited afresh: failed attempts of the old one (and parking) are forgotten.
      auditFailures: undefined,
    },
    timeline: [
      {
        at,
        status: 'ACCEPTED',
        bureau: body.declaredAt,
        detail: `amended to revision ${next} (was ${d.status}): ${amendmentReason}; queued for audit again${stillOwed.length ? `; still owed (added by an officer): ${stillOwed.map((s) => `${s.kind} at ${s.bureau}`).join(', ')}` : ''}`,
      },
    ],
    events: [event],
    counters,
  });
  // Steps that were owed leave every worklist (the new revision's audit decides its own).
  const withdrawn: StepState[] = d.steps
    .filter((s) => s.status === 'PENDING' && !stillOwed.includes(s))
    .map((s) => ({ ...s, status: 'CANCELLED' }));
  // Optional body fields the amendment leaves out are gone, not kept from the old body (the store
  // writes the amended record whole).
  for (const k of BODY_FIELDS) if (body[k] === undefined) delete (t.record as Partial<DeclarationRecord>)[k];
  return {
    ...t,
    // The superseded decision's rule counts are taken back: the new revision's audit counts its own.
    ...(d.decision ? { effectiveness: negated(auditCounts(d.decision, d.status)) } : {}),
    // Withdrawn steps leave the worklist; an officer's step owed again (it was withdrawn while
    // RETURNED) comes back into it.
    worklist: [...t.worklist, ...withdrawn],
    amendment: { previous: d, revision: kept, previousCounters: moved ? minus(taken) : {} },
  };
}
