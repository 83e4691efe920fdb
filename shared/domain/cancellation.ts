/**
 * Cancelling a declaration (contract section 13) as a pure transition: from any status but
 * RELEASED, FAILED and CANCELLED (409 naming the status), with a reason code from the region
 * config. Pending steps are owed no more: they become CANCELLED and leave every worklist. Counted
 * once in `cancelled` (the outcome counters of its audit, if any, stay: it was returned or
 * inspected, then cancelled). Conditional on the record's version like every transition, so a
 * cancellation and the last step's pass at the same moment cannot both commit.
 */
import type { CancelRequest } from '../schemas/lifecycle.js';
import type { DeclarationRecord, StepState } from './declaration.js';
import { conflict } from './errors.js';
import { declarationEvent, transition, type DeclarationTransition } from './transition.js';

const FINAL = ['RELEASED', 'FAILED', 'CANCELLED'] as const;

export function cancelDeclaration(d: DeclarationRecord, input: CancelRequest, at: string): DeclarationTransition {
  if ((FINAL as readonly string[]).includes(d.status)) {
    throw conflict(`declaration ${d.id} is ${d.status}; only a declaration that is not RELEASED, FAILED or CANCELLED can be cancelled`, {
      status: d.status,
    });
  }
  const steps: StepState[] = d.steps.map((s) => (s.status === 'PENDING' ? { ...s, status: 'CANCELLED' } : s));
  const cancellation = {
    reasonCode: input.reasonCode,
    ...(input.remarks ? { remarks: input.remarks } : {}),
    cancelledAt: at,
    fromStatus: d.status,
  };
  return transition(d, {
    status: 'CANCELLED',
    at,
    set: { steps, cancellation },
    timeline: [
      {
        at,
        status: 'CANCELLED',
        bureau: d.declaredAt,
        detail: `cancelled by the enterprise (${input.reasonCode}${input.remarks ? `: ${input.remarks}` : ''}), was ${d.status}`,
      },
    ],
    events: [declarationEvent(d, 'CANCELLED', at, { cancellation, previousStatus: d.status }, 'declaration.cancelled')],
    counters: { cancelled: 1 },
  });
}
