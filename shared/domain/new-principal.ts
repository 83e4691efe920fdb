/** Creating principals (contract section 2): the key is generated here and returned once. */
import type { CreatePrincipalRequest } from '../schemas/principal.js';
import { hashApiKey, newApiKey } from './api-key.js';
import { invalid } from './errors.js';
import { timeOrderedId } from './ids.js';
import type { Principal } from './principal.js';

export type NewPrincipal = { principal: Principal; apiKey: string; keyHash: string };

export function newPrincipal(input: CreatePrincipalRequest): NewPrincipal {
  const apiKey = newApiKey(input.kind);
  const id = `prn_${timeOrderedId()}`;
  const principal: Principal =
    input.kind === 'enterprise'
      ? { id, kind: 'enterprise', enterpriseId: input.enterpriseId }
      : input.kind === 'officer'
        ? { id, kind: 'officer', bureau: input.bureau, roles: input.roles }
        : { id, kind: 'admin' };
  return { principal, apiKey, keyHash: hashApiKey(apiKey) };
}

/** An enterprise principal may only be created for an enterprise registered in the region. */
export function requireRegistered(enterpriseId: string, registered: boolean): void {
  if (!registered) {
    throw invalid('the enterprise is not registered', [
      { path: 'enterpriseId', message: 'is not a registered enterprise (POST /enterprises first)' },
    ]);
  }
}
