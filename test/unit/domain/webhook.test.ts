import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { isLoopbackAddress, specialUseClass } from '../../../shared/domain/ip-address.js';
import {
  addressProblem,
  disabledAttributes,
  endpointFor,
  reenabled,
  nextAttemptDelayS,
  parseRetryAfter,
  retrySchedule,
  rotateSecret,
  settleAttempt,
  signature,
  signatureHeader,
  urlProblem,
  type WebhookEndpoint,
} from '../../../shared/domain/webhook.js';

describe('Standard Webhooks signature', () => {
  it('matches the example of the specification', () => {
    expect(signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  const endpoint = (): WebhookEndpoint => ({
    owner: { kind: 'enterprise', id: 'x' },
    url: 'https://hooks.example.com/',
    events: ['declaration.released'],
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    disabled: false,
    consecutiveFailures: 0,
  });

  it('signs with both secrets during a rotation overlap, and only the new one after it', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const rotated = rotateSecret(endpoint(), now, 3600);
    expect(rotated.previousSecretValidUntil).toBe('2026-06-01T01:00:00.000Z');
    const ts = Math.floor(now.getTime() / 1000);
    const body = '{"type":"declaration.released"}';
    const during = signatureHeader(rotated, 'msg_1', ts, body, now);
    expect(during.split(' ')).toHaveLength(2);
    const headers = (sig: string) => ({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': sig });
    // Receivers holding either secret verify (the standardwebhooks package accepts any listed signature).
    const realNow = Date.now;
    Date.now = () => now.getTime();
    try {
      expect(new Webhook(rotated.secret.slice(6)).verify(body, headers(during))).toEqual({ type: 'declaration.released' });
      expect(new Webhook(endpoint().secret.slice(6)).verify(body, headers(during))).toEqual({ type: 'declaration.released' });
      const after = signatureHeader(rotated, 'msg_1', ts, body, new Date('2026-06-01T01:00:01Z'));
      expect(after.split(' ')).toHaveLength(1);
      expect(() => new Webhook(endpoint().secret.slice(6)).verify(body, headers(after))).toThrow();
    } finally {
      Date.now = realNow;
    }
  });
});

describe('retry schedule', () => {
  it('defaults to the contract schedule and follows CLEARWAY_WEBHOOK_SCHEDULE', () => {
    expect(retrySchedule(undefined)).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(retrySchedule('1,2,4')).toEqual([1, 2, 4]);
    expect(nextAttemptDelayS(1, [1, 2, 4])).toBe(1);
    expect(nextAttemptDelayS(4, [1, 2, 4])).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Mon, 01 Jun 2026 00:05:00 GMT', now)).toBe(300);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('what an attempt does (settleAttempt)', () => {
  const at = new Date('2026-06-01T00:00:00Z');
  const fresh = { attempts: [] };
  const schedule = [5, 300, 1800];
  const plus = (s: number) => new Date(at.getTime() + s * 1000).toISOString();

  it('a 2xx delivers, and resets the failure count only when there is one', () => {
    expect(settleAttempt(fresh, { consecutiveFailures: 0 }, { responseStatus: 204, durationMs: 3 }, at, schedule)).toEqual({
      status: 'DELIVERED',
      attempt: { at: at.toISOString(), responseStatus: 204, durationMs: 3 },
    });
    expect(settleAttempt(fresh, { consecutiveFailures: 2 }, { responseStatus: 200, durationMs: 3 }, at, schedule).endpoint).toEqual({
      kind: 'reset',
    });
  });

  it('a failure follows the schedule, then ends failed and counts against the endpoint', () => {
    const first = settleAttempt(fresh, { consecutiveFailures: 0 }, { error: 'connection refused', durationMs: 1 }, at, schedule);
    expect(first).toMatchObject({ status: 'RETRYING', nextAttemptAt: plus(5) });
    expect(first.endpoint).toBeUndefined();
    const three = { attempts: [{}, {}, {}] as never[] };
    const last = settleAttempt(three, { consecutiveFailures: 0 }, { responseStatus: 500, error: 'http 500', durationMs: 1 }, at, schedule);
    expect(last).toMatchObject({ status: 'FAILED', failedAt: at.toISOString(), endpoint: { kind: 'failed', at: at.toISOString() } });
    expect(last.endpoint).not.toHaveProperty('disable');
  });

  it('disables the endpoint when a third delivery in a row ends failed', () => {
    const three = { attempts: [{}, {}, {}] as never[] };
    const s = settleAttempt(three, { consecutiveFailures: 2 }, { error: 'timeout', durationMs: 1 }, at, schedule);
    expect(s.endpoint).toMatchObject({ kind: 'failed', disable: expect.stringContaining('in a row') });
  });

  it('410 Gone ends the delivery and disables the endpoint at once, on the first attempt', () => {
    const s = settleAttempt(fresh, { consecutiveFailures: 0 }, { responseStatus: 410, error: 'http 410', durationMs: 1 }, at, schedule);
    expect(s).toMatchObject({ status: 'FAILED', endpoint: { kind: 'failed', disable: 'the receiver answered 410 Gone' } });
  });

  it('disabling writes the flag, the reason with how to re-enable, when, and a new updatedAt', () => {
    const when = '2026-12-02T06:00:00.000Z';
    const attributes = disabledAttributes('the receiver answered 410 Gone', when);
    expect(attributes).toEqual({
      disabled: true,
      disabledReason: expect.stringMatching(/^disabled at 2026-12-02T06:00:00.000Z: the receiver answered 410 Gone; .*\/enable/),
      disabledAt: when,
      updatedAt: when,
    });
  });

  it.each([429, 503])('%i with Retry-After waits at least that long, capped at the longest delay', (status) => {
    const wait = (retryAfterS: number) =>
      settleAttempt(fresh, { consecutiveFailures: 0 }, { responseStatus: status, retryAfterS, durationMs: 1 }, at, schedule).nextAttemptAt;
    expect(wait(120)).toBe(plus(120));
    expect(wait(1)).toBe(plus(5)); // never sooner than the schedule
    expect(wait(999_999)).toBe(plus(1800)); // capped
  });

  it('a Retry-After on other statuses does not change the schedule', () => {
    const s = settleAttempt(fresh, { consecutiveFailures: 0 }, { responseStatus: 500, retryAfterS: 600, durationMs: 1 }, at, schedule);
    expect(s.nextAttemptAt).toBe(plus(5));
  });

  it('a manual retry or replay starts a new run of the schedule', () => {
    const s = settleAttempt(
      { attempts: [{}, {}, {}, {}] as never[], scheduleFrom: 4 },
      { consecutiveFailures: 0 },
      { error: 'timeout', durationMs: 1 },
      at,
      schedule,
    );
    expect(s).toMatchObject({ status: 'RETRYING', nextAttemptAt: plus(5) });
  });
});

describe('addresses a webhook may reach', () => {
  // Every special-use class, in the spellings a URL parser or a resolver produces.
  it.each([
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation'],
    ['192.31.196.1', 'AS112'],
    ['192.52.193.1', 'AMT'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', 'private'],
    ['192.175.48.1', 'AS112'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:a9fe:a9fe]', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::7f00:1', 'IPv4-compatible (deprecated)'],
    ['::a9fe:a9fe', 'IPv4-compatible (deprecated)'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of link-local'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['100::1', 'discard-only'],
    ['2001::1', 'IETF protocol assignments (Teredo, ORCHID, benchmarking)'],
    ['2001:2::1', 'IETF protocol assignments (Teredo, ORCHID, benchmarking)'],
    ['2001:db8::1', 'documentation'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:a00:1::1', '6to4 of private'],
    ['3fff::1', 'documentation'],
    ['5f00::1', 'segment routing'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local (deprecated)'],
    ['feff::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
    ['1::1', 'reserved (not global unicast)'],
    ['4000::1', 'reserved (not global unicast)'],
  ])('%s is %s', (address, cls) => {
    expect(specialUseClass(address)).toBe(cls);
    expect(addressProblem(address, false)).toContain(cls);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '198.20.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '64:ff9b::808:808',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(specialUseClass(address)).toBeUndefined();
    expect(addressProblem(address, false)).toBeUndefined();
  });

  it('local mode reaches loopback only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(addressProblem(a, true), a).toBeUndefined();
    for (const a of ['8.8.8.8', '10.0.0.1', '169.254.169.254', '::7f00:1', 'fe80::1']) expect(addressProblem(a, true), a).toBeDefined();
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
  });
});

describe('endpoint URLs', () => {
  it.each([
    ['https://hooks.example.com/clearway', false, undefined],
    ['https://[2606:4700:4700::1111]/hook', false, undefined],
    ['http://hooks.example.com/x', false, 'must be https'],
    ['https://10.1.2.3/x', false, 'must not point at a special-use address (private)'],
    ['https://169.254.169.254/latest/meta-data', false, 'must not point at a special-use address (link-local)'],
    ['https://[::ffff:169.254.169.254]/', false, 'must not point at a special-use address (link-local)'],
    ['https://[::ffff:127.0.0.1]/', false, 'must not point at a special-use address (loopback)'],
    ['https://[::7f00:1]/', false, 'must not point at a special-use address (IPv4-compatible (deprecated))'],
    ['https://[64:ff9b::7f00:1]/', false, 'must not point at a special-use address (NAT64 of loopback)'],
    ['https://[fec0::1]/', false, 'must not point at a special-use address (site-local (deprecated))'],
    ['https://198.18.0.1/', false, 'must not point at a special-use address (benchmarking)'],
    ['https://2130706433/', false, 'must not point at a special-use address (loopback)'], // decimal 127.0.0.1
    ['https://0x7f.1/', false, 'must not point at a special-use address (loopback)'],
    ['https://[::1]/x', false, 'must not point at a special-use address (loopback)'],
    ['https://localhost/x', false, 'must not point at a loopback address'],
    ['https://api.localhost/x', false, 'must not point at a loopback address'],
    ['https://user:pw@example.com/', false, 'must not carry credentials'],
    ['http://127.0.0.1:9000/hook', true, undefined],
    ['https://127.0.0.1:9443/hook', true, undefined],
    ['http://localhost:9000/hook', true, undefined],
    ['http://[::1]:9000/hook', true, undefined],
    ['https://hooks.example.com/x', true, 'must be http or https to a loopback address (127.0.0.0/8, ::1, localhost) in local mode'],
    ['http://example.com/hook', true, 'must be http or https to a loopback address (127.0.0.0/8, ::1, localhost) in local mode'],
    ['http://10.0.0.1/hook', true, 'must be http or https to a loopback address (127.0.0.0/8, ::1, localhost) in local mode'],
    ['ftp://127.0.0.1/x', true, 'must be http or https to a loopback address (127.0.0.0/8, ::1, localhost) in local mode'],
    ['not a url', true, 'is not a URL'],
  ])('%s (local %s): %s', (url, local, problem) => {
    expect(urlProblem(url, local)).toBe(problem);
  });
});

describe('the endpoint a PUT makes, and a re-enable (endpointFor, reenabled)', () => {
  const owner = { kind: 'bureau' as const, id: 'HA' };
  const now = '2026-06-01T00:00:00.000Z';

  it('a new endpoint gets a secret and every event of its kind of owner', () => {
    const { endpoint, replayFrom } = endpointFor(undefined, { url: 'https://b.example/' }, owner, now);
    expect(endpoint).toMatchObject({
      owner,
      events: ['step.required', 'step.overdue'],
      secret: expect.stringMatching(/^whsec_/),
      disabled: false,
    });
    expect(replayFrom).toBeUndefined();
  });

  it('an update keeps the secret and the creation time; a disabled endpoint is re-enabled and replays from the start of its failures', () => {
    const existing = {
      ...endpointFor(undefined, { url: 'https://b.example/' }, owner, '2026-01-01T00:00:00.000Z').endpoint,
      disabled: true,
      disabledAt: '2026-05-31T12:00:00.000Z',
      disabledReason: 'x',
      consecutiveFailures: 3,
      failingSince: '2026-05-31T10:00:00.000Z',
    };
    const { endpoint, replayFrom } = endpointFor(existing, { url: 'https://c.example/', events: ['step.overdue'] }, owner, now);
    expect(endpoint).toMatchObject({
      url: 'https://c.example/',
      events: ['step.overdue'],
      secret: existing.secret,
      createdAt: existing.createdAt,
    });
    expect(endpoint).toMatchObject({ disabled: false, consecutiveFailures: 0, replayFrom: '2026-05-31T10:00:00.000Z' });
    expect(endpoint).not.toHaveProperty('disabledReason');
    expect(replayFrom).toBe('2026-05-31T10:00:00.000Z');
    // An unfinished replay is resumed from where it began, even if the endpoint is enabled now.
    expect(reenabled({ ...endpoint, replayFrom: '2026-05-30T00:00:00.000Z' }, now).replayFrom).toBe('2026-05-30T00:00:00.000Z');
    // An enabled endpoint without failures replays nothing.
    expect(reenabled({ ...existing, disabled: false, failingSince: undefined, replayFrom: undefined }, now).replayFrom).toBeUndefined();
  });
});
