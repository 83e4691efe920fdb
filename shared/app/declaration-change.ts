/**
 * The one way a use case changes a declaration: read it, let a pure transition decide
 * (shared/domain/transition.ts), apply the result as one conditional transaction, and when another
 * change committed in between (the version moved), decide again on the new state: the one the
 * failed commit brought back when the store returns it, else read again.
 * Transitions throw DomainErrors for what the client got wrong; those pass through unchanged.
 */
import { declarationStore, type LostRace } from '../adapters/declaration-store.js';
import type { DeclarationRecord } from '../domain/declaration.js';
import { notFound } from '../domain/errors.js';
import type { DeclarationTransition } from '../domain/transition.js';
import { LOST_RACE, retryOnConflict } from './conflict-retry.js';

/** The store operations a declaration change needs (the DynamoDB store in production). */
export type DeclarationChangeStore = {
  get(id: string): Promise<DeclarationRecord | undefined>;
  /**
   * Commits `t` if the declaration is still as it was read: true, or for a lost race false or
   * (when the store had it at hand) the declaration as the winner left it.
   */
  apply(t: DeclarationTransition): Promise<boolean | LostRace>;
  /** Several transitions at once, in fewer transactions than one `apply` each; answers by position. */
  applyMany?(ts: DeclarationTransition[]): Promise<PromiseSettledResult<boolean | LostRace>[]>;
  /**
   * Completes a releasing transition with what cannot be computed purely (the certificate's JWS,
   * signed by KMS in the cloud) before it is applied. Stores without it apply transitions as they are.
   */
  certify?(t: DeclarationTransition): Promise<DeclarationTransition>;
};

const MAX_ATTEMPTS = 6;

/**
 * Applies `decide(current)` to declaration `id`. `decide` may return undefined for "nothing to do"
 * (e.g. an audit redelivered after it committed); the answer is then undefined. `initial`, when
 * the caller has just read the record, saves the first read; a lost race that brings the winner's
 * record back saves the next.
 */
export async function changeDeclaration(
  id: string,
  decide: (current: DeclarationRecord) => DeclarationTransition | undefined,
  store: DeclarationChangeStore = declarationStore,
  initial?: DeclarationRecord,
): Promise<DeclarationTransition | undefined> {
  // What the next attempt decides on without reading: the caller's record, then a race's winner.
  let known = initial;
  return retryOnConflict(
    `declaration ${id}`,
    async () => {
      const current = known ?? (await store.get(id));
      known = undefined;
      if (!current) throw notFound(`declaration ${id}`);
      const decided = decide(current);
      if (!decided) return undefined;
      const t = decided.certificate && store.certify ? await store.certify(decided) : decided;
      const outcome = await store.apply(t);
      if (outcome === true) return t;
      // Lost: another change committed in between; decide again on the new state.
      if (outcome !== false) known = outcome.current;
      return LOST_RACE;
    },
    MAX_ATTEMPTS,
  );
}
