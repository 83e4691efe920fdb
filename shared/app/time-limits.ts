/**
 * The overdue sweep (contract section 12), run by the scheduled redrive: pending steps past their
 * due time are found through the pending-work index by dueAt (GSI2 `STEP_DUE#<shard>`, no scan),
 * each declaration is marked by the pure `markOverdue` transition in one conditional transaction
 * with its `step.overdue` events, and the events are queued. A step recorded meanwhile, or marked
 * by a sweep running at the same time, is simply not marked again.
 */
import { findPending } from '../adapters/pending-index.js';
import { keys } from '../adapters/keys.js';
import { queueEvents } from '../adapters/outbox.js';
import { notifyQueue } from '../adapters/queues.js';
import type { OutboxEvent } from '../domain/events.js';
import { markOverdue } from '../domain/time-limits.js';
import { changeDeclaration } from './declaration-change.js';

const BATCH_PER_SHARD = 100;

export async function sweepOverdue(now: string): Promise<OutboxEvent[]> {
  const due = await findPending(keys.stepDueShard, now, BATCH_PER_SHARD);
  const ids = [...new Set(due.map((item) => keys.declarationIdOf(item.pk)))];
  const events: OutboxEvent[] = [];
  for (const id of ids) {
    const t = await changeDeclaration(id, (d) => markOverdue(d, now)).catch(() => undefined);
    if (t) events.push(...t.events);
  }
  await queueEvents(notifyQueue, events);
  return events;
}
