/** POST /principals (admin); GET /principals/me (any key). */
import { routes } from '../../shared/api/routes.js';
import { dynamoEnterpriseStore } from '../../shared/adapters/enterprise-store.js';
import { dynamoPrincipalStore } from '../../shared/adapters/principal-store.js';
import { newPrincipal, requireRegistered } from '../../shared/domain/new-principal.js';
import { httpFunction, implement } from '../../shared/http/function.js';

export const principalRoutes = [
  implement(routes.whoAmI, async ({ principal }) => ({
    status: 200,
    body: {
      id: principal.id,
      kind: principal.kind,
      ...(principal.kind === 'enterprise' ? { enterpriseId: principal.enterpriseId } : {}),
      ...(principal.kind === 'officer' ? { bureau: principal.bureau, roles: principal.roles } : {}),
    },
  })),
  implement(routes.createPrincipal, async ({ body, principal: admin }) => {
    if (body.kind === 'enterprise') {
      requireRegistered(body.enterpriseId, !!(await dynamoEnterpriseStore.get(body.enterpriseId)));
    }
    const created = newPrincipal(body);
    await dynamoPrincipalStore.create({
      ...created.principal,
      keyHash: created.keyHash,
      createdAt: new Date().toISOString(),
      createdBy: admin.id,
    });
    return { status: 201, body: { ...created.principal, apiKey: created.apiKey } };
  }),
];

export const handler = httpFunction('principals', principalRoutes);
