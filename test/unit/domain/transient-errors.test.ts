import { describe, expect, it } from 'vitest';
import { isOverloadError, isTransient, isUnavailable } from '../../../shared/domain/transient-errors.js';
import { countsAgainstDeclaration } from '../../../shared/domain/audit-parking.js';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
const cancelled = (...codes: string[]) => named('TransactionCanceledException', { CancellationReasons: codes.map((Code) => ({ Code })) });

describe('which failures are load or an outage (one classification for HTTP and audit)', () => {
  it('throttles, timeouts and contention-only cancellations are overload', () => {
    for (const name of [
      'ThrottlingException',
      'ProvisionedThroughputExceededException',
      'RequestLimitExceeded',
      'TooManyRequestsException',
      'TimeoutError',
    ])
      expect(isOverloadError(named(name)), name).toBe(true);
    expect(isOverloadError(named('X', { $retryable: { throttling: true } }))).toBe(true);
    expect(isOverloadError(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isOverloadError(cancelled('ThrottlingError'))).toBe(true);
  });

  it('a transaction cancelled by a failed condition is the caller’s business, not load', () => {
    expect(isOverloadError(cancelled('ConditionalCheckFailed', 'None'))).toBe(false);
    expect(isTransient(cancelled('ConditionalCheckFailed'))).toBe(false);
  });

  it('unreachable, 5xx and aborted calls are unavailable, also when wrapped as a cause', () => {
    expect(isUnavailable(named('Error', { code: 'ECONNRESET' }))).toBe(true);
    expect(isUnavailable(named('AbortError'))).toBe(true);
    expect(isUnavailable(named('InternalFailure', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isUnavailable(new Error('wrapped', { cause: named('Error', { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isUnavailable(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });

  it('a cycle of causes ends', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isUnavailable(a)).toBe(false);
  });

  it('nothing that is not an object is transient', () => {
    for (const v of [undefined, null, 'ThrottlingException', 503]) expect(isTransient(v)).toBe(false);
  });

  it('the audit worker no longer counts a throttle by another name or lost contention against a declaration', () => {
    expect(countsAgainstDeclaration(named('TooManyRequestsException'))).toBe(false);
    expect(countsAgainstDeclaration(cancelled('TransactionConflict'))).toBe(false);
    expect(countsAgainstDeclaration(cancelled('ConditionalCheckFailed'))).toBe(true);
    expect(countsAgainstDeclaration(new TypeError("Cannot read properties of undefined (reading 'lines')"))).toBe(true);
  });
});
