/** Webhook endpoints and their deliveries (contract sections 9, 12, 18), for enterprises and bureaus. */
import { routes } from '../../shared/api/routes.js';
import { notifyQueue } from '../../shared/adapters/queues.js';
import { isLocalMode } from '../../shared/adapters/secrets.js';
import { webhookStore } from '../../shared/adapters/webhook-store.js';
import { eventTypesFor, sameOwner, type EventType, type WebhookOwner } from '../../shared/domain/events.js';
import { invalid, notFound } from '../../shared/domain/errors.js';
import { requireEnterprise, type Principal } from '../../shared/domain/principal.js';
import { newWebhookSecret, urlProblem, type Delivery, type WebhookEndpoint } from '../../shared/domain/webhook.js';
import { httpFunction, implement } from '../../shared/http/function.js';
import type { DeliveryStatus } from '../../shared/domain/webhook.js';

const endpointView = ({ owner: _o, consecutiveFailures: _c, failingSince: _f, previousSecret: _p, ...view }: WebhookEndpoint) => view;
const deliveryView = ({ owner: _o, payload: _p, scheduleFrom: _s, ...view }: Delivery) => view;

const enterpriseOwner = (p: Principal): WebhookOwner => {
  requireEnterprise(p);
  return { kind: 'enterprise', id: p.enterpriseId };
};

async function putEndpoint(owner: WebhookOwner, body: { url: string; events?: EventType[] }) {
  const problem = urlProblem(body.url, isLocalMode());
  if (problem) throw invalid('the webhook URL is not allowed', [{ path: 'url', message: problem }]);
  const now = new Date().toISOString();
  const existing = await webhookStore.getEndpoint(owner);
  // The secret stays across updates (receivers keep verifying); rotate-secret changes it.
  const endpoint: WebhookEndpoint = {
    ...existing,
    owner,
    url: body.url,
    events: body.events ?? [...eventTypesFor(owner.kind)],
    secret: existing?.secret ?? newWebhookSecret(),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    disabled: false,
    consecutiveFailures: 0,
  };
  delete endpoint.disabledReason;
  delete endpoint.disabledAt;
  await webhookStore.putEndpoint(endpoint);
  return { status: 200 as const, body: endpointView(endpoint) };
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

async function listDeliveries(owner: WebhookOwner, query: { status?: DeliveryStatus; limit: number; cursor?: string }) {
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
  implement(routes.putWebhook, enterpriseOwner, ({ body, principal }) => putEndpoint(enterpriseOwner(principal), body)),
  implement(routes.getWebhook, enterpriseOwner, ({ principal }) => getEndpoint(enterpriseOwner(principal))),
  implement(routes.deleteWebhook, enterpriseOwner, ({ principal }) => deleteEndpoint(enterpriseOwner(principal))),
  implement(routes.listDeliveries, enterpriseOwner, ({ principal, query }) => listDeliveries(enterpriseOwner(principal), query)),
  implement(routes.retryDelivery, enterpriseOwner, ({ principal, params }) => retryDelivery(enterpriseOwner(principal), params.id)),
];

export const handler = httpFunction('webhooks', webhookRoutes);
