/**
 * Certificates anyone can verify offline (contract section 17): the canonical certificate content
 * as a compact JWS (RFC 7515) signed ES256 (ECDSA P-256 with SHA-256, RFC 7518 section 3.4) by
 * whatever holds the region's private key, behind the `Signer` port: AWS KMS in the cloud, a key
 * file in the data directory locally. Verifiers need only the public keys (`GET /.well-known/jwks.json`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Release } from './declaration.js';
import type { DeclarationTransition } from './transition.js';

export const CERTIFICATE_JWS_ALG = 'ES256';

/** A public signing key as published in the JWKS (RFC 7517), kid = its RFC 7638 thumbprint. */
export type PublicSigningJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };

/** The key that signs now: its kid goes into the protected header before signing. */
export interface SigningKey {
  readonly kid: string;
  /** ES256 over the JWS signing input, as JOSE wants it: raw r||s, 64 bytes. */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}

/** The port: the current signing key, and every public key a certificate may name. */
export interface Signer {
  current(): Promise<SigningKey>;
  /** The current key and every earlier one still needed to verify an issued certificate. */
  publicKeys(): Promise<PublicSigningJwk[]>;
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** Compact JWS of the canonical content; the payload bytes are exactly `canonicalJson(content)`. */
export async function signCompactJws(content: object, signer: Signer): Promise<string> {
  const key = await signer.current();
  const signingInput = `${b64url(JSON.stringify({ alg: CERTIFICATE_JWS_ALG, kid: key.kid }))}.${b64url(canonicalJson(content))}`;
  const signature = await key.sign(Buffer.from(signingInput, 'ascii'));
  if (signature.length !== 64) throw new Error(`an ES256 signature is 64 bytes (r||s), got ${signature.length}`);
  return `${signingInput}.${b64url(signature)}`;
}

/**
 * What a compact JWS signs, parsed: the payload segment's JSON (for a certificate, its canonical
 * content, so the certificate as issued can be read back from its JWS alone). Undefined when the
 * string is not three segments or the payload is not a JSON object.
 */
export function jwsPayload(jws: string): Record<string, unknown> | undefined {
  const segments = jws.split('.');
  if (segments.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(segments[1]!, 'base64url').toString('utf8')) as unknown;
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7638 thumbprint of an EC public key: SHA-256 of its required members in lexical order. */
export function jwkThumbprint(jwk: { crv: string; x: string; y: string }): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y })).digest('base64url');
}

export function publicJwk(jwk: { crv?: string; x?: string; y?: string }): PublicSigningJwk {
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('certificate signing keys are EC P-256');
  const { x, y } = jwk;
  return { kty: 'EC', crv: 'P-256', x, y, kid: jwkThumbprint({ crv: 'P-256', x, y }), alg: CERTIFICATE_JWS_ALG, use: 'sig' };
}

/**
 * ECDSA signatures from AWS KMS (and OpenSSL's default) are DER: SEQUENCE { INTEGER r, INTEGER s }.
 * JWS wants the two integers as fixed-size big-endian octets concatenated (RFC 7518 section 3.4).
 * DER integers are minimal and signed: a leading 0x00 is stripped, a short one left-padded.
 */
export function derToJoseSignature(der: Uint8Array, size = 32): Uint8Array {
  let at = 0;
  const expect = (tag: number) => {
    if (der[at++] !== tag) throw new Error('not a DER ECDSA signature');
  };
  const length = () => {
    let n = der[at++]!;
    if (n & 0x80) {
      const bytes = n & 0x7f;
      n = 0;
      for (let i = 0; i < bytes; i++) n = (n << 8) | der[at++]!;
    }
    return n;
  };
  expect(0x30);
  const seqEnd = length() + at;
  if (seqEnd !== der.length) throw new Error('not a DER ECDSA signature: trailing or missing bytes');
  const out = new Uint8Array(size * 2);
  for (const half of [0, 1]) {
    expect(0x02);
    const n = length();
    let int = der.subarray(at, at + n);
    at += n;
    while (int.length > size && int[0] === 0) int = int.subarray(1);
    if (int.length > size) throw new Error('DER integer longer than the curve size');
    out.set(int, half * size + size - int.length);
  }
  if (at !== seqEnd) throw new Error('not a DER ECDSA signature: trailing bytes');
  return out;
}

/**
 * A releasing transition completed with its certificate's JWS: in the stored certificate, in the
 * declaration's release, and in the events that report the release, so all three say the same.
 */
export function withCertificateJws(t: DeclarationTransition, jws: string): DeclarationTransition {
  const no = t.certificate?.content.certificateNo;
  if (!no) return t;
  const add = <R extends Release | null | undefined>(release: R): R => (release && release.certificateNo === no ? { ...release, jws } : release);
  return {
    ...t,
    certificate: { ...t.certificate!, jws },
    set: 'release' in t.set ? { ...t.set, release: add(t.set.release) } : t.set,
    record: { ...t.record, release: add(t.record.release) },
    events: t.events.map((e) => {
      const release = e.data.release as Release | undefined;
      return release?.certificateNo === no ? { ...e, data: { ...e.data, release: add(release) } } : e;
    }),
  };
}
