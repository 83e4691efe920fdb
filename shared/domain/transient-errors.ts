/**
 * Which failures are load or an outage rather than a fault: one classification for the HTTP
 * functions (a 503 with Retry-After instead of a 500) and the audit worker (a transient failure is
 * not counted against the declaration, so it never parks it). Pure: it reads only the error's
 * name, code and the AWS SDK's metadata, so no SDK import is needed.
 */

type ErrorShape = {
  name?: string;
  code?: unknown;
  cause?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: { Code?: string }[];
};

const shapeOf = (error: unknown): ErrorShape | undefined =>
  error !== null && typeof error === 'object' ? (error as ErrorShape) : undefined;

/** Throttled, or the call gave up waiting: too much load right now. */
const OVERLOAD_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'TimeoutError',
]);

/** The service is down, busy or unreachable, or the call was aborted (a timeout's signal). */
const UNAVAILABLE_NAMES = new Set([
  'ServiceUnavailable',
  'InternalServerError',
  'TransactionInProgressException',
  'TransactionConflictException',
  'AbortError',
]);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * Load, not a fault: DynamoDB or SQS throttled the call (the SDK marks throttles retryable), the
 * call timed out, or a transaction was cancelled only by contention or throttling.
 */
export function isOverloadError(error: unknown): boolean {
  const e = shapeOf(error);
  if (!e) return false;
  if (e.$retryable?.throttling || OVERLOAD_NAMES.has(e.name ?? '')) return true;
  return (
    e.name === 'TransactionCanceledException' &&
    !!e.CancellationReasons?.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError')
  );
}

/** A backing service could not be reached or answered 5xx: worth a retry shortly. Follows `cause`. */
export function isUnavailable(error: unknown, depth = 0): boolean {
  const e = shapeOf(error);
  if (!e) return false;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (UNAVAILABLE_NAMES.has(e.name ?? '') || OVERLOAD_NAMES.has(e.name ?? '')) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return depth < 5 && e.cause !== undefined && e.cause !== error && isUnavailable(e.cause, depth + 1);
}

/** Either of the above, or an error the SDK itself marks retryable. */
export function isTransient(error: unknown): boolean {
  const e = shapeOf(error);
  return !!e && (!!e.$retryable || isOverloadError(error) || isUnavailable(error));
}
