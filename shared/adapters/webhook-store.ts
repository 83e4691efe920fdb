/**
 * Webhook endpoints (one per owner: an enterprise or a bureau) and deliveries with every attempt.
 * Every state change is a conditional write; the hot path of a notification is three requests (see
 * `shared/app/webhooks.ts` and docs/webhooks.md).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { EventType, WebhookOwner } from '../domain/events.js';
import type { Delivery, DeliveryStatus, EndpointChange, Settlement, WebhookEndpoint } from '../domain/webhook.js';
import { disabledAttributes } from '../domain/webhook.js';
import { batchGetAll, dynamo, tableName } from './aws.js';
import { consumeEventUpdate } from './outbox.js';
import { decodeCursor, encodeCursor, GSI1, keys, withoutStorageAttributes } from './keys.js';
import { transactWrite, type TransactItems } from './transact.js';

/** Items written before owners had kinds carry only `enterpriseId`. */
function withOwner<T extends { owner: WebhookOwner }>(item: Record<string, unknown>): T {
  const { enterpriseId, ...rest } = withoutStorageAttributes<Record<string, unknown>>(item);
  return { ...rest, owner: rest.owner ?? { kind: 'enterprise', id: enterpriseId } } as T;
}
const endpointOf = (item: Record<string, unknown>) => withOwner<WebhookEndpoint>(item);
const deliveryOf = (item: Record<string, unknown>) => withOwner<Delivery>(item);

async function conditional(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
  try {
    await dynamo.send(command as never);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

const dueIndex = (id: string, at: string) => ({ gsi2pk: keys.deliveryDue(id), gsi2sk: at });

/**
 * The endpoint's side of a settled attempt, as a transaction item. Whether and how the endpoint is
 * disabled is the domain's (`settleAttempt`, `disabledAttributes`); this only spells the update.
 */
function endpointUpdate(owner: WebhookOwner, change: EndpointChange) {
  const base = { TableName: tableName(), Key: keys.webhook(owner), ConditionExpression: 'attribute_exists(pk)' };
  if (change.kind === 'reset') {
    return {
      Update: {
        ...base,
        UpdateExpression: 'SET consecutiveFailures = :zero REMOVE failingSince',
        ExpressionAttributeValues: { ':zero': 0 },
      },
    };
  }
  const disabling: Record<string, unknown> = change.disable ? disabledAttributes(change.disable, change.at) : {};
  const sets = Object.keys(disabling).map((k) => `${k} = :${k}`);
  return {
    Update: {
      ...base,
      UpdateExpression: `ADD consecutiveFailures :one SET ${['failingSince = if_not_exists(failingSince, :at)', ...sets].join(', ')}`,
      ExpressionAttributeValues: {
        ':one': 1,
        ':at': change.at,
        ...Object.fromEntries(Object.entries(disabling).map(([k, v]) => [`:${k}`, v])),
      },
    },
  };
}

/** Delivery attributes a settlement sets (status, the attempt, when next or when failed). */
function settledAttributes(s: Settlement) {
  return {
    status: s.status,
    ...(s.nextAttemptAt ? { nextAttemptAt: s.nextAttemptAt } : {}),
    ...(s.failedAt ? { failedAt: s.failedAt } : {}),
  };
}

export type SettleOutcome = 'settled' | 'lost';

export const webhookStore = {
  async getEndpoint(owner: WebhookOwner): Promise<WebhookEndpoint | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.webhook(owner), ConsistentRead: true }));
    return Item ? endpointOf(Item) : undefined;
  },

  /**
   * Writes an endpoint only if nobody changed it since it was read: conditional on the `updatedAt`
   * seen, or on there being none when it was not there.
   */
  async saveEndpoint(endpoint: WebhookEndpoint, seenUpdatedAt: string | undefined): Promise<boolean> {
    return conditional(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.webhook(endpoint.owner), itemType: 'webhook', ...endpoint },
        ...(seenUpdatedAt
          ? { ConditionExpression: 'updatedAt = :seen', ExpressionAttributeValues: { ':seen': seenUpdatedAt } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
  },

  async deleteEndpoint(owner: WebhookOwner): Promise<boolean> {
    return conditional(
      new DeleteCommand({ TableName: tableName(), Key: keys.webhook(owner), ConditionExpression: 'attribute_exists(pk)' }),
    );
  },

  /**
   * The first attempt of an event's delivery, settled in ONE transaction: the delivery is created
   * (once per event: conditional on its id), the leased event is consumed (conditional on the
   * lease), and the endpoint's failure count moves if it must. A crash before this leaves the event
   * unconsumed, so the sweep offers it again and it is sent again under the same webhook-id.
   */
  async settleFirst(delivery: Delivery, lease: { eventId: string; leaseToken: string }, change?: EndpointChange): Promise<SettleOutcome> {
    const items: TransactItems = [
      {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.delivery(delivery.id),
            itemType: 'delivery',
            ...delivery,
            ...keys.ownerListing(keys.deliveriesOf(delivery.owner), delivery.createdAt, delivery.id),
            ...(delivery.status === 'RETRYING' && delivery.nextAttemptAt ? dueIndex(delivery.id, delivery.nextAttemptAt) : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      consumeEventUpdate(lease.eventId, lease.leaseToken, delivery.createdAt),
    ];
    if (change) items.push(endpointUpdate(delivery.owner, change));
    const outcome = await transactWrite(items);
    if (outcome.committed) return 'settled';
    // The endpoint was deleted meanwhile: the delivery is still recorded.
    if (outcome.failedItems.length === 1 && outcome.failedItems[0] === 2) return webhookStore.settleFirst(delivery, lease);
    return 'lost';
  },

  /** A retry's delivery and its endpoint in one read (owner known), or two (owner unknown). */
  async getDeliveryAndEndpoint(id: string, owner?: WebhookOwner): Promise<{ delivery?: Delivery; endpoint?: WebhookEndpoint }> {
    if (!owner) {
      const delivery = await webhookStore.getDelivery(id);
      return { delivery, endpoint: delivery ? await webhookStore.getEndpoint(delivery.owner) : undefined };
    }
    const wanted = [keys.delivery(id), keys.webhook(owner)];
    const found = await batchGetAll(wanted, { consistent: true });
    const deliveryItem = found.find((i) => i.sk === 'DELIVERY');
    const endpointItem = found.find((i) => i.sk === 'WEBHOOK');
    const delivery = deliveryItem ? deliveryOf(deliveryItem) : undefined;
    // A message naming the wrong owner must not pair a delivery with someone else's endpoint.
    if (delivery && (delivery.owner.kind !== owner.kind || delivery.owner.id !== owner.id)) {
      return { delivery, endpoint: await webhookStore.getEndpoint(delivery.owner) };
    }
    return { delivery, endpoint: endpointItem ? endpointOf(endpointItem) : undefined };
  },

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.delivery(id), ConsistentRead: true }));
    return Item ? deliveryOf(Item) : undefined;
  },

  /**
   * Takes a delivery for one attempt: a 30 s lease conditional on the attempts seen, so a
   * duplicated message does not send the same attempt twice. Answers the lease token.
   */
  async lease(delivery: Delivery, now: Date): Promise<string | undefined> {
    const token = `${new Date(now.getTime() + 30_000).toISOString()}#${randomUUID()}`;
    const ok = await conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.delivery(delivery.id),
        UpdateExpression: 'SET leaseToken = :token',
        ConditionExpression: 'size(attempts) = :seen AND (attribute_not_exists(leaseToken) OR leaseToken < :now)',
        ExpressionAttributeValues: { ':seen': delivery.attempts.length, ':now': now.toISOString(), ':token': token },
      }),
    );
    return ok ? token : undefined;
  },

  /**
   * Settles a retry: appends the attempt and the new status (conditional on holding the lease); a
   * retry due later stays in the due index; with the endpoint's count in the same transaction.
   */
  async settleRetry(delivery: Delivery, leaseToken: string, s: Settlement): Promise<SettleOutcome> {
    const values: Record<string, unknown> = {
      ':attempt': [s.attempt],
      ':token': leaseToken,
      ...Object.fromEntries(Object.entries(settledAttributes(s)).map(([k, v]) => [`:${k}`, v])),
    };
    const sets = Object.keys(settledAttributes(s)).map((k) => `#${k} = :${k}`);
    const names = Object.fromEntries(Object.keys(settledAttributes(s)).map((k) => [`#${k}`, k]));
    if (s.nextAttemptAt) {
      sets.push('gsi2pk = :due', 'gsi2sk = :nextAttemptAt');
      values[':due'] = keys.deliveryDue(delivery.id);
    }
    const removes = ['leaseToken', ...(s.nextAttemptAt ? [] : ['gsi2pk', 'gsi2sk', 'nextAttemptAt']), 'heldWhileDisabled'];
    const update = {
      Update: {
        TableName: tableName(),
        Key: keys.delivery(delivery.id),
        UpdateExpression: `SET attempts = list_append(attempts, :attempt), ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
    const items: TransactItems = [update];
    if (s.endpoint) items.push(endpointUpdate(delivery.owner, s.endpoint));
    const outcome = await transactWrite(items);
    if (outcome.committed) return 'settled';
    if (outcome.failedItems.length === 1 && outcome.failedItems[0] === 1)
      return webhookStore.settleRetry(delivery, leaseToken, { ...s, endpoint: undefined });
    return 'lost';
  },

  /** A delivery that cannot be attempted (endpoint disabled or gone) ends failed, held for a re-enable. */
  async hold(delivery: Delivery, leaseToken: string, at: string): Promise<void> {
    await conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.delivery(delivery.id),
        UpdateExpression:
          'SET #status = :failed, failedAt = :at, heldWhileDisabled = :true REMOVE leaseToken, gsi2pk, gsi2sk, nextAttemptAt',
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'FAILED', ':at': at, ':true': true, ':token': leaseToken },
      }),
    );
  },

  /** Manual retry or replay: the delivery is due now, with a fresh run of the schedule. */
  async makeDueNow(delivery: Delivery, now: string): Promise<boolean> {
    return conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.delivery(delivery.id),
        UpdateExpression:
          'SET #status = :retrying, nextAttemptAt = :now, scheduleFrom = :from, gsi2pk = :due, gsi2sk = :now REMOVE leaseToken, failedAt',
        ConditionExpression: 'attribute_exists(pk) AND size(attempts) = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':retrying': 'RETRYING',
          ':now': now,
          ':from': delivery.attempts.length,
          ':due': keys.deliveryDue(delivery.id),
        },
      }),
    );
  },

  /** A replay finished: the endpoint no longer owes one (unless a later re-enable set another). */
  async replayDone(owner: WebhookOwner, from: string): Promise<void> {
    await conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.webhook(owner),
        UpdateExpression: 'REMOVE replayFrom',
        ConditionExpression: 'replayFrom = :from',
        ExpressionAttributeValues: { ':from': from },
      }),
    );
  },

  async listDeliveries(
    owner: WebhookOwner,
    q: { status?: DeliveryStatus; eventType?: EventType; limit: number; cursor?: string; oldestFirst?: boolean; from?: string },
  ) {
    const index = keys.deliveriesOf(owner);
    const start = decodeCursor(q.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk']);
    if (q.cursor && (!start || start.gsi1pk !== index)) return 'bad-cursor' as const;
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI1,
        KeyConditionExpression: q.from ? 'gsi1pk = :owner AND gsi1sk >= :from' : 'gsi1pk = :owner',
        ...(q.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ExpressionAttributeValues: {
          ':owner': index,
          ...(q.status ? { ':status': q.status } : {}),
          ...(q.from ? { ':from': q.from } : {}),
        },
        ScanIndexForward: q.oldestFirst ?? false,
        Limit: q.limit,
        ExclusiveStartKey: start,
      }),
    );
    // The listing index carries summaries only: one BatchGet for the page (<= 100).
    const ids = (page.Items ?? []).map((i) => keys.deliveryIdOf(String(i.pk)));
    const read = await batchGetAll(
      ids.map((id) => keys.delivery(id)),
      { consistent: true },
    );
    const found = new Map(read.map((item) => [item.id as string, deliveryOf(item)]));
    // The listing index does not carry the event type: it filters the page (as a FilterExpression would).
    const items = ids.flatMap((id) => {
      const d = found.get(id);
      return d && (!q.eventType || d.eventType === q.eventType) ? [d] : [];
    });
    return { items, nextCursor: encodeCursor(page.LastEvaluatedKey) ?? null };
  },
};

export type WebhookStore = typeof webhookStore;
