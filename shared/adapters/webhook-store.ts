/** Webhook endpoints (one per enterprise) and deliveries with every attempt. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint } from '../domain/webhook.js';
import { DISABLE_AFTER_FAILED_DELIVERIES } from '../domain/webhook.js';
import { dynamo, tableName } from './aws.js';
import { decodeCursor, encodeCursor, GSI1, keys, withoutStorageAttributes } from './keys.js';

const strip = <T>(item: Record<string, unknown>): T => withoutStorageAttributes<T>(item);

async function conditional(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
  try {
    await dynamo.send(command as never);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export const webhookStore = {
  async getEndpoint(enterpriseId: string): Promise<WebhookEndpoint | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.webhook(enterpriseId), ConsistentRead: true }));
    return Item ? strip<WebhookEndpoint>(Item) : undefined;
  },

  async putEndpoint(endpoint: WebhookEndpoint): Promise<void> {
    await dynamo.send(
      new PutCommand({ TableName: tableName(), Item: { ...keys.webhook(endpoint.enterpriseId), itemType: 'webhook', ...endpoint } }),
    );
  },

  async deleteEndpoint(enterpriseId: string): Promise<boolean> {
    return conditional(
      new DeleteCommand({ TableName: tableName(), Key: keys.webhook(enterpriseId), ConditionExpression: 'attribute_exists(pk)' }),
    );
  },

  /** A delivery ended: count it against the endpoint, disabling it after repeated failures. */
  async recordOutcome(enterpriseId: string, delivered: boolean, now: string): Promise<void> {
    if (delivered) {
      await conditional(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhook(enterpriseId),
          UpdateExpression: 'SET consecutiveFailures = :zero',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
      return;
    }
    const { Attributes } = await dynamo
      .send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhook(enterpriseId),
          UpdateExpression: 'ADD consecutiveFailures :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch((error: unknown) => {
        if (error instanceof ConditionalCheckFailedException) return { Attributes: undefined };
        throw error;
      });
    if (Attributes && (Attributes.consecutiveFailures as number) >= DISABLE_AFTER_FAILED_DELIVERIES && !Attributes.disabled) {
      await conditional(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhook(enterpriseId),
          UpdateExpression: 'SET disabled = :true, disabledReason = :reason, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':true': true,
            ':now': now,
            ':reason': `disabled at ${now}: ${DISABLE_AFTER_FAILED_DELIVERIES} deliveries in a row failed after every retry; PUT /webhook again to re-enable`,
          },
        }),
      );
    }
  },

  /** Idempotent: one delivery per event and enterprise, whatever the number of messages. */
  async createDelivery(delivery: Delivery): Promise<boolean> {
    return conditional(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.delivery(delivery.id),
          itemType: 'delivery',
          ...delivery,
          ...keys.ownerListing(keys.deliveriesOfEnterprise(delivery.enterpriseId), delivery.createdAt, delivery.id),
          // Due at once: if the worker dies before the first attempt, the sweep makes it.
          gsi2pk: keys.deliveryDue(delivery.id),
          gsi2sk: delivery.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.delivery(id), ConsistentRead: true }));
    return Item ? strip<Delivery>(Item) : undefined;
  },

  /**
   * Takes the delivery for one attempt: a 30 s lease conditional on the attempts seen, so a
   * duplicated message does not send the same attempt twice.
   */
  async lease(delivery: Delivery, now: Date): Promise<boolean> {
    return conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.delivery(delivery.id),
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: 'size(attempts) = :seen AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: {
          ':seen': delivery.attempts.length,
          ':now': now.toISOString(),
          ':until': new Date(now.getTime() + 30_000).toISOString(),
        },
      }),
    );
  },

  /** Appends an attempt and the new status; a retry due later enters the pending-work index. */
  async recordAttempt(delivery: Delivery, attempt: DeliveryAttempt, status: DeliveryStatus, nextAttemptAt?: string): Promise<void> {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.delivery(delivery.id),
        UpdateExpression: `SET attempts = list_append(attempts, :attempt), #status = :status, ${
          nextAttemptAt ? 'nextAttemptAt = :next, gsi2pk = :due, gsi2sk = :next' : 'nextAttemptAt = :none'
        } REMOVE leaseUntil${nextAttemptAt ? '' : ', gsi2pk, gsi2sk'}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':attempt': [attempt],
          ':status': status,
          ...(nextAttemptAt ? { ':next': nextAttemptAt, ':due': keys.deliveryDue(delivery.id) } : { ':none': null }),
        },
      }),
    );
  },

  /** Manual retry: a delivery that ended (or is waiting) is due now. */
  async makeDueNow(id: string, now: string): Promise<boolean> {
    return conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.delivery(id),
        UpdateExpression: 'SET #status = :retrying, nextAttemptAt = :now, gsi2pk = :due, gsi2sk = :now REMOVE leaseUntil',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':retrying': 'RETRYING', ':now': now, ':due': keys.deliveryDue(id) },
      }),
    );
  },

  async listDeliveries(enterpriseId: string, q: { status?: DeliveryStatus; limit: number; cursor?: string }) {
    const owner = keys.deliveriesOfEnterprise(enterpriseId);
    const start = decodeCursor(q.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk']);
    if (q.cursor && (!start || start.gsi1pk !== owner)) return 'bad-cursor' as const;
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :owner',
        ...(q.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ExpressionAttributeValues: { ':owner': owner, ...(q.status ? { ':status': q.status } : {}) },
        ScanIndexForward: false,
        Limit: q.limit,
        ExclusiveStartKey: start,
      }),
    );
    // The listing index carries keys only for deliveries: one BatchGet for the page (<= 100).
    const ids = (page.Items ?? []).map((i) => keys.deliveryIdOf(String(i.pk)));
    const found = new Map<string, Delivery>();
    let pending: Record<string, unknown>[] = ids.map((id) => keys.delivery(id));
    while (pending.length) {
      const out = await dynamo.send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of out.Responses?.[tableName()] ?? []) found.set(item.id as string, strip<Delivery>(item));
      pending = (out.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
    }
    const items = ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
    return { items, nextCursor: encodeCursor(page.LastEvaluatedKey) ?? null };
  },
};
