/**
 * The one way a use case changes a declaration: read it, let a pure transition decide
 * (shared/domain/transition.ts), apply the result as one conditional transaction, and when another
 * change committed in between (the version moved), read again and decide on the new state.
 * Transitions throw DomainErrors for what the client got wrong; those pass through unchanged.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import type { DeclarationRecord } from '../domain/declaration.js';
import { notFound } from '../domain/errors.js';
import type { DeclarationTransition } from '../domain/transition.js';
import { LOST_RACE, retryOnConflict } from './conflict-retry.js';

/** The store operations a declaration change needs (the DynamoDB store in production). */
export type DeclarationChangeStore = {
  get(id: string): Promise<DeclarationRecord | undefined>;
  apply(t: DeclarationTransition): Promise<boolean>;
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
 * the caller has just read the record, saves the first read.
 */
export async function changeDeclaration(
  id: string,
  decide: (current: DeclarationRecord) => DeclarationTransition | undefined,
  store: DeclarationChangeStore = declarationStore,
  initial?: DeclarationRecord,
): Promise<DeclarationTransition | undefined> {
  let attempt = 0;
  return retryOnConflict(
    `declaration ${id}`,
    async () => {
      const current = attempt++ === 0 && initial ? initial : await store.get(id);
      if (!current) throw notFound(`declaration ${id}`);
      const decided = decide(current);
      if (!decided) return undefined;
      const t = decided.certificate && store.certify ? await store.certify(decided) : decided;
      // Lost: another change committed in between; read again and decide on the new state.
      return (await store.apply(t)) ? t : LOST_RACE;
    },
    MAX_ATTEMPTS,
  );
}
