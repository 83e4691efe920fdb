/**
 * The production `Signer` for certificates: AWS KMS in the cloud (CERTIFICATE_SIGNING_KEY_ID, and
 * CERTIFICATE_VERIFY_KEY_IDS for earlier keys still published), key files locally
 * (CLEARWAY_CERTIFICATE_KEYS_DIR, by default `<data dir>/certificate-keys`).
 */
import path from 'node:path';
import type { Signer } from '../domain/certificate-jws.js';
import { KmsSigner } from './kms-signer.js';
import { LocalSigner } from './local-signer.js';
import { isLocalMode } from './secrets.js';

export function localCertificateKeysDir(env = process.env): string {
  return env.CLEARWAY_CERTIFICATE_KEYS_DIR || path.resolve(env.CLEARWAY_DATA_DIR || '.clearway', 'certificate-keys');
}

let signer: Signer | undefined;

export function certificateSigner(): Signer {
  if (signer) return signer;
  if (isLocalMode()) return (signer = new LocalSigner(localCertificateKeysDir()));
  const current = process.env.CERTIFICATE_SIGNING_KEY_ID;
  if (!current) throw new Error('CERTIFICATE_SIGNING_KEY_ID is not set');
  const earlier = (process.env.CERTIFICATE_VERIFY_KEY_IDS ?? '').split(',').filter(Boolean);
  return (signer = new KmsSigner(current, earlier));
}
