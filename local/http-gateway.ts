/**
 * An HTTP API (API Gateway v2) for local mode: matches the template's routes (`$default` for the
 * rest), runs the route's authorizer (REQUEST, payload 2.0, simple responses), then invokes the
 * route's function with a payload 2.0 event and maps its result as API Gateway does.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Invoker } from './function-threads.js';
import { FunctionTimeout } from './lambda-host.js';
import type { RouteModel } from './template.js';
import { problemResponse } from '../shared/http/problem.js';
import { allRoutes } from '../shared/api/routes.js';
import { routeKey } from '../shared/http/route.js';
import { MAX_BODY_BYTES, tooLargeDetail } from '../shared/http/body.js';

/** API Gateway's own payload limit: no route reads more. */
export const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/**
 * What each route may be sent (the route table's `maxBodyBytes`, else the contract's 1 MiB; routes
 * outside the table, e.g. the console's, 1 MiB too). The gateway stops reading there and answers
 * the 413 itself, so a client can make the platform buffer at most its route's limit, not 10 MiB
 * on every route (the handlers check the same limits again, as they do in the cloud).
 */
const ROUTE_BODY_LIMITS = new Map(allRoutes.map((r) => [routeKey(r), Math.min(r.maxBodyBytes ?? MAX_BODY_BYTES, GATEWAY_MAX_BODY)]));
export const bodyLimitOf = (routeKeyOf: string): number => ROUTE_BODY_LIMITS.get(routeKeyOf) ?? MAX_BODY_BYTES;
const TEXT_TYPES = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml)|text\/)/i;

type CompiledRoute = RouteModel & { method: string; pattern: RegExp; params: string[] };

function compile(route: RouteModel): CompiledRoute | undefined {
  if (route.routeKey === '$default') return undefined;
  const [method, path] = route.routeKey.split(' ') as [string, string];
  const params: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\+?\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { ...route, method, pattern: new RegExp(`^${source}$`), params };
}

/** The gateway's own errors are problem documents with the request id, like every other error. */
const gatewayError = (
  statusCode: number,
  detail: string,
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  ...problemResponse({ status: statusCode, detail, requestId, headers }),
});

type Matched = { route: RouteModel; pathParameters: Record<string, string> };

export type GatewayOptions = {
  /** The public base URL links are made from (never the Host header a client sends). */
  publicBaseUrl?: string;
};

export class HttpGateway {
  private readonly routes: CompiledRoute[];
  private readonly fallback?: RouteModel;
  private readonly domainName?: string;

  constructor(
    routes: RouteModel[],
    private readonly host: Invoker,
    options: GatewayOptions = {},
  ) {
    // Like API Gateway: a route with fewer path variables (more literal) wins, e.g. /rulesets/active
    // over /rulesets/{version}.
    this.routes = routes
      .map(compile)
      .filter((r): r is CompiledRoute => !!r)
      .sort((a, b) => a.params.length - b.params.length);
    this.fallback = routes.find((r) => r.routeKey === '$default');
    this.domainName = options.publicBaseUrl ? new URL(options.publicBaseUrl).host : undefined;
  }

  /**
   * One request. The body is read only when it is needed and only up to the limit: the route and
   * the caller's key are settled from the headers first (an unauthenticated upload is never
   * buffered), a declared Content-Length over the limit is refused unread, and a body that grows
   * past it is cut off there (see discardRest).
   */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let result: APIGatewayProxyStructuredResultV2;
    let closeAfter = false;
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = (req.method ?? 'GET').toUpperCase();
      const matched = this.match(method, url.pathname);
      const declared = Number(req.headers['content-length'] ?? 0);
      const limit = matched ? bodyLimitOf(matched.route.routeKey) : MAX_BODY_BYTES;
      if (!matched) result = gatewayError(404, `there is no resource at ${url.pathname}`, requestId);
      else if (declared > limit) {
        closeAfter = true;
        result = tooLarge(declared, limit, requestId);
      } else {
        const event = this.eventOf(req, url, method, matched, requestId);
        const auth = await this.authorize(matched.route, event, method);
        if (auth === 'forbidden') result = gatewayError(403, 'not allowed', requestId);
        else {
          // No principal: the function answers 401 from the headers alone, so the body stays unread.
          const needsBody = !auth || typeof auth.principal === 'string';
          const body = needsBody ? await readBody(req, limit) : 'unread';
          if (body === 'too-large') {
            closeAfter = true;
            result = tooLarge(undefined, limit, requestId);
          } else {
            // An unread body is left on the wire: the connection cannot be reused after it.
            if (body === 'unread') closeAfter = declared > 0 || req.headers['transfer-encoding'] !== undefined;
            else attachBody(event, body);
            if (auth) (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: auth };
            result = toResult(await this.host.invoke(matched.route.functionId, event), requestId);
          }
        }
      }
    } catch (error) {
      if (error instanceof FunctionTimeout)
        result = gatewayError(503, 'the function did not answer in time; retry shortly', requestId, { 'retry-after': '1' });
      else if (['TimeoutError', 'AbortError'].includes((error as Error)?.name)) {
        // A call timed out or was aborted under load (not a fault of the request): a 503 to retry,
        // as API Gateway answers an integration that gave up, never a bare 500.
        console.error(JSON.stringify({ level: 'WARN', message: 'function gave up under load', requestId, error: String(error) }));
        result = gatewayError(503, 'the platform is busy; retry after Retry-After seconds', requestId, { 'retry-after': '1' });
      } else {
        console.error(JSON.stringify({ level: 'ERROR', message: 'function failed', requestId, error: String(error) }));
        result = gatewayError(500, 'an internal error occurred; quote the request id when reporting it', requestId);
      }
    }
    const headers: Record<string, string> = { ...(result.headers as Record<string, string>) };
    const body =
      result.body === undefined ? Buffer.alloc(0) : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && body.length) headers['content-type'] = 'application/json';
    if (closeAfter) discardRest(req);
    if (res.headersSent || res.destroyed) return;
    res.writeHead(result.statusCode ?? 200, headers);
    res.end(body);
  }

  private match(method: string, pathname: string): Matched | undefined {
    for (const r of this.routes) {
      if (r.method !== method && r.method !== 'ANY') continue;
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      const pathParameters: Record<string, string> = {};
      r.params.forEach((name, i) => {
        try {
          pathParameters[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          pathParameters[name] = m[i + 1]!;
        }
      });
      return { route: r, pathParameters };
    }
    return this.fallback ? { route: this.fallback, pathParameters: {} } : undefined;
  }

  private eventOf(
    req: http.IncomingMessage,
    url: URL,
    method: string,
    { route, pathParameters }: Matched,
    requestId: string,
  ): APIGatewayProxyEventV2 {
    let rawPath: string;
    try {
      rawPath = decodeURIComponent(url.pathname);
    } catch {
      rawPath = url.pathname;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const now = new Date();
    const requestContext = {
      accountId: '000000000000',
      apiId: 'local',
      // API Gateway puts the domain it serves here; locally that is the configured public base URL.
      domainName: this.domainName ?? headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    };
    return {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath,
      rawQueryString: url.search.slice(1),
      headers: { ...headers, 'x-forwarded-proto': 'http' },
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
      requestContext,
      isBase64Encoded: false,
    } as APIGatewayProxyEventV2;
  }

  /** The route's authorizer (headers only, as API Gateway's REQUEST authorizer): its context, none, or forbidden. */
  private async authorize(
    route: RouteModel,
    event: APIGatewayProxyEventV2,
    method: string,
  ): Promise<Record<string, unknown> | undefined | 'forbidden'> {
    if (!route.authorizerFunctionId) return undefined;
    const auth = (await this.host.invoke(route.authorizerFunctionId, {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${method}${event.rawPath}`,
      identitySource: [],
      routeKey: route.routeKey,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      headers: event.headers,
      queryStringParameters: event.queryStringParameters,
      pathParameters: event.pathParameters,
      requestContext: event.requestContext,
    })) as { isAuthorized?: boolean; context?: Record<string, unknown> };
    if (!auth?.isAuthorized) return 'forbidden';
    return auth.context ?? {};
  }
}

const tooLarge = (bytes: number | undefined, limit: number, requestId: string) =>
  gatewayError(413, tooLargeDetail(bytes, limit), requestId);

/**
 * Reads the body up to `limit` bytes; past it, stops reading (paused, not destroyed, so that the
 * 413 can still be written; the caller closes the connection after it).
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | 'too-large') => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        chunks.length = 0;
        done('too-large');
      } else chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks));
    const onError = (error: Error) => {
      req.off('data', onData).off('end', onEnd);
      reject(error);
    };
    req.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

/**
 * A body that is refused (too large) or not needed (no key) is never buffered: what is still on its
 * way is read and dropped for a short grace, so that an ordinary client, still writing, can read
 * the answer instead of a connection reset; past the grace the connection is cut.
 */
const DISCARD_GRACE_MS = 2000;
function discardRest(req: http.IncomingMessage): void {
  if (req.readableEnded) return;
  const cut = setTimeout(() => req.socket.destroy(), DISCARD_GRACE_MS);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.resume();
}

function attachBody(event: APIGatewayProxyEventV2, body: Buffer): void {
  if (!body.length) return;
  const isText = TEXT_TYPES.test(event.headers['content-type'] ?? '') && isUtf8(body);
  event.body = isText ? body.toString('utf8') : body.toString('base64');
  event.isBase64Encoded = !isText;
}

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}

/** Payload 2.0 response mapping: a structured result is used as is, anything else is JSON 200. */
function toResult(result: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as APIGatewayProxyStructuredResultV2;
    return { ...r, headers: { ...r.headers, 'apigw-requestid': requestId } as Record<string, string> };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'apigw-requestid': requestId },
    body: typeof result === 'string' ? result : JSON.stringify(result ?? null),
  };
}
