/**
 * The transactional outbox of notification events. The event item is put in the same transaction
 * as the state change (see `outboxPut`); afterwards its id is queued. It leaves the pending index
 * only when the notification worker has consumed it, so a lost send or message is redriven.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { ownerOf, type NotifyMessage, type OutboxEvent } from '../domain/events.js';
import { dynamo, tableName, type ItemReader } from './aws.js';
import { readRelease, readReleases, releaseWith, type StoredRelease } from './declaration-release.js';
import { keys } from './keys.js';
import { queueCommittedWork, type WorkQueue } from './sqs-queue.js';
import { logger } from '../http/logger.js';

/**
 * A release's certificate JWS (1.5 KB for ten lines, and as long as the certificate) is on the
 * declaration's header, written by the same transaction as the event that reports the release.
 * The event's item does not hold a second copy (since 2026-12-08): it names the declaration in
 * `certificateJwsOf`, and whoever reads the event for sending puts the JWS back (`eventItemsWhole`).
 * Every write of the event's item (its put, the lease, the settle) is charged by its size, so the
 * copy cost about 7.5 WCU per release (docs/pipeline.md). Events stored before hold it inline.
 */
export const CERTIFICATE_JWS_OF = 'certificateJwsOf';

type ReleaseData = { declarationId?: unknown; release?: { jws?: unknown } & Record<string, unknown> };

/** The declaration whose release holds the JWS `event` reports (undefined: it reports none). */
export function certificateJwsOf(event: Pick<OutboxEvent, 'data'>): string | undefined {
  const { declarationId, release } = event.data as ReleaseData;
  return typeof declarationId === 'string' && typeof release?.jws === 'string' ? declarationId : undefined;
}

/** The Put of a transaction that records an event exactly once (conditional on its id). */
export function outboxPut(event: OutboxEvent) {
  const jwsOf = certificateJwsOf(event);
  const { jws: _kept, ...release } = jwsOf ? (event.data as ReleaseData).release! : {};
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.event(event.id),
        ...event,
        ...(jwsOf ? { data: { ...event.data, release }, [CERTIFICATE_JWS_OF]: jwsOf } : {}),
        itemType: 'event',
        gsi2pk: keys.outbox(event.id),
        gsi2sk: event.timestamp,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The event an item holds, whole: the release's JWS put back where the item names its declaration. */
export async function getEvent(id: string): Promise<OutboxEvent | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.event(id), ConsistentRead: true }));
  if (!Item) return undefined;
  const [whole] = await eventItemsWhole([Item]);
  return eventOf(whole!);
}

function eventOf(item: Record<string, unknown>): OutboxEvent {
  const { id, type, enterpriseId, owner, timestamp, data } = item as OutboxEvent;
  return { id, type, enterpriseId, ...(owner ? { owner } : {}), timestamp, data };
}

/** Reads the certificate JWS of a declaration's release (undefined: no release with one). */
export type CertificateJwsReader = (declarationId: string) => Promise<string | undefined>;

const jwsOf = (release: StoredRelease | undefined) => (typeof release?.jws === 'string' ? release.jws : undefined);

/** The JWS read through `read` (a batch's shared reader: it joins the batch's other reads). */
export const certificateJwsWith =
  (read: ItemReader): CertificateJwsReader =>
  async (declarationId) =>
    jwsOf(await releaseWith(read)(declarationId));

/** The JWS read alone: a GetItem of the header's release. */
export const readCertificateJws: CertificateJwsReader = async (declarationId) => jwsOf(await readRelease(declarationId));

/** An event's item with the release's JWS back in `data.release` (`jws` from its declaration). */
function eventItemWhole(item: Record<string, unknown>, jws: string | undefined): Record<string, unknown> {
  const declarationId = item[CERTIFICATE_JWS_OF];
  if (typeof declarationId !== 'string') return item;
  // The declaration's release and its event are one transaction: a release without it is a defect.
  if (jws === undefined) throw new Error(`event ${String(item.id)}: declaration ${declarationId} holds no certificate JWS`);
  const data = item.data as ReleaseData & Record<string, unknown>;
  return { ...item, data: { ...data, release: { ...data.release, jws } } };
}

/** Event items whole: one BatchGetItem for the JWS of those that name a declaration for it. */
export async function eventItemsWhole(items: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const named = [...new Set(items.flatMap((i) => (typeof i[CERTIFICATE_JWS_OF] === 'string' ? [i[CERTIFICATE_JWS_OF] as string] : [])))];
  if (!named.length) return items;
  const releases = await readReleases(named);
  return items.map((i) => eventItemWhole(i, jwsOf(releases.get(String(i[CERTIFICATE_JWS_OF])))));
}

/** How long a consumer may hold an event it is delivering before another may take it over. */
export const EVENT_LEASE_MS = 30_000;

/**
 * Reads an unconsumed event and leases it to one consumer, in one conditional write: a duplicate
 * message arriving while the first is being delivered finds it leased and does nothing. Undefined
 * when it does not exist, was consumed, or is leased to another consumer. The lease ends with
 * `consumeLeasedEventUpdate` (same token) or by expiring, after which the redrive sweep offers it again.
 */
export async function leaseEvent(
  id: string,
  now: Date,
  certificateJws: CertificateJwsReader = readCertificateJws,
): Promise<{ event: OutboxEvent; leaseToken: string } | undefined> {
  const leaseToken = `${new Date(now.getTime() + EVENT_LEASE_MS).toISOString()}#${randomUUID()}`;
  let item: Record<string, unknown>;
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
    item = Attributes!;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
  // The JWS the event reports, if its item names a declaration for it (the caller's reader may have
  // started that read while the lease was taken). Unreadable: the lease is given back first.
  const jwsOf = item[CERTIFICATE_JWS_OF];
  try {
    return { event: eventOf(eventItemWhole(item, typeof jwsOf === 'string' ? await certificateJws(jwsOf) : undefined)), leaseToken };
  } catch (error) {
    await releaseEventLease(id, leaseToken);
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
  events: Pick<OutboxEvent, 'id' | 'enterpriseId' | 'type' | 'owner' | 'data'>[],
): Promise<void> {
  const messages = events.map((e) => {
    const declarationId = certificateJwsOf(e);
    return { eventId: e.id, eventType: e.type, owner: ownerOf(e), ...(declarationId ? { declarationId } : {}) };
  });
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
