/**
 * Optimistic concurrency for use cases: read the current record, let the pure domain decide what
 * changes, commit conditionally on what was read. A commit lost to a concurrent change (another
 * bureau, another officer) is decided again on the new state. This is the one loop that does it.
 */
import { DomainError } from '../domain/errors.js';

/** What an attempt answers when its conditional commit lost to a concurrent change. */
export const LOST_RACE: unique symbol = Symbol('lost race');

/** Attempts per use case call before answering 409: enough for any realistic burst on one record. */
export const MAX_CONFLICT_ATTEMPTS = 8;

/**
 * Runs `attempt` until it answers something other than `LOST_RACE` and answers that; after
 * `maxAttempts` lost races, a 409 problem saying which record is `changing too often`.
 * An attempt that throws (a 404, a 409 from the domain on the new state) ends the loop at once.
 */
export async function retryOnConflict<T>(
  what: string,
  attempt: () => Promise<T | typeof LOST_RACE>,
  maxAttempts = MAX_CONFLICT_ATTEMPTS,
): Promise<T> {
  for (let i = 0; i < maxAttempts; i++) {
    const result = await attempt();
    if (result !== LOST_RACE) return result;
  }
  throw new DomainError('conflict', `${what} is changing too often; try again`);
}
