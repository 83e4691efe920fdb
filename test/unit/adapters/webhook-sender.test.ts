/**
 * The webhook sender against real sockets on loopback: the connect-time address guard (every
 * resolved address checked, the socket connects to exactly what was checked, no second
 * resolution), IPv6 literals, and the failure causes an enterprise sees in its delivery log.
 */
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, httpSender } from '../../../shared/adapters/webhook-sender.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';

let receiver: Receiver;
let port: number;
beforeAll(async () => {
  receiver = await startReceiver();
  port = Number(new URL(receiver.url()).port);
});
afterAll(() => receiver.close());

const request = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{"type":"x"}' });

/** A resolver answering from a script, one answer per call, counting its calls. */
function scriptedResolver(answers: (string[] | NodeJS.ErrnoException)[]) {
  let calls = 0;
  const resolve = ((_host: string, _options: unknown, callback: (e: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void) => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    if (answer instanceof Error) return callback(answer, []);
    callback(
      null,
      answer.map((address) => ({ address, family: net.isIP(address) })),
    );
  }) as unknown as typeof dns.lookup;
  return { resolve, calls: () => calls };
}

describe('connect-time address guard', () => {
  it('connects to the address it checked, resolving once per connection (no rebinding between check and connect)', async () => {
    // First answer loopback (allowed locally), every later answer the metadata address.
    const dnsServer = scriptedResolver([['127.0.0.1'], ['169.254.169.254']]);
    const send = httpSender({ local: true, resolve: dnsServer.resolve, timeoutMs: 2_000 });
    const before = receiver.received.length;
    const first = await send(request(`http://rebind.example:${port}/hooks`));
    expect(first).toMatchObject({ responseStatus: 200 });
    expect(dnsServer.calls()).toBe(1);
    expect(receiver.received.length).toBe(before + 1);
    // The name now points elsewhere: the next connection is checked again and refused.
    const second = await send(request(`http://rebind.example:${port}/hooks`));
    expect(second).toMatchObject({ error: 'blocked address', detail: expect.stringContaining('169.254.169.254') });
    expect(receiver.received.length).toBe(before + 1);
  });

  it('refuses a name when ANY of its addresses may not be reached', async () => {
    const dnsServer = scriptedResolver([['127.0.0.1', '10.0.0.7']]);
    const send = httpSender({ local: true, resolve: dnsServer.resolve, timeoutMs: 2_000 });
    const before = receiver.received.length;
    expect(await send(request(`http://mixed.example:${port}/`))).toMatchObject({ error: 'blocked address' });
    expect(receiver.received.length).toBe(before);
  });

  it.each([
    '127.0.0.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[::7f00:1]',
    '[64:ff9b::7f00:1]',
    '169.254.169.254',
    '[::ffff:a9fe:a9fe]',
    '[fec0::1]',
    '198.18.0.1',
    '2130706433',
  ])('the cloud sender refuses the literal %s before connecting', async (host) => {
    const before = receiver.received.length;
    const result = await httpSender({ local: false, timeoutMs: 2_000 })(request(`http://${host}:${port}/`));
    expect(result.error).toBe('blocked address');
    expect(receiver.received.length).toBe(before);
  });

  it('the cloud sender refuses names that resolve to special-use addresses', async () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '::ffff:169.254.169.254', 'fd00::1', '198.18.5.5', '100.64.1.1']) {
      const dnsServer = scriptedResolver([[address]]);
      const result = await httpSender({ local: false, resolve: dnsServer.resolve, timeoutMs: 2_000 })(request(`https://hooks.example/`));
      expect(result, address).toMatchObject({ error: 'blocked address' });
    }
  });

  it('the local sender refuses anything but loopback, https included', async () => {
    const dnsServer = scriptedResolver([['192.0.2.10']]);
    const result = await httpSender({ local: true, resolve: dnsServer.resolve, timeoutMs: 2_000 })(request('https://hooks.example/'));
    expect(result).toMatchObject({ error: 'blocked address', detail: expect.stringContaining('not loopback') });
    expect((await httpSender({ local: true })(request('https://10.0.0.1/'))).error).toBe('blocked address');
  });

  it('hands the socket exactly the checked addresses (all of them when asked for all)', async () => {
    const dnsServer = scriptedResolver([['2606:4700:4700::1111', '1.1.1.1']]);
    const lookup = guardedLookup(false, dnsServer.resolve);
    const all = await new Promise((resolve, reject) => lookup('hooks.example', { all: true }, (e, a) => (e ? reject(e) : resolve(a))));
    expect(all).toEqual([
      { address: '2606:4700:4700::1111', family: 6 },
      { address: '1.1.1.1', family: 4 },
    ]);
    const one = await new Promise((resolve, reject) => lookup('hooks.example', {}, (e, a, f) => (e ? reject(e) : resolve([a, f]))));
    expect(one).toEqual(['2606:4700:4700::1111', 6]);
  });
});

describe('IPv6 endpoints', () => {
  it('delivers to an IPv6 literal (no brackets reach the socket)', async () => {
    const server = http.createServer((_req, res) => res.writeHead(204).end());
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!listening) return expect.soft(listening, 'this machine has no IPv6 loopback').toBe(true);
    try {
      const v6port = (server.address() as net.AddressInfo).port;
      expect(await httpSender({ local: true, timeoutMs: 2_000 })(request(`http://[::1]:${v6port}/hook`))).toMatchObject({
        responseStatus: 204,
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('failure causes', () => {
  it('connection refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await httpSender({ local: true, timeoutMs: 2_000 })(request(`http://127.0.0.1:${closedPort}/`))).toMatchObject({
      error: 'connection refused',
    });
  });

  it('timeout', async () => {
    receiver.answers.push('hang');
    const result = await httpSender({ local: true, timeoutMs: 300 })(request(receiver.url()));
    expect(result.error).toBe('timeout');
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('dns', async () => {
    const dnsServer = scriptedResolver([Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' })]);
    expect(await httpSender({ local: true, resolve: dnsServer.resolve })(request('http://nowhere.example/'))).toMatchObject({
      error: 'dns',
    });
  });

  it('tls (https to a receiver that does not speak TLS)', async () => {
    expect(await httpSender({ local: true, timeoutMs: 2_000 })(request(`https://127.0.0.1:${port}/`))).toMatchObject({ error: 'tls' });
  });

  it('http <status>, with Retry-After read on 429 and 503', async () => {
    receiver.answers.push({ status: 503, headers: { 'retry-after': '7' } }, { status: 500, headers: { 'retry-after': '7' } });
    const send = httpSender({ local: true, timeoutMs: 2_000 });
    expect(await send(request(receiver.url()))).toMatchObject({ responseStatus: 503, error: 'http 503', retryAfterS: 7 });
    const plain = await send(request(receiver.url()));
    expect(plain).toMatchObject({ responseStatus: 500, error: 'http 500' });
    expect(plain).not.toHaveProperty('retryAfterS');
  });
});
