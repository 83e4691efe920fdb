/**
 * Scheduled redrive (every minute in the cloud). Queues are not the source of truth: whatever was
 * committed to the table but is still not done after CLEARWAY_STRANDED_AFTER_S (a failed send, a
 * lost message, a local restart) is found here by age and queued again. Consumers are idempotent, so a duplicate is
 * harmless.
 *
 * Parked declarations (their audit failed too often: shared/domain/audit-parking.ts) are not in the
 * stranded index; they are retried from here on a slow backoff instead (each once per
 * CLEARWAY_PARKED_RETRY_AFTER_S, hourly by default), so that every declaration that got a 202 is
 * still driven on automatically (contract sections 5 and 11) while one that fails every time costs
 * one attempt an hour. They stay parked (listed, alarmed) until an audit succeeds. Each sweep logs
 * how many are parked; in
 * the cloud a metric filter turns that line into the ParkedDeclarations metric the alarm watches
 * (infra/clearway-stack.ts, docs/operations.md).
 */
import { auditQueue, notifyQueue } from '../shared/adapters/queues.js';
import { findPending, touchPending } from '../shared/adapters/pending-index.js';
import { keys } from '../shared/adapters/keys.js';
import { logger } from '../shared/http/logger.js';
import { sweepOverdue } from '../shared/app/time-limits.js';
import { PARKED_LOG_MESSAGE, parkedRetryAfterS, strandedAfterS as strandedBound } from '../shared/config.js';
import { declarationStore } from '../shared/adapters/declaration-store.js';

const BATCH_PER_SHARD = 100;

export type RedriveResult = {
  declarations: number;
  events: number;
  deliveries: number;
  overdueSteps: number;
  parked: number;
  /** Parked declarations whose slow automatic retry this sweep queued. */
  parkedRetried: number;
};

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

  // Parked ones whose last attempt is older than the retry period: claimed (once across sweeps), retried.
  const parkedDueBefore = new Date(now.getTime() - parkedRetryAfterS() * 1000).toISOString();
  const parkedRetries = parked > 0 ? await declarationStore.claimParkedDue(parkedDueBefore, iso, BATCH_PER_SHARD) : [];

  // Pending steps past their due time: marked once each, with step.overdue for the bureau.
  const overdue = await sweepOverdue(iso);

  await auditQueue.sendMany([
    ...declarationIds.map((declarationId) => ({ declarationId })),
    ...parkedRetries.map((declarationId) => ({ declarationId, parkedRetry: true as const })),
  ]);
  await notifyQueue.sendMany([...eventIds.map((eventId) => ({ eventId })), ...deliveryIds.map((deliveryId) => ({ deliveryId }))]);
  if (declarationIds.length || eventIds.length || deliveryIds.length || parkedRetries.length) {
    logger.info('redrove stranded work', {
      declarations: declarationIds.length,
      events: eventIds.length,
      deliveries: deliveryIds.length,
      parkedRetried: parkedRetries.length,
    });
  }
  return {
    declarations: declarationIds.length,
    events: eventIds.length,
    deliveries: deliveryIds.length,
    overdueSteps: overdue.length,
    parked,
    parkedRetried: parkedRetries.length,
  };
}

export const handler = async (): Promise<RedriveResult> => redrive();
