/** GET /certificates/{no}: anyone, customs included, checks that a certificate is genuine and unaltered. */
import { routes } from '../../shared/api/routes.js';
import { declarationStore } from '../../shared/adapters/declaration-store.js';
import { signingKey } from '../../shared/adapters/signing-key.js';
import { verifyCertificate } from '../../shared/domain/certificate.js';
import { notFound } from '../../shared/domain/errors.js';
import { httpFunction, implement } from '../../shared/http/function.js';

export const certificateRoutes = [
  implement(routes.verifyCertificate, undefined, async ({ params }) => {
    const stored = await declarationStore.certificate(params.no);
    if (!stored) throw notFound(`certificate ${params.no}`);
    const { genuine, unaltered } = verifyCertificate(stored.content, stored.digest, stored.signature, await signingKey());
    return {
      status: 200,
      body: { certificateNo: params.no, genuine, unaltered, digest: stored.digest, signature: stored.signature, content: stored.content },
      headers: { 'cache-control': 'no-store' },
    };
  }),
];

export const handler = httpFunction('certificates', certificateRoutes);
