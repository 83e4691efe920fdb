/**
 * Time limits (contract section 12): every pending step is due `limit(kind)` seconds after it was
 * required. The scheduled sweep finds steps past their due time through the pending-work index and
 * applies this transition: each such step is marked once (`overdueNotifiedAt`), which takes it out
 * of the sweep's index, and its bureau's system gets `step.overdue`, in the same transaction.
 */
import type { DeclarationRecord, StepState } from './declaration.js';
import { stepEvent, transition, type DeclarationTransition } from './transition.js';

/** Whether a step is pending past its due time at `now`. */
export const isOverdue = (s: Pick<StepState, 'status' | 'dueAt'>, now: string) => s.status === 'PENDING' && !!s.dueAt && s.dueAt < now;

/** Seconds a pending step is past its due time (0 when it is not). */
export const overdueSeconds = (s: Pick<StepState, 'dueAt'>, now: string) =>
  s.dueAt ? Math.max(0, Math.floor((Date.parse(now) - Date.parse(s.dueAt)) / 1000)) : 0;

/**
 * Marks every step of `d` newly overdue at `now`, and a follow-up check after release (contract
 * section 15) the same way; undefined when there is none (already marked, recorded meanwhile).
 */
export function markOverdue(d: DeclarationRecord, now: string): DeclarationTransition | undefined {
  const check = d.release?.followUp;
  if (d.status === 'RELEASED' && check && isOverdue(check, now) && !check.overdueNotifiedAt) {
    const marked = { ...check, overdueNotifiedAt: now };
    return transition(d, {
      at: now,
      set: { release: { ...d.release!, followUp: marked } },
      timeline: [{ at: now, status: d.status, bureau: check.bureau, detail: `${check.kind} at ${check.bureau} is overdue (due ${check.dueAt})` }],
      events: [stepEvent(d, check, 'step.overdue', now)],
      worklist: [marked],
    });
  }
  const newly = d.steps.filter((s) => isOverdue(s, now) && !s.overdueNotifiedAt);
  if (newly.length === 0 || d.status !== 'INSPECTION_REQUIRED') return undefined;
  const steps = d.steps.map((s) => (newly.includes(s) ? { ...s, overdueNotifiedAt: now } : s));
  return transition(d, {
    at: now,
    set: { steps },
    timeline: newly.map((s) => ({
      at: now,
      status: d.status,
      bureau: s.bureau,
      detail: `${s.kind} at ${s.bureau} is overdue (due ${s.dueAt})`,
    })),
    events: newly.map((s) => stepEvent(d, s, 'step.overdue', now)),
  });
}
