/**
 * Scheduled redrive (every minute in the cloud). Queues are not the source of truth: whatever was
 * committed to the table but is still not done after CLEARWAY_STRANDED_AFTER_S (a failed send, a
 * lost message, a local restart) is found here by age and queued again. Consumers are idempotent, so a duplicate is
 * harmless.
 *
 * Parked declarations (their audit failed too often: shared/domain/audit-parking.ts) are not in the
 * stranded index, so they are never redriven from here. Each sweep logs how many are parked; in
 * the cloud a metric filter turns that line into the ParkedDeclarations metric the alarm watches
 * (infra/clearway-stack.ts, docs/operations.md).
 */
import { auditQueue, notifyQueue } from '../shared/adapters/queues.js';
import { findPending, touchPending } from '../shared/adapters/pending-index.js';
import { keys } from '../shared/adapters/keys.js';
import { logger } from '../shared/http/logger.js';
import { sweepOverdue } from '../shared/app/time-limits.js';
import { PARKED_LOG_MESSAGE, strandedAfterS as strandedBound } from '../shared/config.js';
import { declarationStore } from '../shared/adapters/declaration-store.js';

const BATCH_PER_SHARD = 100;

export type RedriveResult = { declarations: number; events: number; deliveries: number; overdueSteps: number; parked: number };

export async function redrive(now = new Date()): Promise<RedriveResult> {
  const strandedAfterS = strandedBound();
  const iso = now.toISOString();
  const strandedBefore = new Date(now.getTime() - strandedAfterS * 1000).toISOString();

  // Webhook deliveries are due at their own time; the margin (30 s, or the stranded bound if it is
  // shorter, as in tests and local runs with a scaled schedule) leaves the queue's delayed message
  // to arrive first. A duplicate is harmless: a delivery attempt is claimed under a lease.
  const deliveriesDue = new Date(now.getTime() - Math.min(30, strandedAfterS) * 1000).toISOString();
  const [stranded, events, deliveries, parked] = await Promise.all([
    findPending(keys.strandedShard, strandedBefore, BATCH_PER_SHARD),
    findPending(keys.outboxShard, strandedBefore, BATCH_PER_SHARD),
    findPending(keys.deliveryDueShard, deliveriesDue, BATCH_PER_SHARD),
    declarationStore.countParked(),
  ]);
  // Each sweep while any is parked; none logged is missing data, which the alarm treats as OK.
  if (parked > 0) logger.warn(PARKED_LOG_MESSAGE, { parkedDeclarations: parked });

  const declarationIds: string[] = [];
  for (const item of stranded) if (await touchPending(item, iso)) declarationIds.push(keys.declarationIdOf(item.pk));
  const eventIds: string[] = [];
  for (const item of events) if (await touchPending(item, iso)) eventIds.push(keys.eventIdOf(item.pk));

  const deliveryIds: string[] = [];
  for (const item of deliveries) if (await touchPending(item, iso)) deliveryIds.push(keys.deliveryIdOf(item.pk));

  // Pending steps past their due time: marked once each, with step.overdue for the bureau.
  const overdue = await sweepOverdue(iso);

  await auditQueue.sendMany(declarationIds.map((declarationId) => ({ declarationId })));
  await notifyQueue.sendMany([...eventIds.map((eventId) => ({ eventId })), ...deliveryIds.map((deliveryId) => ({ deliveryId }))]);
  if (declarationIds.length || eventIds.length || deliveryIds.length) {
    logger.info('redrove stranded work', { declarations: declarationIds.length, events: eventIds.length, deliveries: deliveryIds.length });
  }
  return {
    declarations: declarationIds.length,
    events: eventIds.length,
    deliveries: deliveryIds.length,
    overdueSteps: overdue.length,
    parked,
  };
}

export const handler = async (): Promise<RedriveResult> => redrive();
