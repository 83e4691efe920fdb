/**
 * Certificates verifiable offline (contract section 17). A releasing transition's certificate is
 * signed as a compact JWS by the declaration store's `certify` step (shared/app/declaration-change.ts)
 * before it commits; this publishes the public keys and the QR payload. The signer is a port with
 * the production one (KMS in the cloud, key files locally) as default.
 */
import { certificateSigner } from '../adapters/certificate-signer.js';
import type { Signer } from '../domain/certificate-jws.js';

/** `GET /.well-known/jwks.json`: what an offline verifier needs, and nothing secret. */
export async function certificateJwks(signer: Signer = certificateSigner()) {
  return { keys: await signer.publicKeys() };
}

/**
 * What a QR code on the printed certificate carries: the number and the JWS, so a scanner can
 * verify offline. A QR code holds at most 2,953 bytes (version 40, level L, byte mode).
 */
export const QR_MAX_BYTES = 2953;
export function certificateQrPayload(certificateNo: string, jws: string) {
  const payload = `CLEARWAY-CERT:${certificateNo}:${jws}`;
  const bytes = Buffer.byteLength(payload);
  return { payload, bytes, fitsOneCode: bytes <= QR_MAX_BYTES };
}
