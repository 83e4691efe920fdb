/**
 * Failures the domain reports. The HTTP layer maps each kind to one problem type; nothing here
 * knows about HTTP or AWS.
 */
export type FieldError = { path: string; message: string };

export type DomainErrorKind =
  | 'invalid' // 400: the request is well-formed JSON but breaks a rule (fields named in `errors`)
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'too-large' // 413
  | 'overloaded'; // 503 with Retry-After: refused before anything was stored (contract section 16)

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly errors?: FieldError[],
    readonly extensions?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, errors?: FieldError[]) => new DomainError('invalid', message, errors);
export const notFound = (what: string) => new DomainError('not-found', `${what} was not found`);
export const conflict = (message: string, extensions?: Record<string, unknown>) =>
  new DomainError('conflict', message, undefined, extensions);
export const forbidden = (message: string) => new DomainError('forbidden', message);
/** The platform would break its latency bound: try again after `retryAfterS` seconds. Nothing was stored. */
export const overloaded = (message: string, retryAfterS: number) =>
  new DomainError('overloaded', message, undefined, { retryAfterSeconds: retryAfterS });
