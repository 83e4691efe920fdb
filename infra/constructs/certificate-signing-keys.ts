import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The region's certificate-signing keys (contract section 17): KMS asymmetric keys, ECC_NIST_P256
 * with ECDSA_SHA_256, which JOSE calls ES256. One key per generation; the newest signs. The private
 * keys never leave KMS; functions get exactly kms:Sign on the current key (those that release)
 * and kms:GetPublicKey (to name the key, and to publish the JWKS).
 */
export class CertificateSigningKeys extends Construct {
  readonly current: Key;
  readonly all: Key[];

  constructor(scope: Construct, id: string, props: { generations: readonly string[] }) {
    super(scope, id);
    if (props.generations.length === 0) throw new Error('at least one certificate key generation');
    this.all = props.generations.map(
      (generation) =>
        new Key(this, `Key${generation.replace(/[^A-Za-z0-9]/g, '')}`, {
          description: `Clearway certificate signing key, generation ${generation} (ES256)`,
          keySpec: KeySpec.ECC_NIST_P256,
          keyUsage: KeyUsage.SIGN_VERIFY,
          // Deleting a key would make every certificate it signed unverifiable.
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );
    this.current = this.all.at(-1)!;
  }

  /** What a function needs to find the keys (shared/adapters/certificate-signer.ts). */
  get environment(): Record<string, string> {
    const earlier = this.all.slice(0, -1).map((k) => k.keyArn);
    return {
      CERTIFICATE_SIGNING_KEY_ID: this.current.keyArn,
      CERTIFICATE_VERIFY_KEY_IDS: earlier.length ? Fn.join(',', earlier) : '',
    };
  }

  /** Functions that issue certificates: sign with the current key, read its public key for the kid. */
  grantSign(fn: IGrantable): void {
    this.current.grant(fn, 'kms:Sign', 'kms:GetPublicKey');
  }

  /** Functions that publish the JWKS: every generation's public key, nothing else. */
  grantPublish(fn: IGrantable): void {
    for (const key of this.all) key.grant(fn, 'kms:GetPublicKey');
  }
}
