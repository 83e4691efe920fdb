/**
 * Webhook endpoints (one per owner: an enterprise or a bureau) and deliveries with every attempt.
 * Every state change is a conditional write; the hot path of a notification is three requests and
 * no transaction (see `shared/app/webhooks.ts` and docs/webhooks.md).
 *
 * A delivery is stored on its event's item (`EVENT#<event id>`): each event has exactly one
 * delivery, so creating it, recording its first attempt and consuming the event are one
 * conditional update of an item the state change already wrote. Deliveries settled before this
 * (until 2026-12) are items of their own (`DELIVERY#<id>`); they are still read, listed, retried
 * and replayed where they are.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { EventType, OutboxEvent, WebhookOwner } from '../domain/events.js';
import type { Delivery, DeliveryStatus, EndpointChange, Settlement, WebhookEndpoint } from '../domain/webhook.js';
import { deliveryIdOf, disabledAttributes, payloadOf } from '../domain/webhook.js';
import { batchGetAll, dynamo, tableName, type ItemReader } from './aws.js';
import { consumeLeasedEventUpdate, eventItemsWhole } from './outbox.js';
import { decodeCursor, encodeCursor, GSI1, keys, withoutStorageAttributes } from './keys.js';
import { transactWrite } from './transact.js';

/** Items written before owners had kinds carry only `enterpriseId`. */
function withOwner<T extends { owner: WebhookOwner }>(item: Record<string, unknown>): T {
  const { enterpriseId, ...rest } = withoutStorageAttributes<Record<string, unknown>>(item);
  return { ...rest, owner: rest.owner ?? { kind: 'enterprise', id: enterpriseId } } as T;
}
const endpointOf = (item: Record<string, unknown>) => withOwner<WebhookEndpoint>(item);

/** Deliveries read from an item of their own (settled before deliveries moved onto their events). */
const ownItemDeliveries = new WeakSet<Delivery>();
/** Where a delivery read from the table is stored: its writes go back there. */
const keyOf = (delivery: Delivery) => (ownItemDeliveries.has(delivery) ? keys.legacyDelivery(delivery.id) : keys.event(delivery.eventId));

/**
 * The delivery an item holds: an event's item once its delivery was settled (undefined before, or
 * when nobody listened), or a delivery's own item.
 */
function deliveryOf(item: Record<string, unknown>): Delivery | undefined {
  if (item.sk === 'DELIVERY') {
    const delivery = withOwner<Delivery>(item);
    ownItemDeliveries.add(delivery);
    return delivery;
  }
  if (item.status === undefined) return undefined;
  const event = item as Pick<OutboxEvent, 'id' | 'type' | 'enterpriseId' | 'owner' | 'timestamp' | 'data'>;
  const optional = (name: keyof Delivery) => (item[name] === undefined ? {} : { [name]: item[name] });
  return {
    id: deliveryIdOf(event.id),
    eventId: event.id,
    eventType: event.type,
    owner: event.owner ?? { kind: 'enterprise', id: event.enterpriseId },
    url: item.url as string,
    // What the event says, as every attempt sends it; deliveries settled before 2026-12-08 kept a copy.
    payload: typeof item.payload === 'string' ? item.payload : payloadOf(event),
    status: item.status as DeliveryStatus,
    attempts: item.attempts as Delivery['attempts'],
    createdAt: item.createdAt as string,
    ...optional('nextAttemptAt'),
    ...optional('failedAt'),
    ...optional('heldWhileDisabled'),
    ...optional('scheduleFrom'),
  } as Delivery;
}

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

/**
 * A delivery settled before deliveries moved onto their events has its own item; its event's item
 * (which every delivery has) then carries no delivery. One more read, for those only.
 */
async function ownItemDelivery(id: string, eventItem: Record<string, unknown>): Promise<Delivery | undefined> {
  if (!eventItem.consumedAt) return undefined; // not consumed: no delivery anywhere yet
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.legacyDelivery(id), ConsistentRead: true }));
  return Item ? deliveryOf(Item) : undefined;
}

/** An owner's endpoint read through `read` (a batch's shared reader: its reads go together). */
export async function endpointWith(read: ItemReader, owner: WebhookOwner): Promise<WebhookEndpoint | undefined> {
  const item = await read(keys.webhook(owner));
  return item ? endpointOf(item) : undefined;
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
   * The first attempt of an event's delivery, settled in ONE conditional write to the event's item:
   * the delivery is recorded there and the event consumed, conditional on the consumer's lease (so
   * an event gets one delivery, however often its message comes). Only when the outcome moves the
   * endpoint's failure count is it a transaction with the endpoint. A crash before this leaves the
   * event unconsumed, so the sweep offers it again and it is sent again under the same webhook-id.
   */
  async settleFirst(delivery: Delivery, lease: { eventId: string; leaseToken: string }, change?: EndpointChange): Promise<SettleOutcome> {
    const retryDue = delivery.status === 'RETRYING' && delivery.nextAttemptAt ? dueIndex(delivery.id, delivery.nextAttemptAt) : {};
    // Not the payload: it is the event's type, timestamp and data, on this item already (a copy
    // weighed as much as the event's data again: ~2 KB, 2 WCU a settle, for a release's JWS).
    const record = {
      url: delivery.url,
      status: delivery.status,
      attempts: delivery.attempts,
      createdAt: delivery.createdAt,
      ...(delivery.nextAttemptAt ? { nextAttemptAt: delivery.nextAttemptAt } : {}),
      ...(delivery.failedAt ? { failedAt: delivery.failedAt } : {}),
      ...(delivery.heldWhileDisabled ? { heldWhileDisabled: true } : {}),
      ...keys.ownerListing(keys.deliveriesOf(delivery.owner), delivery.createdAt, delivery.id),
      ...retryDue,
    };
    const consume = consumeLeasedEventUpdate(lease.eventId, lease.leaseToken, delivery.createdAt, record);
    if (!change) return (await conditional(new UpdateCommand(consume))) ? 'settled' : 'lost';
    const outcome = await transactWrite([{ Update: consume }, endpointUpdate(delivery.owner, change)]);
    if (outcome.committed) return 'settled';
    // The endpoint was deleted meanwhile: the delivery is still recorded.
    if (outcome.failedItems.length === 1 && outcome.failedItems[0] === 1) return webhookStore.settleFirst(delivery, lease);
    return 'lost';
  },

  /** A retry's delivery and its endpoint in one read (owner known), or two (owner unknown). */
  async getDeliveryAndEndpoint(id: string, owner?: WebhookOwner): Promise<{ delivery?: Delivery; endpoint?: WebhookEndpoint }> {
    const key = keys.delivery(id);
    if (!key) return {};
    if (!owner) {
      const delivery = await webhookStore.getDelivery(id);
      return { delivery, endpoint: delivery ? await webhookStore.getEndpoint(delivery.owner) : undefined };
    }
    const found = await batchGetAll([key, keys.webhook(owner)], { consistent: true });
    const [eventItem] = await eventItemsWhole(found.filter((i) => i.sk === 'EVENT'));
    const endpointItem = found.find((i) => i.sk === 'WEBHOOK');
    const delivery = eventItem ? (deliveryOf(eventItem) ?? (await ownItemDelivery(id, eventItem))) : undefined;
    // A message naming the wrong owner must not pair a delivery with someone else's endpoint.
    if (delivery && (delivery.owner.kind !== owner.kind || delivery.owner.id !== owner.id)) {
      return { delivery, endpoint: await webhookStore.getEndpoint(delivery.owner) };
    }
    return { delivery, endpoint: endpointItem ? endpointOf(endpointItem) : undefined };
  },

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const key = keys.delivery(id);
    if (!key) return undefined;
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    const [item] = Item ? await eventItemsWhole([Item]) : [];
    return item ? (deliveryOf(item) ?? (await ownItemDelivery(id, item))) : undefined;
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
        Key: keyOf(delivery),
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
        Key: keyOf(delivery),
        UpdateExpression: `SET attempts = list_append(attempts, :attempt), ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: 'leaseToken = :token',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
    if (!s.endpoint) return (await conditional(new UpdateCommand(update.Update))) ? 'settled' : 'lost';
    const outcome = await transactWrite([update, endpointUpdate(delivery.owner, s.endpoint)]);
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
        Key: keyOf(delivery),
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
        Key: keyOf(delivery),
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
    // The listing index carries summaries only: one BatchGet for the page (<= 100), of the items
    // the index names (events' items, or deliveries' own).
    const entries = page.Items ?? [];
    const ids = entries.map((i) => keys.deliveryIdOf(String(i.pk)));
    const read = await eventItemsWhole(
      await batchGetAll(
        entries.map((i) => ({ pk: i.pk, sk: i.sk })),
        { consistent: true },
      ),
    );
    const found = new Map(
      read.flatMap((item) => (item.status === undefined ? [] : [[keys.deliveryIdOf(String(item.pk)), deliveryOf(item)]])),
    );
    // The listing index does not carry the event type: it filters the page (as a FilterExpression would).
    const items = ids.flatMap((id) => {
      const d = found.get(id);
      return d && (!q.eventType || d.eventType === q.eventType) ? [d] : [];
    });
    return { items, nextCursor: encodeCursor(page.LastEvaluatedKey) ?? null };
  },
};

export type WebhookStore = typeof webhookStore;
