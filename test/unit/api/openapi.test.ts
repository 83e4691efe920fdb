import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../../shared/api/routes.js';
import { buildOpenApi } from '../../../shared/api/openapi.js';
import { DELIVERY_TIMEOUT_MS } from '../../../shared/domain/webhook.js';
import { deliveryIdOf } from '../../../shared/app/webhooks.js';

describe('OpenAPI document', () => {
  const doc = buildOpenApi(allRoutes) as any;
  it('is OpenAPI 3.1 and documents every route with its method', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of allRoutes)
      expect(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
  });
  it('resolves every $ref to a component', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas[ref.split('/').pop()!.replace('"', '')]).toBeDefined();
  });
  it('marks public routes as needing no key and the rest as needing one', () => {
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/principals'].post.security).toEqual([{ apiKey: [] }]);
  });
  it('derives request schemas from the zod schemas (strict bodies, enums of the region)', () => {
    const body = doc.components.schemas.RegisterEnterpriseRequest;
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.registeredBureau.enum).toContain('XJ');
  });
});

describe('OpenAPI document for client generators', () => {
  const doc = buildOpenApi(allRoutes) as any;
  const schemas = doc.components.schemas;
  const op = (method: string, path: string) => doc.paths[path][method];

  it('types closed sets as enums (credit level, release mode, step kind and bureau, statistics)', () => {
    expect(schemas.Decision.properties.creditLevel.enum).toEqual(['AA', 'A', 'B', 'C', 'D']);
    expect(schemas.Declaration.properties.release.anyOf[0].properties.mode.enum).toEqual(['DOCUMENT_RELEASE', 'INSPECTION']);
    const step = schemas.Decision.properties.steps.items;
    expect(step.properties.kind.enum).toContain('ORIGIN_INSPECTION');
    expect(step.properties.bureau.enum).toContain('XJ');
    expect(schemas.Statistics.properties.groupBy.enum).toEqual(['declaredAt', 'inspectedAt', 'destination']);
    expect(schemas.Statistics.properties.direction.anyOf?.[0]?.enum ?? schemas.Statistics.properties.direction.enum).toContain('EXPORT');
  });

  it('gives rule-set conditions and actions as oneOf their forms, each form closed and complete', () => {
    for (const name of ['Condition', 'Action', 'LineCondition']) {
      expect(schemas[name].oneOf.length, name).toBeGreaterThan(2);
      for (const form of schemas[name].oneOf) {
        expect(form.additionalProperties).toBe(false);
        expect(form.required).toEqual(Object.keys(form.properties));
      }
    }
    expect(schemas.Condition.oneOf.map((f: any) => f.required)).toContainEqual(['field', 'op', 'value']);
  });

  it('does not make a field with a default required in a request, but does in the response', () => {
    const simulate = op('post', '/rulesets/{version}/simulate').requestBody.content['application/json'].schema;
    const body = simulate.$ref ? schemas[simulate.$ref.split('/').pop()] : simulate;
    expect(body.properties.limit.default).toBeDefined();
    expect(body.required ?? []).not.toContain('limit');
  });

  it('types problem extensions and documents the headers clients act on', () => {
    expect(schemas.Problem.properties.existingDeclarationId.type).toBe('string');
    expect(op('post', '/declarations').responses['401'].headers['WWW-Authenticate']).toBeDefined();
    expect(op('post', '/declarations').responses['202'].headers.Location).toBeDefined();
    expect(op('post', '/enterprises').responses['201'].headers.Location).toBeDefined();
    expect(op('get', '/health').responses['405'].headers.Allow).toBeDefined();
  });

  it('lists only the errors a route can return', () => {
    const statuses = (method: string, path: string) => Object.keys(op(method, path).responses).filter((s) => /^[45]/.test(s));
    expect(statuses('get', '/health')).toEqual(['405', '503']); // 503: table or queues unreachable
    expect(statuses('get', '/.well-known/jwks.json')).toEqual(['405']);
    expect(statuses('get', '/principals/me')).toEqual(['401', '405']);
    expect(statuses('post', '/declarations')).toContain('409');
    expect(statuses('get', '/declarations/{id}')).not.toContain('409');
    expect(statuses('get', '/declarations/{id}')).not.toContain('413');
  });

  it('types every webhook payload in the 3.1 webhooks section, with tags described', () => {
    expect(Object.keys(doc.webhooks)).toContain('declaration.released');
    const released = doc.webhooks['declaration.released'].post.requestBody.content['application/json'].schema;
    const body = schemas[released.$ref.split('/').pop()];
    expect(body.properties.type.const).toBe('declaration.released');
    expect(body.required).toEqual(['type', 'timestamp', 'data']);
    for (const tag of doc.tags) expect(tag.description, tag.name).toBeTruthy();
    for (const [path, ops] of Object.entries<any>(doc.paths))
      for (const [method, o] of Object.entries<any>(ops)) expect(o.description, `${method} ${path}`).toBeTruthy();
  });
});

describe('OpenAPI document agrees with the code (review C1, C2)', () => {
  const doc = buildOpenApi(allRoutes) as any;
  it('webhooks: the timeout is DELIVERY_TIMEOUT_MS and webhook-id is the delivery id (msg_…), not the event id', () => {
    const descriptions = Object.values<any>(doc.webhooks).map((w) => w.post.description as string);
    expect(descriptions.length).toBeGreaterThan(0);
    for (const d of descriptions) {
      expect(d).toContain(`within ${DELIVERY_TIMEOUT_MS / 1000} s`);
      expect(d).toContain('delivery id `msg_…`');
      expect(d).not.toMatch(/the event id/);
    }
    expect(deliveryIdOf('evt_abc')).toBe('msg_abc'); // one delivery id per event: the same on every retry
    const bodies = Object.values<any>(doc.components.schemas).filter((s) => /webhook body/.test(s.description ?? ''));
    expect(bodies.length).toBeGreaterThan(0);
    for (const b of bodies) expect(b.description).not.toMatch(/its id is the `webhook-id`/);
  });
  it('lists 409 on both override routes and 404 on rotate-secret and enable', () => {
    expect(Object.keys(doc.paths['/declarations/{id}/overrides'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/declarations/{id}/overrides/{overrideId}/confirm'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/webhook/rotate-secret'].post.responses)).toContain('404');
    expect(Object.keys(doc.paths['/webhook/enable'].post.responses)).toContain('404');
  });
  it("states each route's own body limit in its 413", () => {
    expect(doc.paths['/declarations/batch'].post.responses['413'].description).toBe('Body over 5 MiB');
    expect(doc.paths['/declarations'].post.responses['413'].description).toBe('Body over 1 MiB');
  });
});
