/**
 * Cloud certificate signing: an AWS KMS asymmetric key, key spec ECC_NIST_P256, signing algorithm
 * ECDSA_SHA_256 (= JOSE ES256). The private key never leaves KMS. We send the SHA-256 digest of the
 * signing input (MessageType DIGEST: no 4 KB message limit) and convert KMS's DER signature to the
 * raw r||s JWS needs. Public keys come from GetPublicKey and never change, so each container reads
 * them once. Rotation (infra/certificate-keys.ts) adds a key; earlier ones stay published.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { derToJoseSignature, publicJwk, type PublicSigningJwk, type Signer, type SigningKey } from '../domain/certificate-jws.js';

export class KmsSigner implements Signer {
  private readonly jwks = new Map<string, Promise<PublicSigningJwk>>();

  constructor(
    private readonly currentKeyId: string,
    private readonly earlierKeyIds: string[],
    private readonly kms = new KMSClient({}),
  ) {}

  private publicKey(keyId: string): Promise<PublicSigningJwk> {
    let jwk = this.jwks.get(keyId);
    if (!jwk) {
      jwk = this.kms.send(new GetPublicKeyCommand({ KeyId: keyId })).then((out) => {
        if (out.KeySpec !== 'ECC_NIST_P256' || !out.PublicKey) throw new Error(`KMS key ${keyId} is ${out.KeySpec}, not ECC_NIST_P256`);
        return publicJwk(createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }).export({ format: 'jwk' }));
      });
      jwk.catch(() => this.jwks.delete(keyId)); // a failed read is retried next time
      this.jwks.set(keyId, jwk);
    }
    return jwk;
  }

  async current(): Promise<SigningKey> {
    const { kid } = await this.publicKey(this.currentKeyId);
    return {
      kid,
      sign: async (input) => {
        const out = await this.kms.send(
          new SignCommand({
            KeyId: this.currentKeyId,
            Message: createHash('sha256').update(input).digest(),
            MessageType: 'DIGEST',
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        );
        if (!out.Signature) throw new Error('KMS Sign returned no signature');
        return derToJoseSignature(out.Signature);
      },
    };
  }

  async publicKeys(): Promise<PublicSigningJwk[]> {
    return Promise.all([this.currentKeyId, ...this.earlierKeyIds].map((id) => this.publicKey(id)));
  }
}
