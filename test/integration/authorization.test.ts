/**
 * Who may call each route is data in the route table (`allow`). This test reads that table and
 * drives the real handlers: every principal outside a route's `allow` gets 403 with the route's
 * refusal, before anything is read or written; every principal inside it gets past that rule. It
 * also checks that the OpenAPI document publishes exactly the same rule.
 */
import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { buildOpenApi } from '../../shared/api/openapi.js';
import { describeCallers, isAllowed, type Principal } from '../../shared/domain/principal.js';
import { routeKey, type RouteDef } from '../../shared/http/route.js';
import { admin, call, enterprise, officer } from '../support/api.js';

const PRINCIPALS: Principal[] = [
  admin,
  enterprise('91350100M000100Y43'),
  officer('SD'),
  officer('SD', 'inspector'),
  officer('SD', 'credit'),
  officer('SD', 'rules'),
  officer('SD', 'stats'),
];
const label = (p: Principal) => (p.kind === 'officer' ? `officer[${(p.roles ?? []).join(',')}]` : p.kind);

const keyRoutes = allRoutes.filter((r) => r.auth === 'key');
const handlers = new Map<string, Parameters<typeof call>[0]>();
async function handlerOf(route: RouteDef) {
  if (!handlers.has(route.fn)) {
    const mod = (await import(`../../functions/http/${route.fn}.ts`)) as { handler: Parameters<typeof call>[0] };
    handlers.set(route.fn, mod.handler);
  }
  return handlers.get(route.fn)!;
}

describe('the route table says who may call each route', () => {
  it('every key route names its callers; public routes name none', () => {
    for (const route of allRoutes) {
      if (route.auth === 'key') expect(route.allow?.length, routeKey(route)).toBeGreaterThan(0);
      else expect(route.allow, routeKey(route)).toBeUndefined();
    }
  });

  it('the OpenAPI document publishes the same rule, as data and in words', () => {
    const doc = buildOpenApi(allRoutes) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    for (const route of keyRoutes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op['x-clearway-allow'], routeKey(route)).toEqual(route.allow);
      expect(op.description, routeKey(route)).toContain(describeCallers(route.allow!));
    }
  });

  for (const route of keyRoutes) {
    it(`${routeKey(route)}: 403 for everyone outside ${route.allow?.join(', ')}, and only for them`, async () => {
      const handler = await handlerOf(route);
      const refusal = route.refusal ?? `only ${describeCallers(route.allow!)} may do this`;
      for (const principal of PRINCIPALS) {
        // No body, no parameters: an allowed caller gets at most a 400/404, never the route's 403.
        const res = await call(handler, routeKey(route), { principal });
        if (isAllowed(principal, route.allow!)) {
          expect(res.status === 403 && res.body?.detail === refusal, `${label(principal)} refused`).toBe(false);
        } else {
          expect({ who: label(principal), status: res.status, detail: res.body?.detail }).toEqual({
            who: label(principal),
            status: 403,
            detail: refusal,
          });
        }
      }
    });
  }
});
