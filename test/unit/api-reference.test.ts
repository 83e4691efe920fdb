import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../shared/domain/events.js';
import { buildOpenApi } from '../../shared/api/openapi.js';
import { apiReference } from '../../shared/api/reference.js';
import { allRoutes } from '../../shared/api/routes.js';

describe('docs/api-reference.md generator', () => {
  const text = apiReference(buildOpenApi(allRoutes));
  it('lists every route with who may call it, every event and the problem types', () => {
    for (const r of allRoutes) expect(text, `${r.method} ${r.path}`).toContain(`| ${r.method} | \`${r.path}\` |`);
    for (const type of EVENT_TYPES) expect(text).toContain(`### \`${type}\``);
    expect(text).toMatch(/\| POST \| `\/declarations` \| an enterprise \|/);
    expect(text).toMatch(/\| GET \| `\/\.well-known\/jwks\.json` \| anyone \(no key\) \|/);
    expect(text).toContain('| 409 |');
    expect(text).toContain('`existingDeclarationId` (optional)');
  });
});
