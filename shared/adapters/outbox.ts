/**
 * The transactional outbox of notification events. The event item is put in the same transaction
 * as the state change (see `outboxPut`); afterwards its id is queued. It leaves the pending index
 * only when the notification worker has consumed it, so a lost send or message is redriven.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { NotifyMessage, OutboxEvent } from '../domain/events.js';
import { dynamo, tableName } from './aws.js';
import { keys } from './keys.js';
import { queueCommittedWork, type WorkQueue } from './queue.js';

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
  const { id: eventId, type, enterpriseId, timestamp, data } = Item as OutboxEvent;
  return { id: eventId, type, enterpriseId, timestamp, data };
}

/**
 * Queues committed events (never throws). The event stays in the pending index until the
 * notification worker has consumed it, so a failed send is repaired by the redrive sweep.
 */
export async function queueEvents(
  queue: WorkQueue<NotifyMessage>,
  events: Pick<OutboxEvent, 'id' | 'enterpriseId' | 'type'>[],
): Promise<void> {
  const messages = events.map((e) => ({ eventId: e.id, enterpriseId: e.enterpriseId, eventType: e.type }));
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
    const { id: eventId, type, enterpriseId, timestamp, data } = Attributes as OutboxEvent;
    return { id: eventId, type, enterpriseId, timestamp, data };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
