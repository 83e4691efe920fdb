/**
 * Contract section 17: a certificate is a compact JWS anyone verifies offline with a standard JOSE
 * library against the published JWKS alone; a changed byte fails; rotation keeps old ones valid.
 */
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { handler as certificates } from '../../functions/http/certificates.js';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { seed } from '../../functions/seed.js';
import { localCertificateKeysDir } from '../../shared/adapters/certificate-signer.js';
import { rotateLocalSigningKey } from '../../shared/adapters/local-signer.js';
import { admin, call, enterprise, lambdaContext } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

beforeAll(async () => {
  await seed();
});

/** A clean AA export released on documents (AA is sampled 1%: take the next one if drawn). */
async function released() {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Offline Verify Co', registeredBureau: 'SD', creditLevel: 'AA' },
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code) });
    await auditWorker({ Records: [{ messageId: 'm', body: JSON.stringify({ declarationId: accepted.id }) }] } as never, lambdaContext);
    const { body } = await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id: accepted.id } });
    if (body.status === 'RELEASED') return body;
  }
  throw new Error('five sampled draws in a row at 1%');
}

const jwks = async () => {
  const res = await call(certificates, 'GET /.well-known/jwks.json');
  expect(res.status).toBe(200);
  return res.body as JSONWebKeySet;
};

const verify = async (jws: string, set: JSONWebKeySet) => {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(set));
  return { content: JSON.parse(new TextDecoder().decode(payload)), protectedHeader };
};

/** Flips one character of a segment to another base64url character (so it still parses). */
function tamper(jws: string, segment: number): string {
  const parts = jws.split('.');
  const s = parts[segment]!;
  const i = Math.floor(s.length / 2);
  parts[segment] = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  return parts.join('.');
}

describe('certificates verifiable offline (JWS against the JWKS only)', () => {
  it('issues release.jws over the canonical content, including certificateNo, that jose verifies with the JWKS alone', async () => {
    const d = await released();
    const set = await jwks();
    expect(set.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of set.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(key).not.toHaveProperty('d'); // never the private part
    }
    const { content, protectedHeader } = await verify(d.release.jws, set);
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: set.keys[0]!.kid });
    const view = await call(certificates, 'GET /certificates/{no}', { params: { no: d.release.certificateNo } });
    expect(view.body).toMatchObject({ genuine: true, unaltered: true, jws: d.release.jws, digest: d.release.digest });
    expect(content).toEqual(view.body.content);
    expect(content).toMatchObject({ certificateNo: d.release.certificateNo, declarationId: d.id, enterpriseId: d.enterpriseId });
    expect(view.body.qr).toEqual({
      payload: `CLEARWAY-CERT:${d.release.certificateNo}:${d.release.jws}`,
      bytes: expect.any(Number),
      fitsOneCode: true,
    });
    expect(view.headers['cache-control']).toBe('no-store');
  });

  it('fails when one byte of the payload, the header or the signature is changed', async () => {
    const d = await released();
    const set = await jwks();
    await expect(verify(d.release.jws, set)).resolves.toBeDefined();
    for (const segment of [0, 1, 2]) await expect(verify(tamper(d.release.jws, segment), set)).rejects.toThrow();
    // A payload re-encoded with one value changed, keeping the original signature.
    const [header, payload, signature] = d.release.jws.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    forged.totalValueUsd += 1;
    await expect(verify(`${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`, set)).rejects.toThrow(
      /signature verification failed/,
    );
  });

  it('keeps certificates signed before a key rotation verifiable, and signs new ones with the new key', async () => {
    const before = await released();
    const oldKid = (await jwks()).keys[0]!.kid;
    const newKid = rotateLocalSigningKey(localCertificateKeysDir());
    expect(newKid).not.toBe(oldKid);
    const after = await released();
    const set = await jwks();
    expect(set.keys[0]!.kid).toBe(newKid); // current first
    expect(set.keys.map((k) => k.kid)).toContain(oldKid);
    expect((await verify(after.release.jws, set)).protectedHeader.kid).toBe(newKid);
    expect((await verify(before.release.jws, set)).protectedHeader.kid).toBe(oldKid);
    // Only the JWKS matters: without the old key, the old certificate no longer verifies.
    await expect(verify(before.release.jws, { keys: set.keys.filter((k) => k.kid !== oldKid) })).rejects.toThrow();
  });
});
