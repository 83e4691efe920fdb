/**
 * Bureau systems' webhooks (contract section 12) through the webhooks handler against the
 * emulators: who may manage a bureau's endpoint, which events it takes, and that its deliveries are
 * its own (the same machinery as an enterprise's, another owner).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as webhooks } from '../../functions/http/webhooks.js';
import { outboxPut } from '../../shared/adapters/outbox.js';
import { transactWrite } from '../../shared/adapters/transact.js';
import { httpSender } from '../../shared/adapters/webhook-sender.js';
import { acceptEvent, deliveryIdOf, deliveryPorts } from '../../shared/app/webhooks.js';
import { timeOrderedId } from '../../shared/domain/ids.js';
import type { WebhookOwner } from '../../shared/domain/events.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { newCreditCode } from '../support/fixtures.js';
import { webhookStore } from '../../shared/adapters/webhook-store.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const inspector = (bureau: string) => officer(bureau, 'inspector');

describe('bureau webhook endpoints', () => {
  it('PUT/GET/DELETE by an inspector of that bureau; {url, events, secret}; step events by default', async () => {
    const url = receiver.url('/bureau/NX');
    const put = await call(webhooks, 'PUT /bureaus/{code}/webhook', { principal: inspector('NX'), params: { code: 'NX' }, body: { url } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      url,
      events: ['step.required', 'step.overdue'],
      secret: expect.stringMatching(/^whsec_/),
      disabled: false,
    });
    const got = await call(webhooks, 'GET /bureaus/{code}/webhook', { principal: inspector('NX'), params: { code: 'NX' } });
    expect(got.body).toEqual(put.body);
    // Another PUT keeps the secret (receivers keep verifying) and narrows the events.
    const narrowed = await call(webhooks, 'PUT /bureaus/{code}/webhook', {
      principal: inspector('NX'),
      params: { code: 'NX' },
      body: { url, events: ['step.overdue'] },
    });
    expect(narrowed.body).toMatchObject({ events: ['step.overdue'], secret: put.body.secret });
    expect((await call(webhooks, 'DELETE /bureaus/{code}/webhook', { principal: inspector('NX'), params: { code: 'NX' } })).status).toBe(
      204,
    );
    expect((await call(webhooks, 'GET /bureaus/{code}/webhook', { principal: inspector('NX'), params: { code: 'NX' } })).status).toBe(404);
  });

  it.each([
    ['an inspector of another bureau', inspector('GS'), 403],
    ['an officer of the bureau without inspector', officer('QH', 'stats', 'credit'), 403],
    ['an enterprise', enterprise(newCreditCode()), 403],
    ['the admin', admin, 403],
  ])('refuses %s', async (_who, principal, status) => {
    for (const [route, extra] of [
      ['PUT /bureaus/{code}/webhook', { body: { url: receiver.url() } }],
      ['GET /bureaus/{code}/webhook', {}],
      ['DELETE /bureaus/{code}/webhook', {}],
      ['GET /bureaus/{code}/webhook/deliveries', {}],
      ['POST /bureaus/{code}/webhook/rotate-secret', {}],
      ['POST /bureaus/{code}/webhook/enable', {}],
    ] as const) {
      const res = await call(webhooks, route, { principal, params: { code: 'QH' }, ...extra });
      expect(res.status, route).toBe(status);
    }
  });

  it('takes only bureau events, and answers 400 naming the field for an enterprise event or an unknown bureau', async () => {
    const bad = await call(webhooks, 'PUT /bureaus/{code}/webhook', {
      principal: inspector('SC'),
      params: { code: 'SC' },
      body: { url: receiver.url(), events: ['declaration.released'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('events[0]');
    const unknown = await call(webhooks, 'PUT /bureaus/{code}/webhook', {
      principal: inspector('SC'),
      params: { code: 'ZZ' },
      body: { url: receiver.url() },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('code');
    // ...and an enterprise may not subscribe to bureau events.
    const ent = await call(webhooks, 'PUT /webhook', {
      principal: enterprise(newCreditCode()),
      body: { url: receiver.url(), events: ['step.required'] },
    });
    expect(ent.status).toBe(400);
  });

  it('lists the bureau’s deliveries (and only its own), retries one, rotates its secret', async () => {
    const code = 'SX';
    const owner: WebhookOwner = { kind: 'bureau', id: code };
    const put = await call(webhooks, 'PUT /bureaus/{code}/webhook', {
      principal: inspector(code),
      params: { code },
      body: { url: receiver.url('/bureau/SX') },
    });
    expect(put.status).toBe(200);
    const enterpriseId = newCreditCode();
    const event = {
      id: `evt_${timeOrderedId()}`,
      type: 'step.required' as const,
      enterpriseId,
      owner,
      timestamp: new Date().toISOString(),
      data: { declarationId: 'dcl_x', kind: 'PHYSICAL', bureau: code },
    };
    expect((await transactWrite([outboxPut(event)])).committed).toBe(true);
    await acceptEvent(
      { eventId: event.id, eventType: event.type, owner },
      deliveryPorts({ send: async () => undefined, sendMany: async () => undefined }, { send: httpSender({ local: true }) }),
    );

    const list = await call(webhooks, 'GET /bureaus/{code}/webhook/deliveries', { principal: inspector(code), params: { code } });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: deliveryIdOf(event.id),
        eventType: 'step.required',
        status: 'DELIVERED',
        attempts: [expect.objectContaining({ responseStatus: 200 })],
      }),
    ]);
    // What was sent is in the log, and the log filters by event type.
    expect(list.body.items[0].message).toMatchObject({ type: 'step.required', data: { declarationId: 'dcl_x', bureau: code } });
    const overdueOnly = await call(webhooks, 'GET /bureaus/{code}/webhook/deliveries', {
      principal: inspector(code),
      params: { code },
      query: { eventType: 'step.overdue' },
    });
    expect(overdueOnly.body.items).toEqual([]);
    // The declaring enterprise does not see the bureau's delivery, nor can it retry it.
    const entList = await call(webhooks, 'GET /webhook/deliveries', { principal: enterprise(enterpriseId) });
    expect(entList.body.items).toEqual([]);
    expect(
      (
        await call(webhooks, 'POST /webhook/deliveries/{id}/retry', {
          principal: enterprise(enterpriseId),
          params: { id: deliveryIdOf(event.id) },
        })
      ).status,
    ).toBe(404);

    // (Not drained from the shared notify queue: other test files read it in parallel.)
    const retry = await call(webhooks, 'POST /bureaus/{code}/webhook/deliveries/{id}/retry', {
      principal: inspector(code),
      params: { code, id: deliveryIdOf(event.id) },
    });
    expect(retry.status).toBe(202);
    expect(await webhookStore.getDelivery(deliveryIdOf(event.id))).toMatchObject({
      status: 'RETRYING',
      scheduleFrom: 1,
      nextAttemptAt: expect.any(String),
    });

    const rotated = await call(webhooks, 'POST /bureaus/{code}/webhook/rotate-secret', { principal: inspector(code), params: { code } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(put.body.secret);
    expect(Date.parse(rotated.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(86_000_000); // default 24 h
  });
});
