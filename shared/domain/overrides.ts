/**
 * Officers' overrides of the audit (contract section 12), as pure transitions.
 *
 * - ADD_STEP applies at once: the step is owed from now (its bureau's system gets step.required),
 *   while the declaration awaits inspection, or while it is ACCEPTED (not audited yet: the audit
 *   then keeps the added step, so a document release becomes an inspection).
 * - WAIVE_STEP of a pending step is only proposed; it applies when a different officer of the
 *   proposer's bureau confirms it. A waived step counts as done, so the waive of the last pending
 *   step releases exactly as the last pass does (`settle`), in the same conditional transaction.
 */
import type { DeclarationRecord, StepKind, StepState, TimelineEntry } from './declaration.js';
import { involvesBureau } from './declaration.js';
import { pendingStepAt } from './audit.js';
import { conflict, forbidden, notFound } from './errors.js';
import { settle, type ReleaseContext } from './inspection.js';
import { stepEvent, transition, type DeclarationTransition } from './transition.js';
import type { Override } from '../schemas/declaration.js';

export type OverrideInput = {
  action: 'ADD_STEP' | 'WAIVE_STEP';
  kind: StepKind;
  bureau?: string;
  reasonCode: string;
  remarks: string;
};
export type OverrideBy = { principalId: string; bureau: string };
export type OverrideContext = ReleaseContext & { timeLimitS: (kind: string) => number; id: string };

/** Where the route puts a step of this kind when the officer does not say (contract section 6). */
export const defaultBureauOf = (d: Pick<DeclarationRecord, 'inspectionBureau' | 'portBureau'>, kind: StepKind) =>
  kind === 'ORIGIN_INSPECTION' || kind === 'DESTINATION_INSPECTION' ? d.inspectionBureau : d.portBureau;

const describe = (o: Pick<Override, 'action' | 'kind' | 'bureau' | 'reasonCode' | 'remarks'>, by: OverrideBy, what: string) =>
  `override ${o.action} ${o.kind} at ${o.bureau} ${what} by officer ${by.principalId} (${by.bureau}), reason ${o.reasonCode}: ${o.remarks}`;

/** An officer proposes an override: ADD_STEP applies now, WAIVE_STEP waits for a second officer. */
export function proposeOverride(d: DeclarationRecord, input: OverrideInput, by: OverrideBy, ctx: OverrideContext): DeclarationTransition {
  if (!involvesBureau(d, by.bureau)) throw notFound(`declaration ${d.id}`);
  const { at } = ctx;
  const overrides = d.overrides ?? [];
  if (input.action === 'ADD_STEP') {
    if (d.status !== 'INSPECTION_REQUIRED' && d.status !== 'ACCEPTED')
      throw conflict(`declaration ${d.id} is ${d.status}; a step can be added only while it is ACCEPTED or INSPECTION_REQUIRED`);
    if (d.steps.some((s) => s.kind === input.kind)) throw conflict(`step ${input.kind} is required already`);
    const bureau = input.bureau ?? defaultBureauOf(d, input.kind);
    const override: Override = {
      id: ctx.id,
      action: 'ADD_STEP',
      kind: input.kind,
      bureau,
      reasonCode: input.reasonCode,
      remarks: input.remarks,
      status: 'APPLIED',
      proposedAt: at,
      proposedBy: by,
    };
    const step = pendingStepAt({ kind: input.kind, bureau }, at, ctx.timeLimitS(input.kind));
    return transition(d, {
      at,
      set: { steps: [...d.steps, step], overrides: [...overrides, override] },
      timeline: [{ at, status: d.status, bureau: by.bureau, detail: describe(override, by, 'applied') }],
      // Before the audit the bureau is told when the audit decides (its step.required covers every step).
      events: d.status === 'INSPECTION_REQUIRED' ? [stepEvent(d, step, 'step.required', at)] : [],
    });
  }
  const step = d.steps.find((s) => s.kind === input.kind);
  if (!step) throw notFound(`step ${input.kind} of declaration ${d.id}`);
  if (d.status !== 'INSPECTION_REQUIRED') throw conflict(`declaration ${d.id} is ${d.status}; there is nothing to waive`);
  if (step.status !== 'PENDING') throw conflict(`step ${input.kind} is ${step.status} already; only a pending step can be waived`);
  if (overrides.some((o) => o.action === 'WAIVE_STEP' && o.kind === input.kind && o.status === 'PENDING_CONFIRMATION'))
    throw conflict(`a waive of ${input.kind} awaits confirmation already`);
  const override: Override = {
    id: ctx.id,
    action: 'WAIVE_STEP',
    kind: input.kind,
    bureau: step.bureau,
    reasonCode: input.reasonCode,
    remarks: input.remarks,
    status: 'PENDING_CONFIRMATION',
    proposedAt: at,
    proposedBy: by,
  };
  return transition(d, {
    at,
    set: { overrides: [...overrides, override] },
    timeline: [{ at, status: d.status, bureau: by.bureau, detail: describe(override, by, 'proposed, awaiting a second officer') }],
  });
}

/**
 * A second officer of the proposer's bureau confirms a waive: the step counts as done, and when it
 * was the last pending one the declaration is released (or failed, if a step failed) at once.
 */
export function confirmOverride(d: DeclarationRecord, overrideId: string, by: OverrideBy, ctx: ReleaseContext): DeclarationTransition {
  if (!involvesBureau(d, by.bureau)) throw notFound(`declaration ${d.id}`);
  const overrides = d.overrides ?? [];
  const override = overrides.find((o) => o.id === overrideId);
  if (!override) throw notFound(`override ${overrideId} of declaration ${d.id}`);
  if (override.status !== 'PENDING_CONFIRMATION') throw conflict(`override ${overrideId} is ${override.status}; nothing to confirm`);
  if (by.bureau !== override.proposedBy.bureau)
    throw forbidden(`only an officer of ${override.proposedBy.bureau}, the proposing bureau, may confirm this waive`);
  if (by.principalId === override.proposedBy.principalId) throw forbidden('a waive must be confirmed by a different officer');
  const index = d.steps.findIndex((s) => s.kind === override.kind);
  const step = d.steps[index];
  if (d.status !== 'INSPECTION_REQUIRED' || !step || step.status !== 'PENDING')
    throw conflict(`step ${override.kind} is no longer pending (declaration ${d.status}); the waive cannot apply`);
  const { at } = ctx;
  const waived: StepState = {
    ...step,
    status: 'WAIVED',
    recordedAt: at,
    recordedByBureau: by.bureau,
    remarks: `waived: ${override.reasonCode}`,
  };
  const steps = d.steps.map((s, i) => (i === index ? waived : s));
  const confirmed: Override = { ...override, status: 'APPLIED', confirmedAt: at, confirmedBy: by };
  const timeline: TimelineEntry = {
    at,
    status: 'INSPECTION_REQUIRED',
    bureau: by.bureau,
    detail: describe(override, by, 'confirmed and applied'),
  };
  const t = settle({ ...d, overrides: overrides.map((o) => (o.id === overrideId ? confirmed : o)) }, steps, ctx, {
    timeline,
    eventData: { step: { kind: override.kind, bureau: override.bureau, outcome: 'WAIVED', overrideId } },
  });
  // settle() set the steps (and release); the overrides change with them.
  return { ...t, set: { ...t.set, overrides: t.record.overrides } };
}
