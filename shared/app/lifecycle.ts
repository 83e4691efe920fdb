/**
 * Amending and cancelling a declaration (contract section 13). The declaring enterprise only
 * (another enterprise's declaration is not found); the pure transitions (shared/domain/
 * amendment.ts, cancellation.ts) decide, `changeDeclaration` commits conditionally on the record's
 * version and decides again when another change got there first. Ports default to production.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { queueEvents } from '../adapters/outbox.js';
import { queueCommittedWork, type WorkQueue } from '../adapters/sqs-queue.js';
import { auditQueue, notifyQueue, type AuditMessage } from '../adapters/queues.js';
import { amendDeclaration } from '../domain/amendment.js';
import { cancelDeclaration } from '../domain/cancellation.js';
import { visibleTo, type DeclarationRecord } from '../domain/declaration.js';
import { notFound } from '../domain/errors.js';
import type { OutboxEvent } from '../domain/events.js';
import type { Principal } from '../domain/principal.js';
import type { AmendmentInput, CancelRequest, RevisionRecord } from '../schemas/lifecycle.js';
import { changeDeclaration, type DeclarationChangeStore } from './declaration-change.js';

export type LifecyclePorts = {
  store: DeclarationChangeStore & { revisions(id: string): Promise<RevisionRecord[]> };
  audit: WorkQueue<AuditMessage>;
  publish: (events: OutboxEvent[]) => Promise<void>;
  now: () => string;
};

export const productionLifecyclePorts = (): LifecyclePorts => ({
  store: declarationStore,
  audit: auditQueue,
  publish: (events) => queueEvents(notifyQueue, events),
  now: () => new Date().toISOString(),
});

/** The declaring enterprise's own declaration; anyone else's is not found (404). */
function ownedBy(d: DeclarationRecord, by: Principal, id: string): DeclarationRecord {
  if (by.kind !== 'enterprise' || d.enterpriseId !== by.enterpriseId) throw notFound(`declaration ${id}`);
  return d;
}

export type Amendment = { outcome: 'amended' | 'replayed'; declaration: DeclarationRecord };

export async function amend(
  id: string,
  input: AmendmentInput,
  by: Principal,
  ports: LifecyclePorts = productionLifecyclePorts(),
): Promise<Amendment> {
  let replayOf: DeclarationRecord | undefined;
  const t = await changeDeclaration(
    id,
    (current) => {
      const t = amendDeclaration(ownedBy(current, by, id), input, ports.now());
      if (!t) replayOf = current;
      return t;
    },
    ports.store,
  );
  if (!t) return { outcome: 'replayed', declaration: replayOf! };
  // Durable and back in the stranded index: if the send fails, the redrive sweep queues it.
  await queueCommittedWork(ports.audit, [{ declarationId: id, enterpriseId: t.record.enterpriseId }], 'declaration');
  await ports.publish(t.events);
  return { outcome: 'amended', declaration: t.record };
}

export async function cancel(
  id: string,
  input: CancelRequest,
  by: Principal,
  ports: LifecyclePorts = productionLifecyclePorts(),
): Promise<DeclarationRecord> {
  const t = await changeDeclaration(id, (current) => cancelDeclaration(ownedBy(current, by, id), input, ports.now()), ports.store);
  await ports.publish(t!.events);
  return t!.record;
}

/** Every earlier revision with its decision, for whoever may see the declaration. */
export async function revisions(id: string, by: Principal, ports: Pick<LifecyclePorts, 'store'> = productionLifecyclePorts()) {
  const d = await ports.store.get(id);
  if (!d || !visibleTo(by, d)) throw notFound(`declaration ${id}`);
  return { currentRevision: d.revision ?? 1, items: await ports.store.revisions(id) };
}
