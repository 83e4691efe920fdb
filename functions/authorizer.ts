/**
 * HTTP API Lambda authorizer (REQUEST, payload 2.0, simple responses). It authenticates only:
 * it resolves the Bearer key to a principal and passes it on as context. It always answers
 * isAuthorized: true so that a missing or unknown key reaches the route as "no principal" and the
 * handler answers with an RFC 9457 problem (API Gateway's own 401/403 bodies are not problem
 * documents). Authorisation by kind, role and bureau is the handler's job.
 */
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { ADMIN_PRINCIPAL_ID, type Principal } from '../shared/domain/principal.js';
import { bearerKey, hashApiKey, sameHash } from '../shared/domain/api-key.js';
import { adminKeyHash } from '../shared/adapters/admin-key.js';
import { dynamoPrincipalStore } from '../shared/adapters/principal-store.js';
import { logger } from '../shared/http/logger.js';

type AuthContext = { principal: string } | { reason: string };

/**
 * Known keys resolved in the last minute, per container (like API Gateway's authorizer cache, but
 * keyed by the key's hash and never caching an unknown key, so a new key works at once). Principals
 * are immutable, so the only staleness is a deleted key living on for up to PRINCIPAL_CACHE_MS.
 */
const PRINCIPAL_CACHE_MS = 60_000;
const PRINCIPAL_CACHE_MAX = 10_000;
const principalCache = new Map<string, { principal: string; until: number }>();

async function resolvePrincipal(hash: string): Promise<string | undefined> {
  const now = Date.now();
  const cached = principalCache.get(hash);
  if (cached && cached.until > now) return cached.principal;
  const principal = await dynamoPrincipalStore.findByKeyHash(hash);
  if (!principal) return undefined;
  const serialized = JSON.stringify(principal);
  if (principalCache.size >= PRINCIPAL_CACHE_MAX) principalCache.delete(principalCache.keys().next().value!);
  principalCache.set(hash, { principal: serialized, until: now + PRINCIPAL_CACHE_MS });
  return serialized;
}

/**
 * API Gateway answers an authorizer that throws with its own bare 500 (`{"message": "Internal
 * Server Error"}`, no request id, no problem document), so this never throws: when the principal
 * cannot be looked up (the table unreachable), the route answers a 503 problem with its request id.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthContext>> {
  try {
    return await authenticate(event);
  } catch (error) {
    logger.error('authorizer could not resolve the key', { error: error as Error, requestId: event.requestContext?.requestId });
    return { isAuthorized: true, context: { reason: 'unavailable' } };
  }
}

async function authenticate(event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthContext>> {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const { key, reason } = bearerKey(header);
  if (!key) return { isAuthorized: true, context: { reason: reason! } };
  const hash = hashApiKey(key);
  const admin = await adminKeyHash();
  if (admin && sameHash(hash, admin)) {
    const principal: Principal = { id: ADMIN_PRINCIPAL_ID, kind: 'admin' };
    return { isAuthorized: true, context: { principal: JSON.stringify(principal) } };
  }
  const principal = await resolvePrincipal(hash);
  if (!principal) {
    logger.info('unknown API key', { requestId: event.requestContext.requestId });
    return { isAuthorized: true, context: { reason: 'unknown' } };
  }
  return { isAuthorized: true, context: { principal } };
}
