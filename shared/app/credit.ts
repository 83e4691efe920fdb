/**
 * Credit use cases (contract sections 4 and 14): changing credit, filing and deciding credit
 * objections. Each reads the current records, asks the pure domain transition what changes and
 * commits it conditionally through its ports; a commit lost to a concurrent change is decided
 * again on the new state. Ports default to the production adapters.
 */
import { dynamoEnterpriseStore } from '../adapters/enterprise-store.js';
import { dynamoObjectionStore, type ObjectionStore } from '../adapters/objection-store.js';
import { queueEvents } from '../adapters/outbox.js';
import { notifyQueue } from '../adapters/queues.js';
import { decideObjection, fileObjection, type CreditObjection, type DecideObjectionInput } from '../domain/credit-objection.js';
import { planCreditChange, type CreditChangeRequest, type EnterpriseRecord, type EnterpriseStore } from '../domain/enterprise.js';
import { conflict, notFound } from '../domain/errors.js';
import type { OutboxEvent } from '../domain/events.js';
import { LOST_RACE, retryOnConflict } from './conflict-retry.js';

export type CreditPorts = {
  enterprises: EnterpriseStore;
  objections: ObjectionStore;
  /** Queues committed events (never throws; the redrive sweep repairs a failed send). */
  publish: (events: OutboxEvent[]) => Promise<void>;
  now: () => string;
};

export const productionCreditPorts = (): CreditPorts => ({
  enterprises: dynamoEnterpriseStore,
  objections: dynamoObjectionStore,
  publish: (events) => queueEvents(notifyQueue, events),
  now: () => new Date().toISOString(),
});

type Officer = { bureau: string; principalId: string };

/**
 * An officer's credit change, effective in every bureau at once. Two bureaus changing the same
 * enterprise at once both succeed, in some order, each recorded against the state it changed.
 */
export async function changeCredit(
  code: string,
  request: CreditChangeRequest,
  by: Officer,
  ports: CreditPorts = productionCreditPorts(),
): Promise<EnterpriseRecord> {
  return retryOnConflict('the credit record', async () => {
    const current = await ports.enterprises.get(code);
    if (!current) throw notFound(`enterprise ${code}`);
    const change = planCreditChange(current, request, by, ports.now());
    if (!change) return current;
    if (!(await ports.enterprises.commitCreditChange(change, current.version))) return LOST_RACE;
    await ports.publish([change.event]);
    return change.next;
  });
}

export async function fileCreditObjection(
  code: string,
  input: { reason: string },
  by: { principalId: string },
  ports: CreditPorts = productionCreditPorts(),
): Promise<CreditObjection> {
  const enterprise = await ports.enterprises.get(code);
  if (!enterprise) throw notFound(`enterprise ${code}`);
  const objection = fileObjection(enterprise, input, by, ports.now());
  const outcome = await ports.objections.file(objection);
  if (outcome.filed) return objection;
  if ('noEnterprise' in outcome) throw notFound(`enterprise ${code}`);
  throw conflict(
    `enterprise ${code} has an open credit objection${outcome.openObjectionId ? ` (${outcome.openObjectionId})` : ''}; one at a time`,
    outcome.openObjectionId ? { openObjectionId: outcome.openObjectionId } : undefined,
  );
}

export async function decideCreditObjection(
  code: string,
  id: string,
  input: DecideObjectionInput,
  by: Officer,
  ports: CreditPorts = productionCreditPorts(),
): Promise<CreditObjection> {
  return retryOnConflict(`objection ${id}`, async () => {
    const [objection, enterprise] = await Promise.all([ports.objections.get(code, id), ports.enterprises.get(code)]);
    if (!objection || !enterprise) throw notFound(`objection ${id} of enterprise ${code}`);
    const decided = decideObjection(objection, enterprise, input, by, ports.now());
    const outcome = await ports.objections.commitDecision(decided, enterprise.version);
    // 'already-decided': the next read sees it decided and the domain answers 409.
    // 'credit-moved': another credit change landed first; decide on the new credit.
    if (outcome !== 'committed') return LOST_RACE;
    await ports.publish(decided.events);
    return decided.objection;
  });
}
