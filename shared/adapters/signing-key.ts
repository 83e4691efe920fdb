/** The certificate signing key: CLEARWAY_SIGNING_KEY locally, a Secrets Manager secret in the cloud. */
import { secretValue } from './secrets.js';

export const signingKey = () =>
  secretValue({ localEnv: 'CLEARWAY_SIGNING_KEY', localDefault: 'local-signing-key', arnEnv: 'SIGNING_KEY_SECRET_ARN' });
