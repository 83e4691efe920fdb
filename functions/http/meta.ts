/** Health, the OpenAPI document, and the catch-all route that answers 404/405 as problems. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { allRoutes, routes } from '../../shared/api/routes.js';
import { buildOpenApi } from '../../shared/api/openapi.js';
import { httpFunction, implement } from '../../shared/http/function.js';
import { problemResponse } from '../../shared/http/problem.js';
import { matchPath } from '../../shared/http/route.js';
import { region } from '../../shared/region.js';
import { readiness } from '../../shared/adapters/health.js';
import { withDocumentTypes } from '../../shared/api/document-types.js';
import { activeDocumentTypes } from '../../shared/app/requirements.js';

let openApiDocument: Record<string, unknown> | undefined;
/** The served document per active rule set version (its document types are the version's). */
const servedByVersion = new Map<number | null, Record<string, unknown>>();

export const metaRoutes = [
  implement(routes.health, async ({ requestId }) => {
    const ready = await readiness();
    if (!ready.table || !ready.queues) {
      const problem = problemResponse({
        status: 503,
        detail: `not ready: ${ready.detail.join('; ')}`,
        requestId,
        headers: { 'retry-after': '1', 'cache-control': 'no-store' },
        extensions: { checks: { table: ready.table ? 'ok' : 'unreachable', queues: ready.queues ? 'ok' : 'unreachable' } },
      });
      return { status: 503, body: JSON.parse(problem.body!) as unknown, headers: problem.headers as Record<string, string> };
    }
    return { status: 200, body: { status: 'ok', region: region.id }, headers: { 'cache-control': 'no-store' } };
  }),
  implement(routes.openapi, async (req) => {
    openApiDocument ??= buildOpenApi(allRoutes);
    const { version, types } = await activeDocumentTypes();
    let served = servedByVersion.get(version);
    if (!served) servedByVersion.set(version, (served = withDocumentTypes(openApiDocument, types, version)));
    return {
      status: 200,
      body: { ...served, servers: [{ url: req.baseUrl }] },
      headers: { 'cache-control': 'public, max-age=300' },
    };
  }),
];

const metaHandler = httpFunction('meta', metaRoutes);

/** Serves the meta routes and API Gateway's `$default` route (any path/method no route takes). */
export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  event.routeKey === '$default' ? fallback(event) : metaHandler(event, context);

/** A path the API does not have (404) or a method it does not take there (405). */
async function fallback(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method;
  const path = event.requestContext.http.path;
  const requestId = event.requestContext.requestId;
  const allowed = allRoutes.filter((r) => matchPath(r.path, path)).map((r) => r.method);
  if (allowed.length > 0) {
    return problemResponse({
      status: 405,
      detail: `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
      requestId,
      headers: { allow: allowed.join(', ') },
    });
  }
  return problemResponse({ status: 404, detail: `there is no resource at ${path}`, requestId });
}
