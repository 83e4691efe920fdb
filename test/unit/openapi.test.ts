import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../shared/api/routes.js';
import { buildOpenApi } from '../../shared/api/openapi.js';

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
