/**
 * Deciding an audit (contract section 6) as a pure transition: given the declaration in ACCEPTED
 * and the engine's decision, the new record (RELEASED on documents, INSPECTION_REQUIRED with its
 * pending steps and their due times, or RETURNED), its timeline entry, the enterprise's event, the
 * statistics deltas and, for a document release, the certificate.
 */
import { certificateContent } from './certificate.js';
import type { DeclarationRecord, Decision, StepKind, StepState } from './declaration.js';
import { conflict } from './errors.js';
import { followUpAt, followUpRequired, postReleaseRate } from './follow-up.js';
import { auditCounts } from './effectiveness.js';
import type { SamplingTable } from './rules/measures.js';
import {
  declarationEvent,
  sealRelease,
  secondsSince,
  stepEvent,
  transition,
  type DeclarationTransition,
  type Sealer,
} from './transition.js';

export type AuditContext = {
  at: string;
  seal: Sealer;
  /** The region's time limit for a step kind (or POST_RELEASE_CHECK), seconds (contract section 12). */
  timeLimitS: (kind: string) => number;
  /** The rule set's follow-up rates after release (contract section 15); absent: none. */
  postRelease?: SamplingTable;
};

const STATUS_OF_MODE = { DOCUMENT_RELEASE: 'RELEASED', INSPECTION: 'INSPECTION_REQUIRED', RETURNED: 'RETURNED' } as const;

function timelineDetail(decision: Decision): string {
  const lane = `rule set v${decision.ruleSetVersion}, credit ${decision.creditLevel}${decision.blacklisted ? ' (blacklisted)' : ''}, route ${decision.route}`;
  if (decision.mode === 'RETURNED') return `returned by the audit (${lane}): ${decision.reasons.join('; ')}`;
  if (decision.mode === 'INSPECTION')
    return `inspection required (${lane}): ${decision.steps.map((s) => `${s.kind} at ${s.bureau}`).join(', ')}`;
  return `released on documents (${lane}) at ${decision.releaseBureau}`;
}

/** A step owed from `at`, due after the region's limit for its kind. */
export function pendingStepAt(step: { kind: StepKind; bureau: string }, at: string, limitS: number): StepState {
  return { ...step, status: 'PENDING', requiredSince: at, dueAt: new Date(Date.parse(at) + limitS * 1000).toISOString() };
}

/** Applies the engine's decision to a declaration in ACCEPTED (409 for any other status). */
export function decideAudit(d: DeclarationRecord, decision: Decision, ctx: AuditContext): DeclarationTransition {
  if (d.status !== 'ACCEPTED') throw conflict(`declaration ${d.id} is ${d.status}; it was audited already`);
  const { at } = ctx;
  // The follow-up rate is fixed with the decision: a release days later selects under this rule set.
  const followUpRate = postReleaseRate(ctx.postRelease, { level: decision.creditLevel, blacklisted: decision.blacklisted });
  if (followUpRate > 0) decision = { ...decision, postReleaseRate: followUpRate };
  // Steps an officer added before the audit (ADD_STEP while ACCEPTED) stay owed: a document
  // release becomes an inspection (contract section 12).
  const added = d.steps.filter((s) => !decision.steps.some((x) => x.kind === s.kind));
  if (added.length && decision.mode === 'DOCUMENT_RELEASE') {
    decision = {
      ...decision,
      mode: 'INSPECTION',
      steps: [...decision.steps, ...added.map(({ kind, bureau }) => ({ kind, bureau }))],
      reasons: [...decision.reasons, `an officer added ${added.map((s) => s.kind).join(', ')}`],
    };
  }
  const status = STATUS_OF_MODE[decision.mode];
  // Returned to the enterprise, nothing is owed while it stays so: an officer's added step is
  // withdrawn (CANCELLED, out of the worklist and the due index) and owed again when the
  // enterprise amends (officerAddedSteps in shared/domain/amendment.ts).
  const owedAdded = status === 'RETURNED' ? added.map((s) => (s.status === 'PENDING' ? { ...s, status: 'CANCELLED' as const } : s)) : added;
  const steps = [
    ...decision.steps.filter((s) => !added.some((a) => a.kind === s.kind)).map((s) => pendingStepAt(s, at, ctx.timeLimitS(s.kind))),
    ...owedAdded,
  ];
  const sealed =
    status === 'RELEASED'
      ? sealRelease(certificateContent(d, decision.releaseBureau, at, 'DOCUMENT_RELEASE'), 'DOCUMENT_RELEASE', ctx.seal)
      : undefined;
  // Released on documents: selected declarations owe a follow-up check at the release bureau.
  const followUp = sealed ? followUpAt(d, decision, at, ctx.timeLimitS) : undefined;
  if (sealed && followUp) sealed.release = { ...sealed.release, followUp };
  const event = declarationEvent(d, status, at, {
    decision: {
      ruleSetVersion: decision.ruleSetVersion,
      route: decision.route,
      mode: decision.mode,
      steps: decision.steps,
      releaseBureau: decision.releaseBureau,
      hits: decision.hits,
    },
    reasons: decision.reasons,
    ...(sealed ? { release: sealed.release } : {}),
  });
  return transition(d, {
    status,
    at,
    set: { decision, steps, ...(sealed ? { release: sealed.release } : {}) },
    timeline: [{ at, status, ...(sealed ? { bureau: decision.releaseBureau } : {}), detail: timelineDetail(decision) }],
    // The enterprise's event, and each bureau's system is told of the step it now owes.
    events: [
      event,
      ...(status === 'INSPECTION_REQUIRED' ? steps.map((step) => stepEvent({ ...d, decision }, step, 'step.required', at)) : []),
      ...(followUp ? [followUpRequired({ ...d, decision }, followUp, at)] : []),
    ],
    ...(followUp ? { worklist: [followUp] } : {}),
    // What the rules achieve (contract section 15): fired, and inspected, counted with the decision.
    effectiveness: auditCounts(decision, status),
    counters: status === 'RELEASED' ? { released: 1, documentReleased: 1 } : status === 'RETURNED' ? { returned: 1 } : { inspected: 1 },
    ...(sealed ? { releaseSeconds: secondsSince(d, at), certificate: sealed.certificate } : {}),
  });
}
