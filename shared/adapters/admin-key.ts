/**
 * The admin key. Local mode: `CLEARWAY_ADMIN_KEY` (default `local-admin-key`). Cloud: a Secrets
 * Manager secret (ADMIN_KEY_SECRET_ARN), cached for five minutes; the local default, or anything
 * shorter than 24 characters, is refused there so a cloud deployment never runs with it.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { hashApiKey } from '../domain/api-key.js';

export const LOCAL_DEFAULT_ADMIN_KEY = 'local-admin-key';

export function isLocalMode(): boolean {
  return process.env.CLEARWAY_MODE === 'local';
}

let cached: { hash: string } | undefined;

export async function adminKeyHash(): Promise<string | undefined> {
  if (isLocalMode()) {
    cached ??= { hash: hashApiKey(process.env.CLEARWAY_ADMIN_KEY || LOCAL_DEFAULT_ADMIN_KEY) };
    return cached.hash;
  }
  const arn = process.env.ADMIN_KEY_SECRET_ARN;
  if (!arn) return undefined;
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value === LOCAL_DEFAULT_ADMIN_KEY || value.length < 24) {
    throw new Error('the admin key secret is missing, too short or the local default: refusing to accept it');
  }
  return hashApiKey(value);
}
