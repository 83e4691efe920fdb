/**
 * GET /certificates/{no}: anyone, customs included, checks that a certificate is genuine and
 * unaltered. GET /.well-known/jwks.json: the public keys that let anyone check it offline.
 */
import { routes } from '../../shared/api/routes.js';
import { declarationStore } from '../../shared/adapters/declaration-store.js';
import { signingKey } from '../../shared/adapters/signing-key.js';
import { certificateJwks, certificateQrPayload } from '../../shared/app/certificates.js';
import { verifyCertificate } from '../../shared/domain/certificate.js';
import { notFound } from '../../shared/domain/errors.js';
import { httpFunction, implement } from '../../shared/http/function.js';

export const certificateRoutes = [
  implement(routes.verifyCertificate, async ({ params }) => {
    const stored = await declarationStore.certificate(params.no);
    if (!stored) throw notFound(`certificate ${params.no}`);
    const { genuine, unaltered } = verifyCertificate(stored.content, stored.digest, stored.signature, await signingKey());
    return {
      status: 200,
      body: {
        certificateNo: params.no,
        genuine,
        unaltered,
        digest: stored.digest,
        signature: stored.signature,
        content: stored.content,
        ...(stored.jws ? { jws: stored.jws, qr: certificateQrPayload(params.no, stored.jws) } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    };
  }),
  implement(routes.certificateJwks, undefined, async () => ({
    status: 200,
    body: await certificateJwks(),
    // Keys are added on rotation, never changed: a verifier may keep a copy for a while.
    headers: { 'cache-control': 'public, max-age=300' },
  })),
];

export const handler = httpFunction('certificates', certificateRoutes);
