import { BASE_ENV, CERTIFICATE_KEY_ENV, secretArn, type FunctionManifest } from '../function-manifest.js';

/** Certificates and the JWKS: reads certificates, publishes every generation's public key. */
export const certificates: FunctionManifest = {
  id: 'ApiCertificates',
  entry: 'functions/http/certificates.ts',
  api: 'certificates',
  memoryMb: 512,
  timeoutS: 10,
  environment: { ...BASE_ENV, SIGNING_KEY_SECRET_ARN: secretArn('signingKey'), ...CERTIFICATE_KEY_ENV },
  grants: { dynamodb: ['GetItem'], secrets: ['signingKey'], certificateKeys: 'publish' },
};
