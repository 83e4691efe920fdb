/** Credit objections (contract section 14), served by the enterprises function. Who may call: the route table. */
import { routes } from '../../shared/api/routes.js';
import { decideCreditObjection, fileCreditObjection, productionCreditPorts } from '../../shared/app/credit.js';
import { objectionView } from '../../shared/domain/credit-objection.js';
import { notFound } from '../../shared/domain/errors.js';
import type { Principal } from '../../shared/domain/principal.js';
import { implement } from '../../shared/http/function.js';

const LIST_LIMIT = 100;

/** An enterprise acts on its own objections only; another enterprise's are not revealed (404). */
function ownObjections(principal: Principal, code: string): void {
  if (principal.kind === 'enterprise' && principal.enterpriseId !== code) throw notFound(`enterprise ${code}`);
}

export const creditObjectionRoutes = [
  implement(routes.fileCreditObjection, async ({ params, body, principal }) => {
    ownObjections(principal, params.code);
    const objection = await fileCreditObjection(params.code, body, { principalId: principal.id });
    return {
      status: 201,
      body: objectionView(objection),
      headers: { location: `/enterprises/${params.code}/credit/objections/${objection.id}` },
    };
  }),
  implement(routes.listCreditObjections, async ({ params, principal }) => {
    ownObjections(principal, params.code);
    const ports = productionCreditPorts();
    const items = await ports.objections.list(params.code, LIST_LIMIT);
    if (items.length === 0 && !(await ports.enterprises.get(params.code))) throw notFound(`enterprise ${params.code}`);
    return { status: 200, body: { items: items.map(objectionView) } };
  }),
  implement(routes.decideCreditObjection, async ({ params, body, principal }) => {
    const decided = await decideCreditObjection(params.code, params.id, body, { bureau: principal.bureau!, principalId: principal.id });
    return { status: 200, body: objectionView(decided) };
  }),
];
