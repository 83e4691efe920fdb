import { describe, expect, it } from 'vitest';
import { isPrivateAddress, nextAttemptDelayS, retrySchedule, signature, urlProblem } from '../../shared/domain/webhook.js';

describe('Standard Webhooks signature', () => {
  it('matches the example of the specification', () => {
    expect(signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });
});

describe('retry schedule', () => {
  it('defaults to the contract schedule and follows CLEARWAY_WEBHOOK_SCHEDULE', () => {
    expect(retrySchedule(undefined)).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(retrySchedule('1,2,4')).toEqual([1, 2, 4]);
    expect(nextAttemptDelayS(1, [1, 2, 4])).toBe(1);
    expect(nextAttemptDelayS(4, [1, 2, 4])).toBeUndefined();
  });
});

describe('endpoint URLs', () => {
  it.each([
    ['https://hooks.example.com/clearway', false, undefined],
    ['http://hooks.example.com/x', false, 'must be https'],
    ['https://10.1.2.3/x', false, 'must not point at a private, loopback or link-local address'],
    ['https://169.254.169.254/latest/meta-data', false, 'must not point at a private, loopback or link-local address'],
    ['https://[::1]/x', false, 'must not point at a private, loopback or link-local address'],
    ['https://localhost/x', false, 'must not point at a private, loopback or link-local address'],
    ['https://user:pw@example.com/', false, 'must not carry credentials'],
    ['http://127.0.0.1:9000/hook', true, undefined],
    ['http://localhost:9000/hook', true, undefined],
    ['http://example.com/hook', true, 'must be https, or http to a loopback address in local mode'],
    ['ftp://127.0.0.1/x', true, 'must be https, or http to a loopback address in local mode'],
    ['not a url', true, 'is not a URL'],
  ])('%s (local %s): %s', (url, local, problem) => {
    expect(urlProblem(url, local)).toBe(problem);
  });
  it('knows private ranges', () => {
    for (const a of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '2001:db8::1']) expect(isPrivateAddress(a), a).toBe(false);
  });
});
