/**
 * The transactional outbox of notification events. The event item is put in the same transaction
 * as the state change (see `outboxPut`); afterwards its id is queued. It leaves the pending index
 * only when the notification worker has consumed it, so a lost send or message is redriven.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { ownerOf, type NotifyMessage, type OutboxEvent } from '../domain/events.js';
import { dynamo, tableName } from './aws.js';
import { keys } from './keys.js';
import { queueCommittedWork, type WorkQueue } from './sqs-queue.js';
import { logger } from '../http/logger.js';

/** The Put of a transaction that records an event exactly once (conditional on its id). */
export function outboxPut(event: OutboxEvent) {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.event(event.id),
        ...event,
        itemType: 'event',
        gsi2pk: keys.outbox(event.id),
        gsi2sk: event.timestamp,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function getEvent(id: string): Promise<OutboxEvent | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.event(id), ConsistentRead: true }));
  if (!Item) return undefined;
  return eventOf(Item);
}

function eventOf(item: Record<string, unknown>): OutboxEvent {
  const { id, type, enterpriseId, owner, timestamp, data } = item as OutboxEvent;
  return { id, type, enterpriseId, ...(owner ? { owner } : {}), timestamp, data };
}

/** How long a consumer may hold an event it is delivering before another may take it over. */
export const EVENT_LEASE_MS = 30_000;

/**
 * Reads an unconsumed event and leases it to one consumer, in one conditional write: a duplicate
 * message arriving while the first is being delivered finds it leased and does nothing. Undefined
 * when it does not exist, was consumed, or is leased to another consumer. The lease ends with
 * `consumeLeasedEventUpdate` (same token) or by expiring, after which the redrive sweep offers it again.
 */
export async function leaseEvent(id: string, now: Date): Promise<{ event: OutboxEvent; leaseToken: string } | undefined> {
  const leaseToken = `${new Date(now.getTime() + EVENT_LEASE_MS).toISOString()}#${randomUUID()}`;
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.event(id),
        UpdateExpression: 'SET leaseToken = :token',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(consumedAt) AND (attribute_not_exists(leaseToken) OR leaseToken < :now)',
        ExpressionAttributeValues: { ':token': leaseToken, ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { event: eventOf(Attributes!), leaseToken };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Gives a lease back (best effort: a lease that cannot be given back expires after
 * `EVENT_LEASE_MS`), so that a consumer that took it but cannot go on leaves the event to the
 * message's retry at once rather than to the sweep after the lease expires. Conditional on the
 * token: it never ends another consumer's lease.
 */
export async function releaseEventLease(id: string, leaseToken: string): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.event(id),
        UpdateExpression: 'REMOVE leaseToken',
        ConditionExpression: 'leaseToken = :leaseToken',
        ExpressionAttributeValues: { ':leaseToken': leaseToken },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException))
      logger.warn('event lease not given back; it expires', { eventId: id, error: error as Error });
  }
}

/**
 * The update that consumes a leased event (conditional on the lease; it leaves the pending index)
 * and records on the event's item what its consumer made of it (`record`: the webhook delivery,
 * docs/data-model.md), so the consumption and its result are one write. A `record` that sets
 * `gsi2pk`/`gsi2sk` keeps the item in the pending index under that key (a retry that is due).
 */
export function consumeLeasedEventUpdate(id: string, leaseToken: string, now: string, record: Record<string, unknown> = {}) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':consumedAt': now, ':leaseToken': leaseToken };
  const sets = ['consumedAt = :consumedAt'];
  Object.entries(record).forEach(([name, value], i) => {
    names[`#r${i}`] = name;
    values[`:r${i}`] = value;
    sets.push(`#r${i} = :r${i}`);
  });
  const removes = ['leaseToken', ...('gsi2pk' in record ? [] : ['gsi2pk', 'gsi2sk'])];
  return {
    TableName: tableName(),
    Key: keys.event(id),
    UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
    ConditionExpression: 'attribute_not_exists(consumedAt) AND leaseToken = :leaseToken',
    ...(sets.length > 1 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/**
 * Queues committed events (never throws). The event stays in the pending index until the
 * notification worker has consumed it, so a failed send is repaired by the redrive sweep.
 */
export async function queueEvents(
  queue: WorkQueue<NotifyMessage>,
  events: Pick<OutboxEvent, 'id' | 'enterpriseId' | 'type' | 'owner'>[],
): Promise<void> {
  const messages = events.map((e) => ({ eventId: e.id, eventType: e.type, owner: ownerOf(e) }));
  await queueCommittedWork<NotifyMessage>(queue, messages, 'event');
}

/**
 * Claims an event for its consumer: marks it consumed (it leaves the pending index) and returns
 * it, in one conditional write. Undefined when it does not exist or was consumed already.
 */
export async function claimEvent(id: string, now: string): Promise<OutboxEvent | undefined> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.event(id),
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk SET consumedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(consumedAt)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return eventOf(Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
