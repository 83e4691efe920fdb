/**
 * Electronic release certificates (contract section 8). The digest is SHA-256 over the canonical
 * JSON of what the certificate states; the signature is an HMAC-SHA256 of the digest with the
 * platform's signing key, so `GET /certificates/{no}` can prove a certificate genuine and unaltered.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CertificateContent } from '../schemas/declaration.js';
import { canonicalJson, totalValueUsd, type DeclarationRecord } from './declaration.js';
import type { Sealer } from './transition.js';
import type { Release } from './declaration.js';

export type { CertificateContent } from '../schemas/declaration.js';

export function certificateNumber(d: Pick<DeclarationRecord, 'id'>, bureau: string, releasedAt: string): string {
  return `CW${bureau}${releasedAt.slice(0, 10).replaceAll('-', '')}${d.id.slice(-12)}`;
}

export function certificateContent(
  d: Pick<DeclarationRecord, 'id' | 'enterpriseId' | 'direction' | 'originCountry' | 'destinationCountry' | 'lines'>,
  bureau: string,
  releasedAt: string,
  mode: Release['mode'],
): CertificateContent {
  return {
    certificateNo: certificateNumber(d, bureau, releasedAt),
    declarationId: d.id,
    enterpriseId: d.enterpriseId,
    direction: d.direction,
    bureau,
    releasedAt,
    mode,
    originCountry: d.originCountry,
    destinationCountry: d.destinationCountry,
    lines: d.lines.map((l) => ({ hsCode: l.hsCode, quantity: l.quantity, unit: l.unit, valueUsd: l.valueUsd })),
    totalValueUsd: totalValueUsd(d),
  };
}

export const digestOf = (content: CertificateContent) => createHash('sha256').update(canonicalJson(content)).digest('hex');
export const sign = (digest: string, key: string) => createHmac('sha256', key).update(digest).digest('base64url');

/** The platform's seal: SHA-256 digest of the canonical content, HMAC-SHA256 of the digest. */
export function hmacSealer(key: string): Sealer {
  return (content) => {
    const digest = digestOf(content);
    return { digest, signature: sign(digest, key) };
  };
}

/** Genuine: the signature is ours over this digest; unaltered: the digest matches the content. */
export function verifyCertificate(
  content: CertificateContent,
  digest: string,
  signature: string,
  key: string,
): { genuine: boolean; unaltered: boolean } {
  const expected = Buffer.from(sign(digest, key));
  const given = Buffer.from(signature);
  return { genuine: expected.length === given.length && timingSafeEqual(expected, given), unaltered: digestOf(content) === digest };
}
