/**
 * The admin key. Local mode: `CLEARWAY_ADMIN_KEY` (default `local-admin-key`). Cloud: a Secrets
 * Manager secret; the local default is refused there, so a cloud deployment never runs with it.
 */
import { hashApiKey } from '../domain/api-key.js';
import { secretValue } from './secrets.js';

export const LOCAL_DEFAULT_ADMIN_KEY = 'local-admin-key';

export async function adminKeyHash(): Promise<string> {
  return hashApiKey(
    await secretValue({ localEnv: 'CLEARWAY_ADMIN_KEY', localDefault: LOCAL_DEFAULT_ADMIN_KEY, arnEnv: 'ADMIN_KEY_SECRET_ARN' }),
  );
}
