/**
 * Inspect once, recognised everywhere; release anywhere (contract section 8), as pure
 * transitions. An officer of the step's bureau records its outcome; the result counts in every
 * bureau and no step is asked for twice. The last pass releases the goods at the decision's
 * release bureau with a certificate; any fail fails the declaration. A waived step (section 12)
 * counts as done, so the step that leaves nothing pending releases, whichever it is.
 */
import type { DeclarationStatus } from '../schemas/declaration.js';
import { certificateContent } from './certificate.js';
import type { DeclarationRecord, StepKind, StepState, TimelineEntry } from './declaration.js';
import { involvesBureau } from './declaration.js';
import { conflict, forbidden, notFound } from './errors.js';
import { followUpAt, followUpRequired } from './follow-up.js';
import { failureCounts } from './effectiveness.js';
import {
  declarationEvent,
  sealRelease,
  secondsSince,
  transition,
  type CounterIncrements,
  type DeclarationTransition,
  type Sealer,
} from './transition.js';

export type StepResult = { outcome: 'PASS' | 'FAIL'; remarks?: string };
export type Recorder = { bureau: string; principalId?: string };
export type ReleaseContext = {
  at: string;
  seal: Sealer;
  /**
   * The region's time limit per kind, seconds: a release may start a follow-up check (section 15).
   * Absent: the contract's default for every kind (86,400 s).
   */
  timeLimitS?: (kind: string) => number;
};

const CONTRACT_DEFAULT_LIMIT_S = 86_400;

/** A step no longer owed: passed or waived. */
export const isDone = (s: Pick<StepState, 'status'>) => s.status === 'PASSED' || s.status === 'WAIVED';

/** The pending step of `kind`, checked against who records it; throws the client's error otherwise. */
export function pendingStep(d: DeclarationRecord, kind: StepKind, bureau: string): { step: StepState; index: number } {
  if (!involvesBureau(d, bureau)) throw notFound(`declaration ${d.id}`);
  const index = d.steps.findIndex((s) => s.kind === kind);
  if (index < 0) throw notFound(`step ${kind} of declaration ${d.id}`);
  const step = d.steps[index]!;
  if (step.bureau !== bureau) throw forbidden(`step ${kind} is assigned to bureau ${step.bureau}`);
  if (step.status === 'CANCELLED') {
    throw conflict(`step ${kind} is CANCELLED (declaration ${d.id} is ${d.status}); it is owed no more and cannot be recorded`);
  }
  if (step.status !== 'PENDING') {
    throw conflict(
      `step ${kind} was recorded already (${step.status}${step.recordedByBureau ? ` by ${step.recordedByBureau}` : ''}${step.recordedAt ? ` at ${step.recordedAt}` : ''}); a result counts everywhere`,
    );
  }
  if (d.status !== 'INSPECTION_REQUIRED') throw conflict(`declaration ${d.id} is ${d.status}; steps can no longer be recorded`);
  return { step, index };
}

/**
 * What follows once `steps` (the declaration's steps after one of them changed) are in place:
 * still INSPECTION_REQUIRED, RELEASED (nothing left pending, no fail) with its certificate, or
 * FAILED. Shared by recording a step and confirming a waive, so both release the same way.
 */
export function settle(
  d: DeclarationRecord,
  steps: StepState[],
  ctx: ReleaseContext,
  cause: { timeline: TimelineEntry; failed?: { kind: StepKind; bureau: string }; eventData: Record<string, unknown> },
): DeclarationTransition {
  const { at } = ctx;
  const failed = steps.some((s) => s.status === 'FAILED');
  const to: DeclarationStatus = failed ? 'FAILED' : steps.every(isDone) ? 'RELEASED' : 'INSPECTION_REQUIRED';
  const timeline: TimelineEntry[] = [cause.timeline];
  const counters: CounterIncrements = {};
  if (to === 'INSPECTION_REQUIRED') return transition(d, { at, set: { steps }, timeline });

  if (to === 'FAILED') {
    timeline.push({
      at,
      status: 'FAILED',
      bureau: cause.failed!.bureau,
      detail: `failed: ${cause.failed!.kind} at ${cause.failed!.bureau}`,
    });
    counters.failed = 1;
    // A failed declaration owes nothing more: its other pending steps become CANCELLED, so they
    // leave the worklist, the due index and the overdue counts (contract section 12), as a
    // cancellation's do.
    const owedNoMore = steps.map((s) => (s.status === 'PENDING' ? { ...s, status: 'CANCELLED' as const } : s));
    return transition(d, {
      status: 'FAILED',
      at,
      set: { steps: owedNoMore },
      timeline,
      events: [declarationEvent(d, 'FAILED', at, cause.eventData)],
      counters,
      // The rules that sent it to inspection (or the draw) found something (contract section 15).
      ...(d.decision ? { effectiveness: failureCounts(d.decision) } : {}),
    });
  }
  const releaseBureau = d.decision?.releaseBureau ?? d.releaseBureau;
  const sealed = sealRelease(certificateContent(d, releaseBureau, at, 'INSPECTION'), 'INSPECTION', ctx.seal);
  const { certificate } = sealed;
  // Selected declarations owe a follow-up check at the release bureau (contract section 15).
  const followUp = followUpAt(d, d.decision, at, ctx.timeLimitS ?? (() => CONTRACT_DEFAULT_LIMIT_S));
  const release = followUp ? { ...sealed.release, followUp } : sealed.release;
  timeline.push({ at, status: 'RELEASED', bureau: releaseBureau, detail: `released at ${releaseBureau} after inspection` });
  counters.released = 1;
  return transition(d, {
    status: 'RELEASED',
    at,
    set: { steps, release },
    timeline,
    events: [
      declarationEvent(d, 'RELEASED', at, { ...cause.eventData, release }),
      ...(followUp ? [followUpRequired(d, followUp, at)] : []),
    ],
    ...(followUp ? { worklist: [followUp] } : {}),
    counters,
    releaseSeconds: secondsSince(d, at),
    certificate,
  });
}

/**
 * Records a step's outcome (contract section 8). Throws 404 (not involved / no such step), 403
 * (another bureau's step) or 409 (recorded already, declaration no longer awaiting inspection).
 */
export function recordStep(
  d: DeclarationRecord,
  kind: StepKind,
  by: Recorder,
  result: StepResult,
  ctx: ReleaseContext,
): DeclarationTransition {
  const { step, index } = pendingStep(d, kind, by.bureau);
  const { at } = ctx;
  const recorded: StepState = {
    ...step,
    status: result.outcome === 'PASS' ? 'PASSED' : 'FAILED',
    recordedAt: at,
    recordedByBureau: by.bureau,
    ...(result.remarks ? { remarks: result.remarks } : {}),
  };
  const steps = d.steps.map((s, i) => (i === index ? recorded : s));
  const failed = result.outcome === 'FAIL';
  const detail = `${kind} ${failed ? 'failed' : 'passed'} at ${by.bureau}${result.remarks ? `: ${result.remarks}` : ''}`;
  return settle(d, steps, ctx, {
    timeline: { at, status: 'INSPECTION_REQUIRED', bureau: by.bureau, detail },
    ...(failed ? { failed: { kind, bureau: by.bureau } } : {}),
    eventData: { step: { kind, bureau: by.bureau, outcome: result.outcome, remarks: result.remarks } },
  });
}
