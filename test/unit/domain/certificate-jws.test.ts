import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { compactVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { KmsSigner } from '../../../shared/adapters/kms-signer.js';
import { derToJoseSignature, jwkThumbprint, jwsPayload, signCompactJws } from '../../../shared/domain/certificate-jws.js';
import { canonicalJson } from '../../../shared/domain/declaration.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('DER to JOSE ECDSA signatures', () => {
  it('gives the raw r||s that verifies, over many signatures (short and sign-padded integers included)', () => {
    let padded = 0;
    let short = 0;
    // r shorter than 32 bytes happens once in ~256 signatures: sign until two were seen.
    for (let i = 0; i < 400 || (short < 2 && i < 20_000); i++) {
      const message = randomBytes(32);
      const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
      const rLength = der[3]!;
      if (rLength === 33) padded++;
      if (rLength < 32) short++;
      const raw = derToJoseSignature(der);
      expect(raw).toHaveLength(64);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    }
    expect(padded).toBeGreaterThan(100); // about half of all r have the high bit set
    expect(short).toBeGreaterThanOrEqual(2);
  });

  it('refuses what is not a DER signature', () => {
    expect(() => derToJoseSignature(new Uint8Array(64))).toThrow(/not a DER/);
    const der = sign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'der' });
    expect(() => derToJoseSignature(Buffer.concat([der, Buffer.from([0])]))).toThrow(/not a DER/);
  });
});

describe('the KMS signer (against a stand-in for KMS that answers as KMS does)', () => {
  const kmsKeys = new Map([
    ['key-current', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['key-earlier', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ]);
  const sent: unknown[] = [];
  // Node cannot ECDSA-sign a bare digest, so the stand-in signs the message the test announces,
  // after checking that the digest KMS receives is that message's SHA-256.
  const announced = new Map<string, Buffer>();
  const announce = (signingInput: string) =>
    announced.set(createHash('sha256').update(signingInput).digest('hex'), Buffer.from(signingInput));
  const kms = {
    send: async (command: GetPublicKeyCommand | SignCommand) => {
      sent.push(command.input);
      const pair = kmsKeys.get(command.input.KeyId!)!;
      if (command instanceof GetPublicKeyCommand)
        return { KeySpec: 'ECC_NIST_P256', PublicKey: pair.publicKey.export({ format: 'der', type: 'spki' }) };
      // MessageType DIGEST: KMS signs the given SHA-256 digest as is, answering DER.
      const input = (command as SignCommand).input;
      expect(input).toMatchObject({ MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
      const message = announced.get(Buffer.from(input.Message!).toString('hex'));
      if (!message) throw new Error('KMS received a digest of something unexpected');
      const signature = sign('sha256', message, { key: pair.privateKey, dsaEncoding: 'der' });
      return { Signature: new Uint8Array(signature) };
    },
  } as unknown as KMSClient;

  it('signs a compact JWS that jose verifies against the published keys, naming the key by its thumbprint', async () => {
    const signer = new KmsSigner('key-current', ['key-earlier'], kms);
    const content = { certificateNo: 'CWHA20261201ABC', totalValueUsd: 10, lines: [{ hsCode: '8471300000' }] };
    const keys = await signer.publicKeys();
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    announce(`${b64(JSON.stringify({ alg: 'ES256', kid: keys[0]!.kid }))}.${b64(canonicalJson(content))}`);
    const jws = await signCompactJws(content, signer);
    expect(keys.map((k) => k.kid)).toEqual(keys.map((k) => jwkThumbprint(k)));
    expect(keys).toHaveLength(2);
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet({ keys }));
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: keys[0]!.kid });
    expect(new TextDecoder().decode(payload)).toBe(canonicalJson(content));
    // The certificate as issued reads back from its JWS alone (GET /certificates/{no}).
    expect(jwsPayload(jws)).toEqual(content);
    // Public keys are read once per container.
    await signCompactJws(content, signer);
    expect(sent.filter((input) => !(input as { Message?: unknown }).Message)).toHaveLength(2);
  });

  it('refuses a KMS key that is not P-256', async () => {
    const wrong = { send: async () => ({ KeySpec: 'RSA_2048', PublicKey: new Uint8Array(1) }) } as unknown as KMSClient;
    await expect(new KmsSigner('k', [], wrong).current()).rejects.toThrow(/not ECC_NIST_P256/);
  });
});

describe('a JWS payload read back', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  it('is the JSON object the JWS signs, or nothing for what is not one', () => {
    expect(jwsPayload(`${b64('{}')}.${b64('{"a":[1,2]}')}.sig`)).toEqual({ a: [1, 2] });
    for (const notOne of [
      `${b64('{}')}.${b64('{"a":1}')}`,
      `a.${b64('[1]')}.c`,
      `a.${b64('not json')}.c`,
      `a.${b64('null')}.c`,
      'a.b.c.d',
      '',
    ])
      expect(jwsPayload(notOne)).toBeUndefined();
  });
});
