/**
 * Webhook delivery (contract sections 9, 12, 18): one delivery per event and owner, attempts with
 * the retry schedule, a stable `webhook-id` across attempts, the endpoint disabled when deliveries
 * keep failing (or at once on a 410), and what failed sent again, oldest first, on a re-enable.
 *
 * The hot path of a new event is three DynamoDB requests and no transaction (docs/webhooks.md),
 * and two round trips before the POST:
 *   1. GetItem the owner's endpoint (the message names the owner and event type), consistent; one
 *      read per owner and batch; and at the same moment
 *   2. UpdateItem the event: lease it to this consumer and read it back (ALL_NEW), conditional on
 *      it being unconsumed and unleased, so a duplicate message sends nothing;
 *   3. after the POST, UpdateItem the event again: the delivery with its first attempt is recorded
 *      on the event's item and the event consumed, conditional on the lease (one delivery per
 *      event). Only when the outcome moves the endpoint's failure count (a first failure, or the
 *      first success after failures) is it a transaction with the endpoint.
 * 1 and 2 do not depend on each other, and each is a round trip to a store under load (30 ms at
 * the median locally at 50/s, 150 ms at p95: docs/pipeline.md): made together, the webhook leaves
 * one round trip sooner. The price is paid by an event nobody listens for: the read, the lease made
 * meanwhile, and the claim that consumes it (two conditional writes, where reading first made it
 * one). A crash anywhere before 3 leaves the event unconsumed; the sweep offers it again and it is
 * sent under the same webhook-id.
 */
import {
  certificateJwsWith,
  claimEvent,
  leaseEvent,
  readCertificateJws,
  releaseEventLease,
  type CertificateJwsReader,
} from '../adapters/outbox.js';
import { notifyQueue } from '../adapters/queues.js';
import { queueCommittedWork, type WorkQueue } from '../adapters/sqs-queue.js';
import { isLocalMode } from '../adapters/secrets.js';
import { endpointWith, webhookStore as defaultStore, type WebhookStore } from '../adapters/webhook-store.js';
import { itemsReadTogether } from '../adapters/aws.js';
import { httpSender, type WebhookSender } from '../adapters/webhook-sender.js';
import { invalid, notFound } from '../domain/errors.js';
import {
  ownerKey,
  ownerOf,
  sameOwner,
  type EventMessage,
  type EventType,
  type NotifyMessage,
  type OutboxEvent,
  type ReplayMessage,
  type WebhookOwner,
} from '../domain/events.js';
import {
  deliveryIdOf,
  endpointFor,
  payloadOf,
  reenabled,
  retrySchedule,
  rotateSecret,
  secretOverlapS,
  settleAttempt,
  signatureHeader,
  urlProblem,
  type Delivery,
  type DeliveryStatus,
  type WebhookEndpoint,
} from '../domain/webhook.js';
import { LOST_RACE, retryOnConflict } from './conflict-retry.js';
import { coalescedPerBatch, sharedPerBatch } from './batch-scope.js';

/** SQS can delay a message by at most 15 minutes; later retries wait in the due index for the sweep. */
const MAX_QUEUE_DELAY_S = 900;

export { deliveryIdOf, payloadOf } from '../domain/webhook.js';

/** The ports delivery works through; production adapters by default. */
export type DeliveryPorts = {
  store: WebhookStore;
  queue: WorkQueue<NotifyMessage>;
  send: WebhookSender;
  leaseEvent: typeof leaseEvent;
  /** The certificate JWS of a declaration's release, which a release's event reports (shared/adapters/outbox.ts). */
  certificateJws: CertificateJwsReader;
  releaseEventLease: typeof releaseEventLease;
  claimEvent: typeof claimEvent;
  now: () => Date;
};

let defaultSender: WebhookSender | undefined;
export function deliveryPorts(queue: WorkQueue<NotifyMessage>, overrides: Partial<DeliveryPorts> = {}): DeliveryPorts {
  defaultSender ??= httpSender({ local: isLocalMode() });
  return {
    store: defaultStore,
    queue,
    send: defaultSender,
    leaseEvent,
    certificateJws: readCertificateJws,
    releaseEventLease,
    claimEvent,
    now: () => new Date(),
    ...overrides,
  };
}

/**
 * Ports for one batch of notify messages (one worker invocation): each owner's endpoint is read
 * once per batch, not once per event, so a big filer's ten events in a batch cost one endpoint read,
 * and the owners the records ask for at the same moment are read in one BatchGetItem.
 * Powertools runs a batch's records concurrently, so they read the endpoint at nearly the same
 * moment anyway: nothing a delivery sees changes. An endpoint change (a new URL, a disable, a
 * rotation) that commits while a batch runs applies from the next batch, as it would to a delivery
 * that had started a moment earlier; the conditional settle writes are untouched.
 */
export function batchScopedDeliveryPorts(ports: DeliveryPorts): DeliveryPorts {
  // One BatchGetItem for what the batch's records ask for at once (coalescedPerBatch): their
  // owners' endpoints and the declarations whose releases hold the JWS their events report.
  const read = itemsReadTogether(coalescedPerBatch);
  const getEndpoint = sharedPerBatch((owner: WebhookOwner) => endpointWith(read, owner), ownerKey);
  const certificateJws = sharedPerBatch(certificateJwsWith(read), (id: string) => id);
  return { ...ports, certificateJws, store: { ...ports.store, getEndpoint } };
}

const listens = (endpoint: WebhookEndpoint | undefined, type: OutboxEvent['type']) => !!endpoint && endpoint.events.includes(type);

function post(ports: DeliveryPorts, endpoint: WebhookEndpoint, delivery: Pick<Delivery, 'id' | 'payload'>) {
  const now = ports.now();
  const timestamp = Math.floor(now.getTime() / 1000);
  return ports.send({
    url: endpoint.url,
    body: delivery.payload,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Clearway-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(endpoint, delivery.id, timestamp, delivery.payload, now),
    },
  });
}

async function scheduleRetry(ports: DeliveryPorts, delivery: Pick<Delivery, 'id' | 'owner'>, nextAttemptAt: string | undefined) {
  if (!nextAttemptAt) return;
  const delayS = Math.max(0, Math.ceil((Date.parse(nextAttemptAt) - ports.now().getTime()) / 1000));
  // Beyond the queue's reach the due index holds it; a lost send is found there too.
  if (delayS <= MAX_QUEUE_DELAY_S) await ports.queue.send({ deliveryId: delivery.id, owner: delivery.owner }, { delaySeconds: delayS });
}

/**
 * The owner's endpoint and the lease of the event, read and taken at the same moment. When the
 * read fails after the lease was taken, the lease is given back before the error goes on, so the
 * message's retry finds the event free instead of leased to nobody for `EVENT_LEASE_MS`.
 */
async function endpointAndLease(message: EventMessage, owner: WebhookOwner, ports: DeliveryPorts) {
  const [endpoint, lease] = await Promise.allSettled([
    ports.store.getEndpoint(owner),
    ports.leaseEvent(message.eventId, ports.now(), certificateJwsMeanwhile(message, ports)),
  ]);
  if (endpoint.status === 'rejected') {
    if (lease.status === 'fulfilled' && lease.value) await ports.releaseEventLease(message.eventId, lease.value.leaseToken);
    throw endpoint.reason;
  }
  if (lease.status === 'rejected') throw lease.reason;
  return { endpoint: endpoint.value, leased: lease.value };
}

/**
 * The certificate JWS reader for a message's lease: the declaration the message names is read at
 * once, beside the endpoint and the lease (in a batch, in the same BatchGetItem as the endpoint),
 * so a release's webhook waits for no extra round trip; any other is read when the lease asks.
 */
function certificateJwsMeanwhile(message: EventMessage, ports: DeliveryPorts): CertificateJwsReader {
  const named = message.declarationId;
  if (!named) return ports.certificateJws;
  const early = ports.certificateJws(named);
  early.catch(() => undefined); // an event that reports no JWS never asks: its failure is nobody's
  return (declarationId) => (declarationId === named ? early : ports.certificateJws(declarationId));
}

/** A committed event: deliver it to its owner's endpoint (if it listens), then consume it. */
export async function acceptEvent(message: EventMessage, ports: DeliveryPorts): Promise<void> {
  // The message usually names owner and type: the endpoint is read while the event is leased.
  let endpoint: WebhookEndpoint | undefined;
  let leased: Awaited<ReturnType<DeliveryPorts['leaseEvent']>>;
  if (message.owner && message.eventType) {
    ({ endpoint, leased } = await endpointAndLease(message, message.owner, ports));
    if (!listens(endpoint, message.eventType)) {
      // Nobody listens: consumed unsent. Not leased here means consumed already or held by another
      // consumer, which reads the same endpoint and does the same.
      if (leased) await ports.claimEvent(message.eventId, ports.now().toISOString());
      return;
    }
  } else {
    leased = await ports.leaseEvent(message.eventId, ports.now(), ports.certificateJws);
  }
  if (!leased) return; // consumed already, gone, or another consumer holds it
  const { event, leaseToken } = leased;
  const owner: WebhookOwner = ownerOf(event);
  if (!(message.owner && message.eventType)) endpoint = await ports.store.getEndpoint(owner);
  if (!endpoint || !listens(endpoint, event.type)) {
    await ports.claimEvent(event.id, ports.now().toISOString());
    return;
  }
  const createdAt = ports.now().toISOString();
  const base: Delivery = {
    id: deliveryIdOf(event.id),
    eventId: event.id,
    eventType: event.type,
    owner,
    url: endpoint.url,
    payload: payloadOf(event),
    status: 'PENDING',
    attempts: [],
    createdAt,
  };
  if (endpoint.disabled) {
    // Kept, not attempted: a re-enable sends it (section 18).
    await ports.store.settleFirst(
      { ...base, status: 'FAILED', failedAt: createdAt, heldWhileDisabled: true },
      { eventId: event.id, leaseToken },
    );
    return;
  }
  const result = await post(ports, endpoint, base);
  const s = settleAttempt(base, endpoint, result, ports.now());
  const delivery: Delivery = {
    ...base,
    status: s.status,
    attempts: [s.attempt],
    ...(s.nextAttemptAt ? { nextAttemptAt: s.nextAttemptAt } : {}),
    ...(s.failedAt ? { failedAt: s.failedAt } : {}),
  };
  if ((await ports.store.settleFirst(delivery, { eventId: event.id, leaseToken }, s.endpoint)) === 'settled') {
    await scheduleRetry(ports, delivery, s.nextAttemptAt);
  }
}

/**
 * One attempt of an existing delivery if it is due (a retry, a manual retry, a replay); schedules
 * the next one or ends it. Answers whether it was delivered.
 */
export async function attemptDelivery(
  deliveryId: string,
  ports: DeliveryPorts,
  owner?: WebhookOwner,
): Promise<'delivered' | 'failed' | 'skipped'> {
  const { delivery, endpoint } = await ports.store.getDeliveryAndEndpoint(deliveryId, owner);
  if (!delivery || delivery.status === 'DELIVERED' || delivery.status === 'FAILED') return 'skipped';
  const now = ports.now();
  const dueInS = delivery.nextAttemptAt ? (Date.parse(delivery.nextAttemptAt) - now.getTime()) / 1000 : 0;
  if (dueInS > 1) {
    await scheduleRetry(ports, delivery, delivery.nextAttemptAt);
    return 'skipped';
  }
  const leaseToken = await ports.store.lease(delivery, now);
  if (!leaseToken) return 'skipped';
  if (!endpoint || endpoint.disabled) {
    await ports.store.hold(delivery, leaseToken, now.toISOString());
    return 'failed';
  }
  const result = await post(ports, endpoint, delivery);
  const s = settleAttempt(delivery, endpoint, result, ports.now());
  if ((await ports.store.settleRetry(delivery, leaseToken, s)) === 'settled') await scheduleRetry(ports, delivery, s.nextAttemptAt);
  return s.status === 'DELIVERED' ? 'delivered' : 'failed';
}

/** Deliveries one replay message sends before it hands on to the next (bounds a worker's run). */
export const REPLAY_PER_MESSAGE = 20;

/**
 * Sends again, oldest first and one at a time, under their original ids, the deliveries that
 * failed from `from` on (section 18: what failed while the endpoint was disabled, and the run of
 * failures that disabled it). Stops at the first one that fails again, so nothing newer overtakes
 * it; that one carries on with the schedule and the rest wait for the next re-enable.
 */
export async function replayFailed(message: ReplayMessage, ports: DeliveryPorts): Promise<'done' | 'stopped' | 'continues'> {
  const { replay: owner, from } = message;
  const endpoint = await ports.store.getEndpoint(owner);
  if (!endpoint || endpoint.disabled || !from) return 'stopped';
  // A delivery that ended failed at `from` was created at most the whole schedule earlier.
  const scheduleS = retrySchedule().reduce((a, b) => a + b, 0);
  const createdFrom = new Date(Date.parse(from) - (scheduleS + 3600) * 1000).toISOString();
  let cursor = message.cursor;
  let sent = 0;
  for (;;) {
    const page = await ports.store.listDeliveries(owner, { status: 'FAILED', limit: 25, oldestFirst: true, from: createdFrom, cursor });
    if (page === 'bad-cursor') return 'stopped';
    for (const delivery of page.items) {
      if (!delivery.failedAt || delivery.failedAt < from) continue;
      if (!(await ports.store.makeDueNow(delivery, ports.now().toISOString()))) continue;
      const outcome = await attemptDelivery(delivery.id, ports, owner);
      if (outcome === 'failed') return 'stopped';
      sent++;
    }
    if (!page.nextCursor) {
      await ports.store.replayDone(owner, from);
      return 'done';
    }
    cursor = page.nextCursor;
    if (sent >= REPLAY_PER_MESSAGE) {
      await ports.queue.send({ replay: owner, from, cursor });
      return 'continues';
    }
  }
}

/** Dispatches one notify message. */
export async function handleNotifyMessage(message: NotifyMessage, ports: DeliveryPorts): Promise<void> {
  if ('eventId' in message) await acceptEvent(message, ports);
  else if ('deliveryId' in message) await attemptDelivery(message.deliveryId, ports, message.owner);
  else await replayFailed(message, ports);
}

// ---------------------------------------------------------------------------------------------
// Endpoint management (PUT/GET/DELETE, rotate-secret, enable, the delivery log and a manual retry),
// the same for an enterprise's endpoint and a bureau system's. Who may manage which owner's
// endpoint is the handler's question; what happens to the endpoint is decided here and in the
// domain (`endpointFor`, `rotateSecret`, `reenabled`), committed conditionally on what was read.
// ---------------------------------------------------------------------------------------------

/** The ports endpoint management works through; production adapters by default. */
export type EndpointPorts = {
  store: Pick<WebhookStore, 'getEndpoint' | 'saveEndpoint' | 'deleteEndpoint' | 'getDelivery' | 'makeDueNow' | 'listDeliveries'>;
  queue: WorkQueue<NotifyMessage>;
  now: () => Date;
  /** Local mode: endpoints are loopback only (see `urlProblem`). */
  local: boolean;
  /** How long the previous secret keeps signing after a rotation (section 18). */
  secretOverlapS: number;
};

export function endpointPorts(overrides: Partial<EndpointPorts> = {}): EndpointPorts {
  return {
    store: defaultStore,
    queue: notifyQueue,
    now: () => new Date(),
    local: isLocalMode(),
    secretOverlapS: secretOverlapS(),
    ...overrides,
  };
}

/** Queues the replay a re-enable started (never throws: enabling again resumes it). */
async function startReplay(ports: EndpointPorts, owner: WebhookOwner, from: string | undefined) {
  if (from) await queueCommittedWork(ports.queue, [{ replay: owner, from }], 'webhook replay');
}

/** Read, let the domain decide, write conditionally on what was read; a concurrent change is decided again. */
function changeEndpoint<T>(
  ports: EndpointPorts,
  owner: WebhookOwner,
  decide: (existing: WebhookEndpoint | undefined, now: Date) => { endpoint: WebhookEndpoint; answer: T },
): Promise<T> {
  return retryOnConflict('the webhook endpoint', async () => {
    const existing = await ports.store.getEndpoint(owner);
    const { endpoint, answer } = decide(existing, ports.now());
    return (await ports.store.saveEndpoint(endpoint, existing?.updatedAt)) ? answer : LOST_RACE;
  });
}

function existingOrNotFound(existing: WebhookEndpoint | undefined): WebhookEndpoint {
  if (!existing) throw notFound('a webhook endpoint');
  return existing;
}

/** PUT: a new endpoint with a new secret, or the existing one with the new URL and events (re-enabled). */
export async function putEndpoint(
  owner: WebhookOwner,
  request: { url: string; events?: EventType[] },
  ports: EndpointPorts = endpointPorts(),
): Promise<WebhookEndpoint> {
  const problem = urlProblem(request.url, ports.local);
  if (problem) throw invalid('the webhook URL is not allowed', [{ path: 'url', message: problem }]);
  const { endpoint, replayFrom } = await changeEndpoint(ports, owner, (existing, now) => {
    const decided = endpointFor(existing, request, owner, now.toISOString());
    return { endpoint: decided.endpoint, answer: decided };
  });
  await startReplay(ports, owner, replayFrom);
  return endpoint;
}

/** Rotation: a new secret; the previous one keeps signing for the configured overlap. */
export function rotateEndpointSecret(owner: WebhookOwner, ports: EndpointPorts = endpointPorts()): Promise<WebhookEndpoint> {
  return changeEndpoint(ports, owner, (existing, now) => {
    const endpoint = rotateSecret(existingOrNotFound(existing), now, ports.secretOverlapS);
    return { endpoint, answer: endpoint };
  });
}

/** Re-enable, and replay what failed from the start of the failures that disabled it. */
export async function enableEndpoint(owner: WebhookOwner, ports: EndpointPorts = endpointPorts()): Promise<WebhookEndpoint> {
  const { endpoint, replayFrom } = await changeEndpoint(ports, owner, (existing, now) => {
    const decided = reenabled(existingOrNotFound(existing), now.toISOString());
    return { endpoint: decided.endpoint, answer: decided };
  });
  await startReplay(ports, owner, replayFrom);
  return endpoint;
}

export async function getEndpoint(owner: WebhookOwner, ports: EndpointPorts = endpointPorts()): Promise<WebhookEndpoint> {
  return existingOrNotFound(await ports.store.getEndpoint(owner));
}

export async function deleteEndpoint(owner: WebhookOwner, ports: EndpointPorts = endpointPorts()): Promise<void> {
  if (!(await ports.store.deleteEndpoint(owner))) throw notFound('a webhook endpoint');
}

export async function listOwnDeliveries(
  owner: WebhookOwner,
  query: { status?: DeliveryStatus; eventType?: EventType; limit: number; cursor?: string },
  ports: EndpointPorts = endpointPorts(),
): Promise<{ items: Delivery[]; nextCursor: string | null }> {
  const page = await ports.store.listDeliveries(owner, query);
  if (page === 'bad-cursor')
    throw invalid('the cursor is not valid', [{ path: 'cursor', message: 'is not a cursor this API issued to you' }]);
  return page;
}

/**
 * A manual retry: due now with a fresh run of the schedule, queued for the notify worker. The
 * change is conditional on the attempts read; one lost to an attempt made meanwhile is decided
 * again on the new state, so the answer is the delivery as it now is, never a RETRYING it is not.
 */
export async function retryOwnDelivery(owner: WebhookOwner, id: string, ports: EndpointPorts = endpointPorts()): Promise<Delivery> {
  const delivery = await retryOnConflict(`delivery ${id}`, async () => {
    const current = await ports.store.getDelivery(id);
    // Another owner's delivery is not found, not forbidden: its existence is not this owner's to learn.
    if (!current || !sameOwner(current.owner, owner)) throw notFound(`delivery ${id}`);
    return (await ports.store.makeDueNow(current, ports.now().toISOString())) ? current : LOST_RACE;
  });
  await ports.queue.send({ deliveryId: delivery.id, owner });
  return { ...delivery, status: 'RETRYING' };
}
