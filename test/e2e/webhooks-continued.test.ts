/**
 * Webhooks, continued (contract section 18), end to end through HTTP with a real receiver that
 * verifies every message with the `standardwebhooks` package: secret rotation with both
 * signatures, 410 disabling at once, Retry-After honoured and capped, re-enabling sending what
 * failed oldest first under the original webhook-ids, and failure causes in the delivery log.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { client, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { newCreditCode } from '../support/fixtures.js';
import { declarationBody } from '../support/declarations.js';
import { startReceiver, type Receiver, type Received } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait.js';

/** The schedule's longest delay is 3 s: Retry-After beyond it is capped there. */
const SCHEDULE = '1,1,3';
let platform: LocalProcess;
let receiver: Receiver;

/** Verifies a received message with the standardwebhooks package; answers the payload or throws. */
function verify(secret: string, r: Received): unknown {
  return new Webhook(secret.slice('whsec_'.length)).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });
}

beforeAll(async () => {
  receiver = await startReceiver();
  platform = await startLocal({
    env: {
      CLEARWAY_ADMIN_KEY: 'e2e-admin',
      CLEARWAY_WEBHOOK_SCHEDULE: SCHEDULE,
      CLEARWAY_WEBHOOK_SECRET_OVERLAP_S: '3600',
      // Steps fall due 3 s after they are required and the sweep runs every second (step.overdue).
      CLEARWAY_STEP_TIME_LIMIT_S: '3',
      CLEARWAY_SCHEDULE_EVERY_S: '1',
    },
  });
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
  await receiver?.close();
});

async function newEnterprise() {
  const admin = client(platform.url, 'e2e-admin');
  const code = newCreditCode();
  await admin('POST', '/enterprises', { creditCode: code, name: 'Rotating Trading', registeredBureau: 'SN', creditLevel: 'AA' });
  const key = (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey;
  const officerKey = (await admin('POST', '/principals', { kind: 'officer', bureau: 'SN', roles: ['credit'] })).body.apiKey;
  const api = client(platform.url, key);
  const officer = client(platform.url, officerKey);
  const levels = ['A', 'B', 'C', 'D', 'AA'];
  let n = 0;
  /** A credit change: one `enterprise.credit_changed` event; answers a marker found in its payload. */
  const change = async () => {
    const reason = `change ${++n} ${Math.random().toString(36).slice(2, 8)}`;
    const res = await officer('PUT', `/enterprises/${code}/credit`, { level: levels[(n - 1) % levels.length], reason });
    expect(res.status).toBe(200);
    return reason;
  };
  const mine = (path: string) => receiver.received.filter((r) => r.path === path);
  return { code, api, change, mine };
}

const path = () => `/e2e/${Math.random().toString(36).slice(2, 10)}`;
const mine = (p: string) => receiver.received.filter((r) => r.path === p);

describe('webhooks, continued (section 18)', () => {
  it('rotates the secret: both signatures during the overlap, each verifiable by standardwebhooks', async () => {
    const { api, change, mine } = await newEnterprise();
    const p = path();
    const old = (await api('PUT', '/webhook', { url: receiver.url(p) })).body.secret as string;
    const rotated = await api('POST', '/webhook/rotate-secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ secret: expect.stringMatching(/^whsec_/), previousSecretValidUntil: expect.any(String) });
    expect(rotated.body.secret).not.toBe(old);
    const until = Date.parse(rotated.body.previousSecretValidUntil);
    expect(until - Date.now()).toBeGreaterThan(3500_000); // the configured 1 h overlap
    expect(until - Date.now()).toBeLessThanOrEqual(3600_000);
    expect((await api('GET', '/webhook')).body).toMatchObject({
      secret: rotated.body.secret,
      previousSecretValidUntil: rotated.body.previousSecretValidUntil,
    });

    await change();
    const [message] = await waitFor('the message', () => (mine(p).length ? mine(p) : undefined));
    expect(String(message!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(rotated.body.secret, message!)).toMatchObject({ type: 'enterprise.credit_changed' });
    expect(verify(old, message!)).toMatchObject({ type: 'enterprise.credit_changed' });
    expect(() => verify(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`, message!)).toThrow();
  });

  it('410 disables the endpoint at once; re-enabling sends what failed, oldest first, under the original ids', async () => {
    const { api, change, mine } = await newEnterprise();
    const p = path();
    const secret = (await api('PUT', '/webhook', { url: receiver.url(p) })).body.secret as string;
    receiver.answers.push({ status: 410 });
    const first = await change();
    const disabled = await waitFor('disabled', async () => {
      const res = await api('GET', '/webhook');
      return res.body.disabled ? res.body : undefined;
    });
    expect(disabled.disabledReason).toContain('410');
    expect(mine(p)).toHaveLength(1); // no retry after a 410
    // While disabled: events are kept, not sent.
    const second = await change();
    const third = await change();
    const held = await waitFor('held deliveries', async () => {
      const res = await api('GET', '/webhook/deliveries?status=FAILED');
      return res.body.items.length === 3 ? res.body.items : undefined;
    });
    expect(held.filter((d: { heldWhileDisabled?: boolean }) => d.heldWhileDisabled)).toHaveLength(2);
    expect(held.find((d: { attempts: unknown[] }) => d.attempts.length === 1).attempts[0]).toMatchObject({
      responseStatus: 410,
      error: 'http 410',
    });
    expect(mine(p)).toHaveLength(1);

    const enabled = await api('POST', '/webhook/enable');
    expect(enabled.status).toBe(200);
    expect(enabled.body.disabled).toBe(false);
    const replayed = await waitFor('three replayed', () => (mine(p).length >= 4 ? mine(p).slice(1) : undefined));
    const reasons = replayed.map((r) => (verify(secret, r) as { data: { reason: string } }).data.reason);
    expect(reasons).toEqual([first, second, third]);
    const idsByAge = [...held].reverse().map((d: { id: string }) => d.id); // listing is newest first
    expect(replayed.map((r) => r.headers['webhook-id'])).toEqual(idsByAge);
    expect(replayed[0]!.headers['webhook-id']).toBe(mine(p)[0]!.headers['webhook-id']);
    await waitFor('all delivered', async () => {
      const res = await api('GET', '/webhook/deliveries?status=DELIVERED');
      return res.body.items.length === 3 ? true : undefined;
    });
    // Enabling again sends nothing twice.
    await api('POST', '/webhook/enable');
    await new Promise((r) => setTimeout(r, 1500));
    expect(mine(p)).toHaveLength(4);
  });

  it('a PUT of a disabled endpoint re-enables it and replays too', async () => {
    const { api, change, mine } = await newEnterprise();
    const p = path();
    await api('PUT', '/webhook', { url: receiver.url(p) });
    receiver.answers.push({ status: 410 });
    await change();
    await waitFor('disabled', async () => ((await api('GET', '/webhook')).body.disabled ? true : undefined));
    const p2 = path();
    expect((await api('PUT', '/webhook', { url: receiver.url(p2) })).body.disabled).toBe(false);
    const [again] = await waitFor('replayed to the new URL', () => (mine(p2).length ? mine(p2) : undefined));
    expect(again!.headers['webhook-id']).toBe(mine(p)[0]!.headers['webhook-id']);
  });

  it('429 and 503 with Retry-After delay the next attempt by at least that long, capped at the longest delay', async () => {
    const { api, change, mine } = await newEnterprise();
    const p = path();
    await api('PUT', '/webhook', { url: receiver.url(p) });
    receiver.answers.push({ status: 429, headers: { 'retry-after': '2' } }, { status: 503, headers: { 'retry-after': '600' } });
    await change();
    const got = await waitFor('three attempts', () => (mine(p).length >= 3 ? mine(p) : undefined), 60_000);
    const at = got.map((r) => Number(r.headers['webhook-timestamp']));
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(2); // schedule says 1 s; Retry-After says 2
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(3); // Retry-After 600, capped at the schedule's 3 s
    expect(at[2]! - at[1]!).toBeLessThan(60);
    const [delivery] = (await api('GET', '/webhook/deliveries')).body.items;
    expect(delivery.attempts.slice(0, 2)).toMatchObject([
      { responseStatus: 429, error: 'http 429', retryAfterS: 2 },
      { responseStatus: 503, error: 'http 503', retryAfterS: 600 },
    ]);
  });

  it('says why an attempt failed (connection refused; the sender unit tests cover the other causes)', async () => {
    const { api, change } = await newEnterprise();
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await api('PUT', '/webhook', { url: `http://127.0.0.1:${closedPort}/gone` });
    await change();
    const delivery = await waitFor('an attempt', async () =>
      (await api('GET', '/webhook/deliveries')).body.items[0]?.attempts[0]
        ? (await api('GET', '/webhook/deliveries')).body.items[0]
        : undefined,
    );
    expect(delivery.attempts[0]).toMatchObject({ error: 'connection refused', detail: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('bureau systems (section 12): the same webhooks, owned by a bureau', () => {
  it('delivers step.required and then step.overdue, signed, to the bureau that owes the step', async () => {
    const admin = client(platform.url, 'e2e-admin');
    const inspectorKey = (await admin('POST', '/principals', { kind: 'officer', bureau: 'HA', roles: ['inspector'] })).body.apiKey;
    const inspector = client(platform.url, inspectorKey);
    const p = path();
    const put = await inspector('PUT', '/bureaus/HA/webhook', { url: receiver.url(p) });
    expect(put.status).toBe(200);
    expect(put.body.events).toEqual(['step.required', 'step.overdue']);
    const secret = put.body.secret as string;
    // Another bureau's inspector may not touch it.
    const otherKey = (await admin('POST', '/principals', { kind: 'officer', bureau: 'GS', roles: ['inspector'] })).body.apiKey;
    expect((await client(platform.url, otherKey)('GET', '/bureaus/HA/webhook')).status).toBe(403);

    // Credit level D: every declaration is inspected; the export's origin inspection is owed by HA.
    const code = newCreditCode();
    await admin('POST', '/enterprises', { creditCode: code, name: 'Inspected Trading', registeredBureau: 'HA', creditLevel: 'D' });
    const key = (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey;
    const filed = await client(platform.url, key)(
      'POST',
      '/declarations',
      declarationBody(code, { inspectionBureau: 'HA', releaseBureau: 'HA' }),
    );
    expect(filed.status).toBe(202);
    const declarationId = filed.body.id as string;

    type Payload = { type: string; data: { declarationId: string; bureau: string; kind: string; overdueSeconds?: number } };
    const about = () =>
      mine(p)
        .map((r) => ({ r, payload: verify(secret, r) as Payload }))
        .filter((x) => x.payload.data.declarationId === declarationId);
    const required = await waitFor('step.required', () => about().find((x) => x.payload.type === 'step.required'));
    expect(required.payload.data).toMatchObject({ bureau: 'HA', declarationId, kind: expect.any(String) });
    const overdue = await waitFor('step.overdue', () => about().find((x) => x.payload.type === 'step.overdue'), 60_000);
    expect(overdue.payload.data).toMatchObject({ bureau: 'HA', kind: required.payload.data.kind, overdueSeconds: expect.any(Number) });
    expect(overdue.r.headers['webhook-id']).not.toBe(required.r.headers['webhook-id']);
    // Told once per step: the sweep does not repeat step.overdue.
    await new Promise((r) => setTimeout(r, 2500));
    expect(about().filter((x) => x.payload.type === 'step.overdue' && x.payload.data.kind === required.payload.data.kind)).toHaveLength(1);

    // The bureau's delivery log has both, with what was sent.
    const log = await inspector('GET', '/bureaus/HA/webhook/deliveries?eventType=step.overdue');
    expect(log.status).toBe(200);
    expect(
      log.body.items.some(
        (d: { status: string; message: Payload }) => d.status === 'DELIVERED' && d.message.data.declarationId === declarationId,
      ),
    ).toBe(true);
  });
});
