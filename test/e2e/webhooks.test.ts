/**
 * Webhooks end to end: the local runtime delivers signed events to a real HTTP receiver on
 * loopback, retries with the (shortened) schedule, and disables an endpoint that keeps failing.
 */
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

type Received = { headers: http.IncomingHttpHeaders; body: string };
let platform: LocalProcess;
let receiver: http.Server;
let hookUrl: string;
const received: Received[] = [];
/** How the receiver answers the next requests (a queue of statuses; default 200). */
const answers: number[] = [];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function verify(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`)
    .digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    if (req.url === '/endless') {
      // A hostile receiver: answers 200, then never stops sending.
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'.repeat(64 * 1024)), 5);
      res.on('close', () => clearInterval(timer));
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks/clearway`;
  platform = await startLocal({ env: { CLEARWAY_ADMIN_KEY: 'e2e-admin', CLEARWAY_WEBHOOK_SCHEDULE: '1,1,1' } });
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
  receiver?.close();
});

async function newEnterprise(level = 'AA') {
  const admin = client(platform.url, 'e2e-admin');
  const code = newCreditCode();
  await admin('POST', '/enterprises', { creditCode: code, name: 'Hooked Trading', registeredBureau: 'SX', creditLevel: level });
  const key = (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey;
  const officerKey = (await admin('POST', '/principals', { kind: 'officer', bureau: 'SX', roles: ['credit'] })).body.apiKey;
  return { code, api: client(platform.url, key), officer: client(platform.url, officerKey) };
}

describe('webhooks', () => {
  it('refuses URLs local mode does not allow, naming the field', async () => {
    const { api } = await newEnterprise();
    for (const url of ['http://example.com/hook', 'ftp://127.0.0.1/x', 'nonsense']) {
      const res = await api('PUT', '/webhook', { url });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe('url');
    }
  });

  it('delivers signed events, with the same webhook-id on every retry, and lists every attempt', async () => {
    const { code, api, officer } = await newEnterprise();
    const put = await api('PUT', '/webhook', { url: hookUrl });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ url: hookUrl, secret: expect.stringMatching(/^whsec_/), disabled: false });
    expect(put.body.events).toContain('enterprise.credit_changed');
    const secret: string = put.body.secret;

    answers.push(500, 503);
    const before = received.length;
    await officer('PUT', `/enterprises/${code}/credit`, { level: 'A', reason: 'annual review' });
    const mine = await waitFor('three attempts', () => {
      const got = received.slice(before).filter((r) => JSON.parse(r.body).data?.creditCode === code);
      return got.length >= 3 ? got : undefined;
    });
    expect(new Set(mine.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const r of mine) expect(verify(secret, r)).toBe(true);
    expect(JSON.parse(mine[0]!.body)).toMatchObject({
      type: 'enterprise.credit_changed',
      timestamp: expect.any(String),
      data: { creditCode: code, from: 'AA', to: 'A', bureau: 'SX', reason: 'annual review' },
    });

    const deliveries = await waitFor('delivered', async () => {
      const res = await api('GET', '/webhook/deliveries');
      return res.body.items[0]?.status === 'DELIVERED' ? res.body.items : undefined;
    });
    expect(deliveries[0].attempts.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([500, 503, 200]);
    expect(deliveries[0].id).toBe(mine[0]!.headers['webhook-id']);
    expect((await api('GET', '/webhook/deliveries?status=FAILED')).body.items).toEqual([]);
  });

  it('takes a 200 as success without reading what the receiver streams after it', async () => {
    const { code, api, officer } = await newEnterprise();
    await api('PUT', '/webhook', { url: hookUrl.replace('/hooks/clearway', '/endless') });
    await officer('PUT', `/enterprises/${code}/credit`, { level: 'B', reason: 'endless receiver' });
    const [delivery] = await waitFor(
      'delivered',
      async () => {
        const res = await api('GET', '/webhook/deliveries?status=DELIVERED');
        return res.body.items.length ? res.body.items : undefined;
      },
      10_000,
    );
    expect(delivery.attempts).toEqual([expect.objectContaining({ responseStatus: 200 })]);
    expect(delivery.attempts[0].durationMs).toBeLessThan(5_000);
  });

  it('tells the enterprise about its declarations', async () => {
    const { code, api } = await newEnterprise('AA');
    await api('PUT', '/webhook', {
      url: hookUrl,
      events: ['declaration.released', 'declaration.inspection_required', 'declaration.returned'],
    });
    const { body } = await api('POST', '/declarations', declarationBody(code));
    const event = await waitFor('declaration event', () => {
      const r = received.find((x) => JSON.parse(x.body).data?.declarationId === body.id);
      return r ? JSON.parse(r.body) : undefined;
    });
    expect(['declaration.released', 'declaration.inspection_required']).toContain(event.type);
    expect(event.data).toMatchObject({ declarationId: body.id, decision: { ruleSetVersion: 1 } });
  });

  it('keeps a delivery failed after the schedule, disables an endpoint that keeps failing, and retries on request', async () => {
    const { code, api, officer } = await newEnterprise();
    await api('PUT', '/webhook', { url: hookUrl, events: ['enterprise.credit_changed'] });
    answers.push(...Array(12).fill(500));
    for (const level of ['A', 'B', 'C']) {
      await officer('PUT', `/enterprises/${code}/credit`, { level, reason: `step to ${level}` });
      await waitFor(`failed delivery for ${level}`, async () => {
        const res = await api('GET', '/webhook/deliveries?status=FAILED');
        return res.body.items.some((d: { eventType: string; attempts: unknown[] }) => d.attempts.length === 4) &&
          res.body.items.length >= ['A', 'B', 'C'].indexOf(level) + 1
          ? true
          : undefined;
      });
    }
    const endpoint = await api('GET', '/webhook');
    expect(endpoint.body).toMatchObject({ disabled: true, disabledReason: expect.stringContaining('failed') });

    answers.length = 0;
    const failed = (await api('GET', '/webhook/deliveries?status=FAILED')).body.items[0];
    await api('PUT', '/webhook', { url: hookUrl, events: ['enterprise.credit_changed'] });
    expect((await api('GET', '/webhook')).body.disabled).toBe(false);
    const retry = await api('POST', `/webhook/deliveries/${failed.id}/retry`);
    expect(retry.status).toBe(202);
    await waitFor('retried delivery', async () => {
      const res = await api('GET', '/webhook/deliveries?status=DELIVERED');
      return res.body.items.find((d: { id: string }) => d.id === failed.id);
    });
    expect((await api('POST', '/webhook/deliveries/msg_00000000000000000000000000/retry')).status).toBe(404);
    expect((await api('DELETE', '/webhook')).status).toBe(204);
    expect((await api('GET', '/webhook')).status).toBe(404);
  });
});
