/** Credit objections (contract section 14), served by the enterprises function. */
import { routes } from '../../shared/api/routes.js';
import { decideCreditObjection, fileCreditObjection, productionCreditPorts } from '../../shared/app/credit.js';
import { objectionView } from '../../shared/domain/credit-objection.js';
import { forbidden, notFound } from '../../shared/domain/errors.js';
import { anyPrincipal, isOfficerWith, requireOfficerRole, type Principal } from '../../shared/domain/principal.js';
import { implement } from '../../shared/http/function.js';

const LIST_LIMIT = 100;

/** Only the enterprise itself files; another enterprise's objections are not revealed (404). */
function requireThatEnterprise(principal: Principal, code: string): void {
  if (principal.kind !== 'enterprise') throw forbidden('only the enterprise itself may object to its credit');
  if (principal.enterpriseId !== code) throw notFound(`enterprise ${code}`);
}

export const creditObjectionRoutes = [
  implement(routes.fileCreditObjection, anyPrincipal, async ({ params, body, principal }) => {
    requireThatEnterprise(principal, params.code);
    const objection = await fileCreditObjection(params.code, body, { principalId: principal.id });
    return {
      status: 201,
      body: objectionView(objection),
      headers: { location: `/enterprises/${params.code}/credit/objections/${objection.id}` },
    };
  }),
  implement(routes.listCreditObjections, anyPrincipal, async ({ params, principal }) => {
    if (principal.kind === 'enterprise') requireThatEnterprise(principal, params.code);
    else if (principal.kind !== 'admin' && !isOfficerWith(principal, 'credit'))
      throw forbidden('only the enterprise, an officer with the credit role or an admin may list credit objections');
    const ports = productionCreditPorts();
    const items = await ports.objections.list(params.code, LIST_LIMIT);
    if (items.length === 0 && !(await ports.enterprises.get(params.code))) throw notFound(`enterprise ${params.code}`);
    return { status: 200, body: { items: items.map(objectionView) } };
  }),
  implement(
    routes.decideCreditObjection,
    (p) => requireOfficerRole(p, 'credit'),
    async ({ params, body, principal }) => {
      const decided = await decideCreditObjection(params.code, params.id, body, { bureau: principal.bureau!, principalId: principal.id });
      return { status: 200, body: objectionView(decided) };
    },
  ),
];
