/** The enterprise's webhook endpoint and its deliveries (contract section 9). */
import { routes } from '../../shared/api/routes.js';
import { notifyQueue } from '../../shared/adapters/queues.js';
import { isLocalMode } from '../../shared/adapters/secrets.js';
import { webhookStore } from '../../shared/adapters/webhook-store.js';
import { EVENT_TYPES } from '../../shared/domain/events.js';
import { invalid, notFound } from '../../shared/domain/errors.js';
import { requireEnterprise } from '../../shared/domain/principal.js';
import { newWebhookSecret, urlProblem, type Delivery, type WebhookEndpoint } from '../../shared/domain/webhook.js';
import { httpFunction, implement } from '../../shared/http/function.js';

const endpointView = ({ enterpriseId: _e, consecutiveFailures: _c, ...view }: WebhookEndpoint) => view;
const deliveryView = ({ enterpriseId: _e, payload: _p, ...view }: Delivery) => view;

export const webhookRoutes = [
  implement(routes.putWebhook, requireEnterprise, async ({ body, principal }) => {
    const problem = urlProblem(body.url, isLocalMode());
    if (problem) throw invalid('the webhook URL is not allowed', [{ path: 'url', message: problem }]);
    const now = new Date().toISOString();
    const existing = await webhookStore.getEndpoint(principal.enterpriseId!);
    // The secret stays across updates (receivers keep verifying); DELETE then PUT rotates it.
    const endpoint: WebhookEndpoint = {
      enterpriseId: principal.enterpriseId!,
      url: body.url,
      events: body.events ?? [...EVENT_TYPES],
      secret: existing?.secret ?? newWebhookSecret(),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      disabled: false,
      consecutiveFailures: 0,
    };
    await webhookStore.putEndpoint(endpoint);
    return { status: 200, body: endpointView(endpoint) };
  }),
  implement(routes.getWebhook, requireEnterprise, async ({ principal }) => {
    const endpoint = await webhookStore.getEndpoint(principal.enterpriseId!);
    if (!endpoint) throw notFound('a webhook endpoint');
    return { status: 200, body: endpointView(endpoint) };
  }),
  implement(routes.deleteWebhook, requireEnterprise, async ({ principal }) => {
    if (!(await webhookStore.deleteEndpoint(principal.enterpriseId!))) throw notFound('a webhook endpoint');
    return { status: 204 };
  }),
  implement(routes.listDeliveries, requireEnterprise, async ({ principal, query }) => {
    const page = await webhookStore.listDeliveries(principal.enterpriseId!, query);
    if (page === 'bad-cursor')
      throw invalid('the cursor is not valid', [{ path: 'cursor', message: 'is not a cursor this API issued to you' }]);
    return { status: 200, body: { items: page.items.map(deliveryView), nextCursor: page.nextCursor } };
  }),
  implement(routes.retryDelivery, requireEnterprise, async ({ principal, params }) => {
    const delivery = await webhookStore.getDelivery(params.id);
    if (!delivery || delivery.enterpriseId !== principal.enterpriseId!) throw notFound(`delivery ${params.id}`);
    await webhookStore.makeDueNow(delivery.id, new Date().toISOString());
    await notifyQueue.send({ deliveryId: delivery.id });
    return { status: 202, body: deliveryView({ ...delivery, status: 'RETRYING' }) };
  }),
];

export const handler = httpFunction('webhooks', webhookRoutes);
