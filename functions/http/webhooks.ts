/** Webhook endpoints and their deliveries (contract sections 9, 12, 18), for enterprises and bureaus. */
import { routes } from '../../shared/api/routes.js';
import { notifyQueue } from '../../shared/adapters/queues.js';
import { isLocalMode } from '../../shared/adapters/secrets.js';
import { webhookStore } from '../../shared/adapters/webhook-store.js';
import { sameOwner, type EventType, type WebhookOwner } from '../../shared/domain/events.js';
import { conflict, forbidden, invalid, notFound } from '../../shared/domain/errors.js';
import { requireEnterprise, requireOfficerRole, type Principal } from '../../shared/domain/principal.js';
import {
  endpointFor,
  reenabled,
  rotateSecret,
  secretOverlapS,
  urlProblem,
  type Delivery,
  type WebhookEndpoint,
} from '../../shared/domain/webhook.js';
import { queueCommittedWork } from '../../shared/adapters/sqs-queue.js';
import { httpFunction, implement } from '../../shared/http/function.js';
import type { DeliveryStatus } from '../../shared/domain/webhook.js';

const endpointView = ({
  owner: _o,
  consecutiveFailures: _c,
  failingSince: _f,
  previousSecret: _p,
  replayFrom: _r,
  ...view
}: WebhookEndpoint) => view;
const deliveryView = ({ owner: _o, payload, scheduleFrom: _s, ...view }: Delivery) => ({
  ...view,
  message: JSON.parse(payload) as unknown,
});

const enterpriseOwner = (p: Principal): WebhookOwner => {
  requireEnterprise(p);
  return { kind: 'enterprise', id: p.enterpriseId };
};

/** A bureau's endpoint belongs to the officers with inspector of that bureau (section 12). */
const bureauOwner = (p: Principal, code?: string): WebhookOwner => {
  requireOfficerRole(p, 'inspector');
  if (code !== undefined && p.bureau !== code)
    throw forbidden(`only an officer with the inspector role of bureau ${code} may manage its webhook`);
  return { kind: 'bureau', id: code ?? p.bureau };
};

/** Queues the replay a re-enable started (never throws: enabling again resumes it). */
async function startReplay(owner: WebhookOwner, from: string | undefined) {
  if (from) await queueCommittedWork(notifyQueue, [{ replay: owner, from }], 'webhook replay');
}

async function putEndpoint(owner: WebhookOwner, body: { url: string; events?: EventType[] }) {
  const problem = urlProblem(body.url, isLocalMode());
  if (problem) throw invalid('the webhook URL is not allowed', [{ path: 'url', message: problem }]);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await webhookStore.getEndpoint(owner);
    const { endpoint, replayFrom } = endpointFor(existing, body, owner, new Date().toISOString());
    if (await webhookStore.saveEndpoint(endpoint, existing?.updatedAt)) {
      await startReplay(owner, replayFrom);
      return { status: 200 as const, body: endpointView(endpoint) };
    }
  }
  throw conflict('the webhook endpoint keeps changing; try again');
}

/** Read, change, write conditionally on what was read; a concurrent change is retried. */
async function changeEndpoint(owner: WebhookOwner, change: (e: WebhookEndpoint, now: Date) => WebhookEndpoint): Promise<WebhookEndpoint> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await webhookStore.getEndpoint(owner);
    if (!existing) throw notFound('a webhook endpoint');
    const next = change(existing, new Date());
    if (await webhookStore.saveEndpoint(next, existing.updatedAt)) return next;
  }
  throw conflict('the webhook endpoint keeps changing; try again');
}

async function rotate(owner: WebhookOwner) {
  const next = await changeEndpoint(owner, (e, now) => rotateSecret(e, now, secretOverlapS()));
  return { status: 200 as const, body: { secret: next.secret, previousSecretValidUntil: next.previousSecretValidUntil! } };
}

async function enable(owner: WebhookOwner) {
  let replayFrom: string | undefined;
  const next = await changeEndpoint(owner, (e, now) => {
    const r = reenabled(e, now.toISOString());
    replayFrom = r.replayFrom;
    return r.endpoint;
  });
  await startReplay(owner, replayFrom);
  return { status: 200 as const, body: endpointView(next) };
}

async function getEndpoint(owner: WebhookOwner) {
  const endpoint = await webhookStore.getEndpoint(owner);
  if (!endpoint) throw notFound('a webhook endpoint');
  return { status: 200 as const, body: endpointView(endpoint) };
}

async function deleteEndpoint(owner: WebhookOwner) {
  if (!(await webhookStore.deleteEndpoint(owner))) throw notFound('a webhook endpoint');
  return { status: 204 as const };
}

async function listDeliveries(
  owner: WebhookOwner,
  query: { status?: DeliveryStatus; eventType?: EventType; limit: number; cursor?: string },
) {
  const page = await webhookStore.listDeliveries(owner, query);
  if (page === 'bad-cursor')
    throw invalid('the cursor is not valid', [{ path: 'cursor', message: 'is not a cursor this API issued to you' }]);
  return { status: 200 as const, body: { items: page.items.map(deliveryView), nextCursor: page.nextCursor } };
}

async function retryDelivery(owner: WebhookOwner, id: string) {
  const delivery = await webhookStore.getDelivery(id);
  if (!delivery || !sameOwner(delivery.owner, owner)) throw notFound(`delivery ${id}`);
  await webhookStore.makeDueNow(delivery, new Date().toISOString());
  await notifyQueue.send({ deliveryId: delivery.id, owner });
  return { status: 202 as const, body: deliveryView({ ...delivery, status: 'RETRYING' }) };
}

export const webhookRoutes = [
  implement(routes.putWebhook, ({ body, principal }) => putEndpoint(enterpriseOwner(principal), body)),
  implement(routes.getWebhook, ({ principal }) => getEndpoint(enterpriseOwner(principal))),
  implement(routes.deleteWebhook, ({ principal }) => deleteEndpoint(enterpriseOwner(principal))),
  implement(routes.listDeliveries, ({ principal, query }) => listDeliveries(enterpriseOwner(principal), query)),
  implement(routes.retryDelivery, ({ principal, params }) => retryDelivery(enterpriseOwner(principal), params.id)),
  implement(routes.rotateWebhookSecret, ({ principal }) => rotate(enterpriseOwner(principal))),
  implement(routes.enableWebhook, ({ principal }) => enable(enterpriseOwner(principal))),
  // Bureau systems (section 12): the same endpoints, owned by a bureau.
  implement(routes.putBureauWebhook, ({ principal, params, body }) => putEndpoint(bureauOwner(principal, params.code), body)),
  implement(routes.getBureauWebhook, ({ principal, params }) => getEndpoint(bureauOwner(principal, params.code))),
  implement(routes.deleteBureauWebhook, ({ principal, params }) => deleteEndpoint(bureauOwner(principal, params.code))),
  implement(routes.listBureauDeliveries, ({ principal, params, query }) => listDeliveries(bureauOwner(principal, params.code), query)),
  implement(routes.retryBureauDelivery, ({ principal, params }) => retryDelivery(bureauOwner(principal, params.code), params.id)),
  implement(routes.rotateBureauWebhookSecret, ({ principal, params }) => rotate(bureauOwner(principal, params.code))),
  implement(routes.enableBureauWebhook, ({ principal, params }) => enable(bureauOwner(principal, params.code))),
];

export const handler = httpFunction('webhooks', webhookRoutes);
