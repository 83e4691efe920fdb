/**
 * Officers' overrides (contract section 12): the pure transitions of shared/domain/overrides.ts
 * applied through the conditional change loop, their events queued after the commit.
 */
import { queueEvents } from '../adapters/outbox.js';
import { notifyQueue } from '../adapters/queues.js';
import { timeOrderedId } from '../domain/ids.js';
import { confirmOverride, proposeOverride, type OverrideInput } from '../domain/overrides.js';
import type { Officer } from '../domain/principal.js';
import { stepTimeLimitS } from '../region.js';
import { changeDeclaration } from './declaration-change.js';
import { inspectionPorts, type InspectionPorts } from './inspection.js';

export async function proposeOverrideFor(
  declarationId: string,
  input: OverrideInput,
  officer: Officer,
  ports: InspectionPorts = inspectionPorts,
) {
  const id = `ovr_${timeOrderedId()}`; // one id whatever the retries
  const seal = await ports.sealer();
  const t = await changeDeclaration(
    declarationId,
    (d) =>
      proposeOverride(
        d,
        input,
        { principalId: officer.id, bureau: officer.bureau },
        { at: ports.clock(), seal, timeLimitS: stepTimeLimitS, id },
      ),
    ports.store,
  );
  await queueEvents(notifyQueue, t!.events);
  return { declaration: t!.record, override: t!.record.overrides!.find((o) => o.id === id)! };
}

export async function confirmOverrideFor(
  declarationId: string,
  overrideId: string,
  officer: Officer,
  ports: InspectionPorts = inspectionPorts,
) {
  const seal = await ports.sealer();
  const t = await changeDeclaration(
    declarationId,
    (d) => confirmOverride(d, overrideId, { principalId: officer.id, bureau: officer.bureau }, { at: ports.clock(), seal, timeLimitS: stepTimeLimitS }),
    ports.store,
  );
  await queueEvents(notifyQueue, t!.events);
  return { declaration: t!.record, override: t!.record.overrides!.find((o) => o.id === overrideId)! };
}
