/**
 * Webhook delivery: one delivery per event and enterprise, attempts with the retry schedule, a
 * stable `webhook-id` across attempts, and the endpoint disabled when deliveries keep failing.
 * At least once: an attempt is leased before it is sent, so a duplicated message does not send it
 * twice, and receivers can drop repeats by `webhook-id`.
 */
import { lookup } from 'node:dns/promises';
import { getEvent, claimEvent } from '../adapters/outbox.js';
import type { WorkQueue } from '../adapters/queue.js';
import { isLocalMode } from '../adapters/secrets.js';
import { webhookStore } from '../adapters/webhook-store.js';
import type { NotifyMessage, OutboxEvent } from '../domain/events.js';
import {
  DELIVERY_TIMEOUT_MS,
  isPrivateAddress,
  isSuccess,
  nextAttemptDelayS,
  signature,
  type Delivery,
  type DeliveryAttempt,
  type WebhookEndpoint,
} from '../domain/webhook.js';

/** SQS can delay a message by at most 15 minutes; later retries wait in the due index for the sweep. */
const MAX_QUEUE_DELAY_S = 900;

export const deliveryIdOf = (eventId: string) => `msg_${eventId.replace(/^evt_/, '')}`;
export const payloadOf = (event: OutboxEvent) => JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });

/** A committed event: create its delivery (if the enterprise listens for it), then consume it. */
export async function acceptEvent(eventId: string, queue: WorkQueue<NotifyMessage>, now = new Date()): Promise<void> {
  const event = await getEvent(eventId);
  if (!event) return;
  const endpoint = await webhookStore.getEndpoint(event.enterpriseId);
  let deliveryId: string | undefined;
  if (endpoint && !endpoint.disabled && endpoint.events.includes(event.type)) {
    deliveryId = deliveryIdOf(event.id);
    await webhookStore.createDelivery({
      id: deliveryId,
      eventId: event.id,
      eventType: event.type,
      enterpriseId: event.enterpriseId,
      url: endpoint.url,
      payload: payloadOf(event),
      status: 'PENDING',
      attempts: [],
      createdAt: now.toISOString(),
      nextAttemptAt: now.toISOString(),
    });
  }
  // Consumed only once its delivery exists: a crash before this line redrives the event.
  await claimEvent(event.id, now.toISOString());
  if (deliveryId) await attemptDelivery(deliveryId, queue, now);
}

async function send(endpoint: WebhookEndpoint, delivery: Delivery): Promise<Omit<DeliveryAttempt, 'at'>> {
  const started = Date.now();
  try {
    const url = new URL(endpoint.url);
    if (!isLocalMode()) {
      // Resolve now, not only when the URL was saved: a name may point somewhere else today.
      const addresses = await lookup(url.hostname, { all: true });
      if (addresses.some((a) => isPrivateAddress(a.address)))
        return { error: 'the host resolves to a private address', durationMs: Date.now() - started };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Clearway-Webhooks/1',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature(endpoint.secret, delivery.id, timestamp, delivery.payload),
      },
      body: delivery.payload,
    });
    // Only the status matters: never read what the receiver sends back (it could be endless).
    await response.body?.cancel().catch(() => undefined);
    return { responseStatus: response.status, durationMs: Date.now() - started };
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
        : String((error as Error).message ?? error);
    return { error: reason.slice(0, 300), durationMs: Date.now() - started };
  }
}

/** One attempt if the delivery is due; schedules the next one or ends it. */
export async function attemptDelivery(deliveryId: string, queue: WorkQueue<NotifyMessage>, now = new Date()): Promise<void> {
  const delivery = await webhookStore.getDelivery(deliveryId);
  if (!delivery || delivery.status === 'DELIVERED' || delivery.status === 'FAILED') return;
  const dueInS = delivery.nextAttemptAt ? (Date.parse(delivery.nextAttemptAt) - now.getTime()) / 1000 : 0;
  if (dueInS > 1) {
    if (dueInS <= MAX_QUEUE_DELAY_S) await queue.send({ deliveryId }, { delaySeconds: Math.ceil(dueInS) });
    return;
  }
  const endpoint = await webhookStore.getEndpoint(delivery.enterpriseId);
  if (!(await webhookStore.lease(delivery, now))) return;
  const at = new Date().toISOString();
  if (!endpoint || endpoint.disabled) {
    await webhookStore.recordAttempt(
      delivery,
      { at, error: endpoint ? 'the endpoint is disabled' : 'the endpoint was deleted', durationMs: 0 },
      'FAILED',
    );
    return;
  }
  const result = await send(endpoint, delivery);
  const attempt: DeliveryAttempt = { at, ...result };
  if (isSuccess(result.responseStatus)) {
    await webhookStore.recordAttempt(delivery, attempt, 'DELIVERED');
    await webhookStore.recordOutcome(delivery.enterpriseId, true, at);
    return;
  }
  const delayS = nextAttemptDelayS(delivery.attempts.length + 1);
  if (delayS === undefined) {
    await webhookStore.recordAttempt(delivery, attempt, 'FAILED');
    await webhookStore.recordOutcome(delivery.enterpriseId, false, at);
    return;
  }
  await webhookStore.recordAttempt(delivery, attempt, 'RETRYING', new Date(Date.now() + delayS * 1000).toISOString());
  if (delayS <= MAX_QUEUE_DELAY_S) await queue.send({ deliveryId }, { delaySeconds: delayS });
}
