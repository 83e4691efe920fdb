/**
 * Secrets: in local mode from an environment variable (with a local default); in the cloud from
 * Secrets Manager (ARN in `<name>_SECRET_ARN`), cached five minutes. A cloud deployment refuses a
 * missing, short or local-default value.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

export function isLocalMode(): boolean {
  return process.env.CLEARWAY_MODE === 'local';
}

export async function secretValue(options: { localEnv: string; localDefault: string; arnEnv: string }): Promise<string> {
  if (isLocalMode()) return process.env[options.localEnv] || options.localDefault;
  const arn = process.env[options.arnEnv];
  if (!arn) throw new Error(`${options.arnEnv} is not set`);
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value === options.localDefault || value.length < 24) {
    throw new Error(`the secret ${options.arnEnv} is missing, too short or the local default: refusing it`);
  }
  return value;
}
