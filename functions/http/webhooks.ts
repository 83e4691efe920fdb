/** Webhook endpoints and their deliveries (contract sections 9, 12, 18), for enterprises and bureaus. */
import { routes } from '../../shared/api/routes.js';
import {
  deleteEndpoint,
  enableEndpoint,
  getEndpoint,
  listOwnDeliveries,
  putEndpoint,
  retryOwnDelivery,
  rotateEndpointSecret,
} from '../../shared/app/webhooks.js';
import type { EventType, WebhookOwner } from '../../shared/domain/events.js';
import { forbidden } from '../../shared/domain/errors.js';
import { requireEnterprise, requireOfficerRole, type Principal } from '../../shared/domain/principal.js';
import type { Delivery, DeliveryStatus, WebhookEndpoint } from '../../shared/domain/webhook.js';
import { httpFunction, implement } from '../../shared/http/function.js';

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

async function put(owner: WebhookOwner, body: { url: string; events?: EventType[] }) {
  return { status: 200 as const, body: endpointView(await putEndpoint(owner, body)) };
}

async function rotate(owner: WebhookOwner) {
  const next = await rotateEndpointSecret(owner);
  return { status: 200 as const, body: { secret: next.secret, previousSecretValidUntil: next.previousSecretValidUntil! } };
}

async function enable(owner: WebhookOwner) {
  return { status: 200 as const, body: endpointView(await enableEndpoint(owner)) };
}

async function get(owner: WebhookOwner) {
  return { status: 200 as const, body: endpointView(await getEndpoint(owner)) };
}

async function remove(owner: WebhookOwner) {
  await deleteEndpoint(owner);
  return { status: 204 as const };
}

async function listDeliveries(
  owner: WebhookOwner,
  query: { status?: DeliveryStatus; eventType?: EventType; limit: number; cursor?: string },
) {
  const page = await listOwnDeliveries(owner, query);
  return { status: 200 as const, body: { items: page.items.map(deliveryView), nextCursor: page.nextCursor } };
}

async function retryDelivery(owner: WebhookOwner, id: string) {
  return { status: 202 as const, body: deliveryView(await retryOwnDelivery(owner, id)) };
}

export const webhookRoutes = [
  implement(routes.putWebhook, ({ body, principal }) => put(enterpriseOwner(principal), body)),
  implement(routes.getWebhook, ({ principal }) => get(enterpriseOwner(principal))),
  implement(routes.deleteWebhook, ({ principal }) => remove(enterpriseOwner(principal))),
  implement(routes.listDeliveries, ({ principal, query }) => listDeliveries(enterpriseOwner(principal), query)),
  implement(routes.retryDelivery, ({ principal, params }) => retryDelivery(enterpriseOwner(principal), params.id)),
  implement(routes.rotateWebhookSecret, ({ principal }) => rotate(enterpriseOwner(principal))),
  implement(routes.enableWebhook, ({ principal }) => enable(enterpriseOwner(principal))),
  // Bureau systems (section 12): the same endpoints, owned by a bureau.
  implement(routes.putBureauWebhook, ({ principal, params, body }) => put(bureauOwner(principal, params.code), body)),
  implement(routes.getBureauWebhook, ({ principal, params }) => get(bureauOwner(principal, params.code))),
  implement(routes.deleteBureauWebhook, ({ principal, params }) => remove(bureauOwner(principal, params.code))),
  implement(routes.listBureauDeliveries, ({ principal, params, query }) => listDeliveries(bureauOwner(principal, params.code), query)),
  implement(routes.retryBureauDelivery, ({ principal, params }) => retryDelivery(bureauOwner(principal, params.code), params.id)),
  implement(routes.rotateBureauWebhookSecret, ({ principal, params }) => rotate(bureauOwner(principal, params.code))),
  implement(routes.enableBureauWebhook, ({ principal, params }) => enable(bureauOwner(principal, params.code))),
];

export const handler = httpFunction('webhooks', webhookRoutes);
