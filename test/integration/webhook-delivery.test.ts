/**
 * Webhook delivery against DynamoDB Local and a real receiver on loopback: the request budget of
 * the notification hot path (counted through the counting adapter), one delivery per event under
 * duplicate messages, and nothing lost when the worker dies between the POST and the settle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../../shared/adapters/aws.js';
import { keys } from '../../shared/adapters/keys.js';
import { getEvent, outboxPut, queueEvents } from '../../shared/adapters/outbox.js';
import { transactWrite } from '../../shared/adapters/transact.js';
import { webhookStore } from '../../shared/adapters/webhook-store.js';
import { httpSender } from '../../shared/adapters/webhook-sender.js';
import type { WorkQueue } from '../../shared/adapters/sqs-queue.js';
import { acceptEvent, attemptDelivery, deliveryIdOf, deliveryPorts, type DeliveryPorts } from '../../shared/app/webhooks.js';
import type { EventMessage, NotifyMessage, OutboxEvent, WebhookOwner } from '../../shared/domain/events.js';
import { newWebhookSecret, type WebhookEndpoint } from '../../shared/domain/webhook.js';
import { timeOrderedId } from '../../shared/domain/ids.js';
import { countDynamoCalls } from '../support/dynamo-calls.js';
import { handler as notifyWorker } from '../../functions/notify-worker.js';
import { lambdaContext } from '../support/api.js';
import { newCreditCode } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

/** A queue that only records what it was asked to send (retries are driven by the test). */
function recordingQueue() {
  const sent: { message: NotifyMessage; delaySeconds?: number }[] = [];
  const queue: WorkQueue<NotifyMessage> = {
    send: async (message, options) => void sent.push({ message, delaySeconds: options?.delaySeconds }),
    sendMany: async (messages) => void sent.push(...messages.map((message) => ({ message }))),
  };
  return { queue, sent };
}

function ports(overrides: Partial<DeliveryPorts> = {}) {
  const { queue, sent } = recordingQueue();
  return { ports: deliveryPorts(queue, { send: httpSender({ local: true, timeoutMs: 2_000 }), ...overrides }), sent };
}

async function endpointFor(owner: WebhookOwner, path = '/hooks'): Promise<WebhookEndpoint> {
  const now = new Date().toISOString();
  const endpoint: WebhookEndpoint = {
    owner,
    url: receiver.url(path),
    events: ['enterprise.credit_changed', 'step.required'],
    secret: newWebhookSecret(),
    createdAt: now,
    updatedAt: now,
    disabled: false,
    consecutiveFailures: 0,
  };
  await webhookStore.saveEndpoint(endpoint, undefined);
  return endpoint;
}

/** Commits an event to the outbox as a state change would, and answers its notify message. */
async function committedEvent(enterpriseId: string, owner?: WebhookOwner) {
  const event: OutboxEvent = {
    id: `evt_${timeOrderedId()}`,
    type: owner?.kind === 'bureau' ? 'step.required' : 'enterprise.credit_changed',
    enterpriseId,
    ...(owner ? { owner } : {}),
    timestamp: new Date().toISOString(),
    data: { creditCode: enterpriseId, n: Math.random() },
  };
  expect((await transactWrite([outboxPut(event)])).committed).toBe(true);
  const message = { eventId: event.id, eventType: event.type, owner: owner ?? { kind: 'enterprise' as const, id: enterpriseId } };
  return { event, message };
}

/** A new enterprise with an endpoint on the receiver, and an event for it just committed. */
async function listeningEnterpriseWithEvent() {
  const code = newCreditCode();
  const owner = { kind: 'enterprise' as const, id: code };
  await endpointFor(owner);
  return { code, owner, ...(await committedEvent(code)) };
}

const toMe = (eventId: string) => receiver.received.filter((r) => r.headers['webhook-id'] === deliveryIdOf(eventId));

describe('notification hot path', () => {
  it('delivers a new event in three DynamoDB requests and no transaction, signed so standardwebhooks verifies it', async () => {
    const code = newCreditCode();
    const endpoint = await endpointFor({ kind: 'enterprise', id: code });
    const { event, message } = await committedEvent(code);
    const { ports: p } = ports();

    const { calls } = await countDynamoCalls(() => acceptEvent(message, p));

    // Read the endpoint, lease the event, then record the delivery on the event's item and consume it.
    expect(calls).toEqual(['GetItem', 'UpdateItem', 'UpdateItem']);
    const [got] = toMe(event.id);
    expect(got).toBeDefined();
    const verified = new Webhook(endpoint.secret.slice('whsec_'.length)).verify(got!.body, {
      'webhook-id': String(got!.headers['webhook-id']),
      'webhook-timestamp': String(got!.headers['webhook-timestamp']),
      'webhook-signature': String(got!.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ type: 'enterprise.credit_changed', data: { creditCode: code } });
    const delivery = await webhookStore.getDelivery(deliveryIdOf(event.id));
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: [expect.objectContaining({ responseStatus: 200 })] });
    expect(await countConsumed(event.id)).toBe(true);
  });

  it('consumes an event nobody listens for in one read and two writes (the lease taken while the endpoint is read, the claim), sending nothing', async () => {
    const code = newCreditCode(); // no endpoint at all
    const { event, message } = await committedEvent(code);
    const { ports: p } = ports();
    const { calls } = await countDynamoCalls(() => acceptEvent(message, p));
    expect(calls).toEqual(['GetItem', 'UpdateItem', 'UpdateItem']);
    expect(await countConsumed(event.id)).toBe(true);
    expect(toMe(event.id)).toHaveLength(0);
  });

  it('sends nothing again and writes nothing for a redelivered message (two requests, both reads or refused conditions)', async () => {
    const code = newCreditCode();
    await endpointFor({ kind: 'enterprise', id: code });
    const { event, message } = await committedEvent(code);
    const { ports: p } = ports();
    await acceptEvent(message, p);
    const { calls } = await countDynamoCalls(() => acceptEvent(message, p));
    expect(calls).toEqual(['GetItem', 'UpdateItem']); // the lease's condition refuses a consumed event
    expect(toMe(event.id)).toHaveLength(1);
  });

  it('reads the endpoint and leases the event at the same moment: the POST waits for one round trip, not two', async () => {
    const { event, message } = await listeningEnterpriseWithEvent();
    const { ports: base } = ports();
    // A read that takes 300 ms: read first and then leased, the POST would go after 300 ms plus the lease.
    let leasedAt: number | undefined;
    const startedAt = Date.now();
    const slowRead: DeliveryPorts = {
      ...base,
      store: { ...base.store, getEndpoint: (owner) => new Promise((r) => setTimeout(r, 300)).then(() => base.store.getEndpoint(owner)) },
      leaseEvent: (id, now) => base.leaseEvent(id, now).then((leased) => ((leasedAt = Date.now()), leased)),
    };
    await acceptEvent(message, slowRead);
    expect(toMe(event.id)).toHaveLength(1);
    expect(leasedAt! - startedAt).toBeLessThan(250); // the lease did not wait for the read
  });

  it('gives the lease back when the endpoint cannot be read, so the retry delivers at once (not after the lease expires)', async () => {
    const { event, message } = await listeningEnterpriseWithEvent();
    const { ports: p } = ports();
    const failingRead: DeliveryPorts = {
      ...p,
      store: { ...p.store, getEndpoint: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')) },
    };
    await expect(acceptEvent(message, failingRead)).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(toMe(event.id)).toHaveLength(0);
    // The message's retry: the event is free again, and sent once.
    await acceptEvent(message, p);
    expect(toMe(event.id)).toHaveLength(1);
    expect(await countConsumed(event.id)).toBe(true);
  });

  it('makes one delivery and one POST when the same message arrives five times at once', async () => {
    const code = newCreditCode();
    await endpointFor({ kind: 'enterprise', id: code });
    const { event, message } = await committedEvent(code);
    const { ports: p } = ports();
    await Promise.all(Array.from({ length: 5 }, () => acceptEvent(message, p)));
    expect(toMe(event.id)).toHaveLength(1);
    const page = await webhookStore.listDeliveries({ kind: 'enterprise', id: code }, { limit: 10 });
    expect(page !== 'bad-cursor' && page.items.map((d) => d.id)).toEqual([deliveryIdOf(event.id)]);
  });

  it('loses nothing when the worker dies between the POST and the settle: sent again under the same webhook-id', async () => {
    const code = newCreditCode();
    await endpointFor({ kind: 'enterprise', id: code });
    const { event, message } = await committedEvent(code);
    const crashing = ports({
      store: {
        ...webhookStore,
        settleFirst: async () => {
          throw new Error('killed');
        },
      },
    }).ports;
    await expect(acceptEvent(message, crashing)).rejects.toThrow('killed');
    expect(await countConsumed(event.id)).toBe(false); // still in the pending index for the sweep
    // The redelivery after the lease ran out (the sweep's message carries only the id).
    const later = ports({ now: () => new Date(Date.now() + 31_000) }).ports;
    await acceptEvent({ eventId: event.id }, later);
    const sent = toMe(event.id);
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect((await webhookStore.getDelivery(deliveryIdOf(event.id)))?.status).toBe('DELIVERED');
    expect(await countConsumed(event.id)).toBe(true);
  });

  it('records a failed first attempt with its cause and retries in three requests (batch read, lease, settle)', async () => {
    const { owner, event, message } = await listeningEnterpriseWithEvent();
    receiver.answers.push({ status: 500 });
    const { ports: p, sent } = ports();
    const first = await countDynamoCalls(() => acceptEvent(message, p));
    expect(first.calls).toEqual(['GetItem', 'UpdateItem', 'UpdateItem']);
    const retrying = await webhookStore.getDelivery(deliveryIdOf(event.id));
    expect(retrying).toMatchObject({ status: 'RETRYING', attempts: [{ responseStatus: 500, error: 'http 500' }] });
    expect(sent).toEqual([{ message: { deliveryId: deliveryIdOf(event.id), owner }, delaySeconds: expect.any(Number) }]);

    const due = ports({ now: () => new Date(Date.parse(retrying!.nextAttemptAt!) + 10) }).ports;
    const retry = await countDynamoCalls(() => attemptDelivery(deliveryIdOf(event.id), due, owner));
    expect(retry.result).toBe('delivered');
    // The endpoint's failure count was never raised (the delivery did not end failed): no endpoint write.
    expect(retry.calls).toEqual(['BatchGetItem', 'UpdateItem', 'UpdateItem']);
    expect(toMe(event.id)).toHaveLength(2);
    // The retry sends what the first attempt sent: the event's type, timestamp and data, which the
    // event's item holds once (the delivery keeps no copy of them).
    const [firstBody, retryBody] = toMe(event.id).map((r) => JSON.parse(r.body) as unknown);
    expect(firstBody).toEqual({ type: event.type, timestamp: event.timestamp, data: event.data });
    expect(retryBody).toEqual(firstBody);
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.event(event.id), ConsistentRead: true }));
    expect(Item).toMatchObject({ status: 'DELIVERED', data: event.data });
    expect(Item).not.toHaveProperty('payload');
    // A delivery settled before 2026-12-08 kept its own copy, and that copy is what it says.
    const copy = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: { kept: true } });
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.event(event.id),
        UpdateExpression: 'SET payload = :p',
        ExpressionAttributeValues: { ':p': copy },
      }),
    );
    expect((await webhookStore.getDelivery(deliveryIdOf(event.id)))?.payload).toBe(copy);
  });

  it("reads an owner's endpoint once for a batch of its events, and again for the next batch", async () => {
    const code = newCreditCode();
    await endpointFor({ kind: 'enterprise', id: code });
    const batchOf = (messages: NotifyMessage[]) =>
      ({
        Records: messages.map((m, i) => ({ messageId: `m${i}`, receiptHandle: `r${i}`, body: JSON.stringify(m), attributes: {} })),
      }) as any;
    const first = await Promise.all([1, 2, 3].map(() => committedEvent(code)));

    const { result, calls } = await countDynamoCalls(() => notifyWorker(batchOf(first.map((c) => c.message)), lambdaContext));

    expect(result.batchItemFailures).toEqual([]);
    // One endpoint read for three events (it was three), a lease each while it is made, then a settle each.
    // The batch's reads share one BatchGetItem (here of one item).
    expect(calls.filter((c) => c === 'BatchGetItem')).toHaveLength(1);
    expect(calls.filter((c) => c === 'UpdateItem')).toHaveLength(6);
    expect(calls).toHaveLength(7);
    for (const { event } of first) expect(toMe(event.id)).toHaveLength(1);

    const next = await committedEvent(code);
    const again = await countDynamoCalls(() => notifyWorker(batchOf([next.message]), lambdaContext));
    // The read and the lease go out together (the batch's read waits a turn for its batch-mates, so
    // the lease is sent first), then the settle.
    expect(again.calls).toEqual(['UpdateItem', 'BatchGetItem', 'UpdateItem']);
    expect(toMe(next.event.id)).toHaveLength(1);
  });

  it("reads the endpoints of a batch's owners in one BatchGetItem", async () => {
    const codes = [newCreditCode(), newCreditCode(), newCreditCode()];
    for (const code of codes.slice(0, 2)) await endpointFor({ kind: 'enterprise', id: code });
    // Two events of each owner; the third owner has no endpoint (its events are consumed unsent).
    const events = await Promise.all(codes.flatMap((code) => [committedEvent(code), committedEvent(code)]));
    const batch = {
      Records: events.map(({ message }, i) => ({
        messageId: `m${i}`,
        receiptHandle: `r${i}`,
        body: JSON.stringify(message),
        attributes: {},
      })),
    } as any;

    const { result, calls } = await countDynamoCalls(() => notifyWorker(batch, lambdaContext));

    expect(result.batchItemFailures).toEqual([]);
    // One read for three owners (three GetItems before), a lease and a settle for each of the four
    // deliveries, a lease and a claim for each of the two events nobody listens for.
    expect(calls.filter((c) => c === 'BatchGetItem')).toHaveLength(1);
    expect(calls.filter((c) => c === 'GetItem')).toHaveLength(0);
    expect(calls.filter((c) => c === 'UpdateItem')).toHaveLength(12);
    for (const { event } of events.slice(0, 4)) expect(toMe(event.id)).toHaveLength(1);
    for (const { event } of events.slice(4)) expect(await countConsumed(event.id)).toBe(true);
  });

  it('routes an event to a bureau owner through the same machinery', async () => {
    const enterpriseId = newCreditCode();
    const bureau: WebhookOwner = { kind: 'bureau', id: `T${Math.random().toString(36).slice(2, 6)}` };
    await endpointFor(bureau, '/bureau');
    const { event, message } = await committedEvent(enterpriseId, bureau);
    const { ports: p } = ports();
    const { calls } = await countDynamoCalls(() => acceptEvent(message, p));
    expect(calls).toEqual(['GetItem', 'UpdateItem', 'UpdateItem']);
    expect(toMe(event.id).map((r) => r.path)).toEqual(['/bureau']);
    const page = await webhookStore.listDeliveries(bureau, { limit: 10 });
    expect(page !== 'bad-cursor' && page.items.map((d) => d.id)).toEqual([deliveryIdOf(event.id)]);
    const enterprisePage = await webhookStore.listDeliveries({ kind: 'enterprise', id: enterpriseId }, { limit: 10 });
    expect(enterprisePage !== 'bad-cursor' && enterprisePage.items).toEqual([]);
  });
});

describe("a delivery on its event's item", () => {
  it('commits a first attempt that disables the endpoint (410) in one transaction with the endpoint', async () => {
    const { owner, event, message } = await listeningEnterpriseWithEvent();
    receiver.answers.push({ status: 410 });
    const { ports: p } = ports();
    const { calls } = await countDynamoCalls(() => acceptEvent(message, p));
    expect(calls).toEqual(['GetItem', 'UpdateItem', 'TransactWriteItems']);
    expect(await webhookStore.getDelivery(deliveryIdOf(event.id))).toMatchObject({ status: 'FAILED', attempts: [{ responseStatus: 410 }] });
    expect(await webhookStore.getEndpoint(owner)).toMatchObject({ disabled: true });
    expect(await countConsumed(event.id)).toBe(true);
  });

  it('still records the delivery when the endpoint is deleted during the attempt', async () => {
    const { owner, event, message } = await listeningEnterpriseWithEvent();
    receiver.answers.push({ status: 410 });
    const real = httpSender({ local: true, timeoutMs: 2_000 });
    const { ports: p } = ports({
      send: async (request) => {
        await webhookStore.deleteEndpoint(owner);
        return real(request);
      },
    });
    await acceptEvent(message, p);
    expect(await webhookStore.getEndpoint(owner)).toBeUndefined();
    expect(await webhookStore.getDelivery(deliveryIdOf(event.id))).toMatchObject({ status: 'FAILED' });
    expect(await countConsumed(event.id)).toBe(true);
  });

  it('has no delivery for an event nobody listened for, and none for an id no delivery can have', async () => {
    const { event, message } = await committedEvent(newCreditCode()); // no endpoint
    await acceptEvent(message, ports().ports);
    expect(await countConsumed(event.id)).toBe(true);
    expect(await webhookStore.getDelivery(deliveryIdOf(event.id))).toBeUndefined();
    expect(await webhookStore.getDelivery('not-a-delivery')).toBeUndefined();
    expect(await webhookStore.getDeliveryAndEndpoint('msg_', { kind: 'enterprise', id: 'X' })).toEqual({});
  });

  it('reads, lists and retries a delivery settled on an item of its own before deliveries moved onto their events', async () => {
    // As the previous release wrote it: the event consumed, the delivery its own item, retrying and due.
    const { code, owner, ...old } = await listeningEnterpriseWithEvent();
    const id = deliveryIdOf(old.event.id);
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.event(old.event.id),
        UpdateExpression: 'SET consumedAt = :at REMOVE gsi2pk, gsi2sk',
        ExpressionAttributeValues: { ':at': createdAt },
      }),
    );
    await dynamo.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.legacyDelivery(id),
          itemType: 'delivery',
          id,
          eventId: old.event.id,
          eventType: old.event.type,
          owner,
          url: receiver.url('/hooks'),
          payload: JSON.stringify({ type: old.event.type, timestamp: old.event.timestamp, data: old.event.data }),
          status: 'RETRYING',
          attempts: [{ at: createdAt, responseStatus: 500, error: 'http 500', durationMs: 3 }],
          createdAt,
          nextAttemptAt: createdAt,
          ...keys.ownerListing(keys.deliveriesOf(owner), createdAt, id),
          gsi2pk: keys.deliveryDue(id),
          gsi2sk: createdAt,
        },
      }),
    );
    const recent = await committedEvent(code);
    await acceptEvent(recent.message, ports().ports);

    expect(await webhookStore.getDelivery(id)).toMatchObject({ id, eventId: old.event.id, status: 'RETRYING' });
    const page = await webhookStore.listDeliveries(owner, { limit: 10 });
    expect(page !== 'bad-cursor' && page.items.map((d) => [d.id, d.status])).toEqual([
      [deliveryIdOf(recent.event.id), 'DELIVERED'],
      [id, 'RETRYING'],
    ]);
    const retried = await countDynamoCalls(() => attemptDelivery(id, ports().ports, owner));
    expect(retried.result).toBe('delivered');
    // The delivery item and the endpoint in one read, then the event's item (no delivery there), then the delivery's own item.
    expect(retried.calls).toEqual(['BatchGetItem', 'GetItem', 'UpdateItem', 'UpdateItem']);
    expect(await webhookStore.getDelivery(id)).toMatchObject({ status: 'DELIVERED', attempts: [{}, { responseStatus: 200 }] });
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.event(old.event.id), ConsistentRead: true }));
    expect(Item?.status).toBeUndefined(); // written where it lives, not on the event
    expect(toMe(old.event.id)).toHaveLength(1);
  });
});

describe("a release's certificate JWS", () => {
  /** A released declaration's header (its release holds the JWS) and the event reporting it, committed together. */
  async function releasedWithEvent() {
    const code = newCreditCode();
    const owner = { kind: 'enterprise' as const, id: code };
    const now = new Date().toISOString();
    await webhookStore.saveEndpoint(
      {
        owner,
        url: receiver.url('/hooks'),
        events: ['declaration.released'],
        secret: newWebhookSecret(),
        createdAt: now,
        updatedAt: now,
        disabled: false,
        consecutiveFailures: 0,
      },
      undefined,
    );
    const declarationId = `dcl_${timeOrderedId()}`;
    const jws = `${'h'.repeat(40)}.${'p'.repeat(1400)}.${'s'.repeat(86)}`;
    const release = {
      bureau: 'SD',
      certificateNo: `CWSD${declarationId.slice(-12)}`,
      releasedAt: now,
      mode: 'DOCUMENT_RELEASE',
      digest: 'd',
      signature: 's',
      jws,
    };
    const event: OutboxEvent = {
      id: `evt_${timeOrderedId()}`,
      type: 'declaration.released',
      enterpriseId: code,
      timestamp: now,
      data: { declarationId, clientRef: 'r1', status: 'RELEASED', release },
    };
    const committed = await transactWrite([
      { Put: { TableName: tableName(), Item: { ...keys.declaration(declarationId), itemType: 'declaration', release } } },
      outboxPut(event),
    ]);
    expect(committed.committed).toBe(true);
    const { queue, sent } = recordingQueue();
    await queueEvents(queue, [event]);
    return { owner, event, jws, message: sent[0]!.message as EventMessage };
  }
  const batchOf = (messages: NotifyMessage[]) =>
    ({ Records: messages.map((m, i) => ({ messageId: `m${i}`, receiptHandle: `r${i}`, body: JSON.stringify(m), attributes: {} })) }) as any;
  const sentData = (eventId: string) => toMe(eventId).map((r) => (JSON.parse(r.body) as { data: { release: { jws?: string } } }).data);

  it('is not stored again on the event: the webhook carries it, read from the release beside the endpoint in one BatchGetItem', async () => {
    const { event, jws, message } = await releasedWithEvent();
    expect(message).toMatchObject({ eventId: event.id, declarationId: event.data.declarationId });
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.event(event.id), ConsistentRead: true }));
    expect(Item).toMatchObject({ certificateJwsOf: event.data.declarationId, data: { release: { certificateNo: expect.any(String) } } });
    expect((Item!.data as { release: object }).release).not.toHaveProperty('jws');

    const { result, calls } = await countDynamoCalls(() => notifyWorker(batchOf([message]), lambdaContext));
    expect(result.batchItemFailures).toEqual([]);
    // No request more than for any other event: the lease, the endpoint and the JWS read together, the settle.
    expect(calls).toEqual(['UpdateItem', 'BatchGetItem', 'UpdateItem']);
    expect(sentData(event.id)).toEqual([{ ...event.data, release: { ...(event.data.release as object), jws } }]);
    expect((await getEvent(event.id))?.data).toEqual(event.data);
    const listed = await webhookStore.listDeliveries(message.owner!, { limit: 10 });
    expect(listed !== 'bad-cursor' && JSON.parse(listed.items[0]!.payload).data.release.jws).toBe(jws);
  });

  it('is read after the lease for a message that does not name the declaration (the sweep), and a retry sends the same message', async () => {
    const { owner, event, jws } = await releasedWithEvent();
    receiver.answers.push({ status: 500 });
    const { ports: p } = ports();
    await acceptEvent({ eventId: event.id }, p);
    const retrying = await webhookStore.getDelivery(deliveryIdOf(event.id));
    expect(retrying).toMatchObject({ status: 'RETRYING' });
    const due = ports({ now: () => new Date(Date.parse(retrying!.nextAttemptAt!) + 10) }).ports;
    expect(await attemptDelivery(deliveryIdOf(event.id), due, owner)).toBe('delivered');
    const [first, retry] = toMe(event.id).map((r) => r.body);
    expect(JSON.parse(first!).data.release.jws).toBe(jws);
    expect(retry).toBe(first);
  });

  it('gives the lease back when the JWS cannot be read, so the retry delivers at once', async () => {
    const { event, message } = await releasedWithEvent();
    const { ports: failing } = ports({ certificateJws: async () => Promise.reject(new Error('throttled')) });
    await expect(acceptEvent(message, failing)).rejects.toThrow('throttled');
    expect(toMe(event.id)).toHaveLength(0);
    await acceptEvent(message, ports().ports);
    expect(toMe(event.id)).toHaveLength(1);
  });

  it('is sent as stored for an event that holds it inline (stored before 2026-12-08)', async () => {
    const { event, jws, message } = await releasedWithEvent();
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.event(event.id),
        UpdateExpression: 'SET #data.#release.jws = :jws REMOVE certificateJwsOf',
        ExpressionAttributeNames: { '#data': 'data', '#release': 'release' },
        ExpressionAttributeValues: { ':jws': jws },
      }),
    );
    const { calls } = await countDynamoCalls(() =>
      acceptEvent({ eventId: message.eventId, eventType: message.eventType, owner: message.owner }, ports().ports),
    );
    expect(calls).toEqual(['GetItem', 'UpdateItem', 'UpdateItem']);
    expect(sentData(event.id)[0]!.release.jws).toBe(jws);
  });
});

/** Whether the event left the pending index (consumed), read straight from the table. */
async function countConsumed(eventId: string): Promise<boolean> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.event(eventId), ConsistentRead: true }));
  return !!Item?.consumedAt && Item.gsi2pk === undefined;
}
