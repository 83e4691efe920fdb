/**
 * A declaration's life beyond intake and inspection (contract section 13, issue 12): checking a
 * draft before filing, amending, cancelling, revisions. Served by the declarations function.
 */
import { routes } from '../../shared/api/routes.js';
import { checkDraft } from '../../shared/app/requirements.js';
import { DomainError } from '../../shared/domain/errors.js';
import { requireEnterprise } from '../../shared/domain/principal.js';
import { implement } from '../../shared/http/function.js';

const ownEnterprise = (enterpriseId: string, principal: { enterpriseId?: string }) => {
  if (enterpriseId !== principal.enterpriseId) {
    throw new DomainError('forbidden', 'an enterprise may only declare for itself', [
      { path: 'enterpriseId', message: 'must be your own enterprise' },
    ]);
  }
};

export const declarationLifecycleRoutes = [
  implement(routes.checkDeclaration, requireEnterprise, async ({ body, principal }) => {
    ownEnterprise(body.enterpriseId, principal);
    return { status: 200, body: await checkDraft(body) };
  }),
];
