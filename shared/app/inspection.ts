/**
 * Recording an inspection step (contract section 8): the pure transition
 * (shared/domain/inspection.ts) applied through the conditional change loop. Ports (store,
 * sealer, clock) are parameters with the production adapters as defaults.
 */
import { signingKey } from '../adapters/signing-key.js';
import { hmacSealer } from '../domain/certificate.js';
import type { DeclarationRecord } from '../domain/declaration.js';
import type { WorkKind } from '../schemas/declaration.js';
import { FOLLOW_UP_KIND, recordFollowUp } from '../domain/follow-up.js';
import { stepTimeLimitS } from '../region.js';
import { recordStep as recordStepTransition, type StepResult } from '../domain/inspection.js';
import type { OutboxEvent } from '../domain/events.js';
import type { Officer } from '../domain/principal.js';
import type { Sealer } from '../domain/transition.js';
import { changeDeclaration, type DeclarationChangeStore } from './declaration-change.js';
import { declarationStore } from '../adapters/declaration-store.js';

export type { StepResult };

export type InspectionPorts = {
  store: DeclarationChangeStore;
  sealer: () => Promise<Sealer>;
  clock: () => string;
};

export const productionSealer = async (): Promise<Sealer> => hmacSealer(await signingKey());

export const inspectionPorts: InspectionPorts = {
  store: declarationStore,
  sealer: productionSealer,
  clock: () => new Date().toISOString(),
};

/**
 * Records a step's outcome, or (kind POST_RELEASE_CHECK) the follow-up check after release
 * (contract section 15): the same endpoint, the same conditional change.
 */
export async function recordStep(
  declarationId: string,
  kind: WorkKind,
  officer: Officer,
  result: StepResult,
  ports: InspectionPorts = inspectionPorts,
): Promise<{ declaration: DeclarationRecord; events: OutboxEvent[] }> {
  const seal = await ports.sealer();
  const t = await changeDeclaration(
    declarationId,
    (d) =>
      kind === FOLLOW_UP_KIND
        ? recordFollowUp(d, { bureau: officer.bureau }, result, ports.clock())
        : recordStepTransition(d, kind, { bureau: officer.bureau, principalId: officer.id }, result, {
            at: ports.clock(),
            seal,
            timeLimitS: stepTimeLimitS,
          }),
    ports.store,
  );
  // Exactly what the transaction wrote: no need to read it back.
  return { declaration: t!.record, events: t!.events };
}
