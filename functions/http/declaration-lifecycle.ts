/**
 * A declaration's life beyond intake and inspection (contract section 13, issue 12): checking a
 * draft before filing, amending, cancelling, revisions. Served by the declarations function.
 */
import { routes } from '../../shared/api/routes.js';
import { checkDraft } from '../../shared/app/requirements.js';
import { amend, cancel, revisions } from '../../shared/app/lifecycle.js';
import { declarationView } from '../../shared/domain/declaration.js';
import { DomainError } from '../../shared/domain/errors.js';
import { implement } from '../../shared/http/function.js';

const ownEnterprise = (enterpriseId: string, principal: { enterpriseId?: string }) => {
  if (enterpriseId !== principal.enterpriseId) {
    throw new DomainError('forbidden', 'an enterprise may only declare for itself', [
      { path: 'enterpriseId', message: 'must be your own enterprise' },
    ]);
  }
};

export const declarationLifecycleRoutes = [
  implement(routes.checkDeclaration, async ({ body, principal }) => {
    ownEnterprise(body.enterpriseId, principal);
    return { status: 200, body: await checkDraft(body) };
  }),
  implement(routes.amendDeclaration, async ({ params, body, principal, baseUrl }) => {
    const { outcome, declaration: d } = await amend(params.id, body, principal);
    const self = `${baseUrl}/declarations/${d.id}`;
    if (outcome === 'replayed') return { status: 200, body: declarationView(d, baseUrl) };
    return {
      status: 202,
      body: { id: d.id, status: 'ACCEPTED', revision: d.revision, links: { self } },
      headers: { location: `/declarations/${d.id}` },
    };
  }),
  implement(routes.cancelDeclaration, async ({ params, body, principal, baseUrl }) => ({
    status: 200,
    body: declarationView(await cancel(params.id, body, principal), baseUrl),
  })),
  implement(routes.listRevisions, async ({ params, principal }) => ({
    status: 200,
    body: await revisions(params.id, principal),
  })),
];
