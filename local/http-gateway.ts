/**
 * An HTTP API (API Gateway v2) for local mode: matches the template's routes (`$default` for the
 * rest), runs the route's authorizer (REQUEST, payload 2.0, simple responses), then invokes the
 * route's function with a payload 2.0 event and maps its result as API Gateway does.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LambdaHost } from './lambda-host.js';
import { FunctionTimeout } from './lambda-host.js';
import type { RouteModel } from './template.js';

/** API Gateway's own payload limit; the handlers enforce the contract's 1 MiB themselves. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
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

const gatewayError = (statusCode: number, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export class HttpGateway {
  private readonly routes: CompiledRoute[];
  private readonly fallback?: RouteModel;

  constructor(
    routes: RouteModel[],
    private readonly host: LambdaHost,
  ) {
    // Like API Gateway: a route with fewer path variables (more literal) wins, e.g. /rulesets/active
    // over /rulesets/{version}.
    this.routes = routes
      .map(compile)
      .filter((r): r is CompiledRoute => !!r)
      .sort((a, b) => a.params.length - b.params.length);
    this.fallback = routes.find((r) => r.routeKey === '$default');
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > GATEWAY_MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    }
    const result = tooLarge ? gatewayError(413, 'Request Entity Too Large') : await this.dispatch(req, Buffer.concat(chunks));
    const headers: Record<string, string> = { ...(result.headers as Record<string, string>) };
    const body =
      result.body === undefined ? Buffer.alloc(0) : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && body.length) headers['content-type'] = 'application/json';
    res.writeHead(result.statusCode ?? 200, headers);
    res.end(body);
  }

  private async dispatch(req: http.IncomingMessage, body: Buffer): Promise<APIGatewayProxyStructuredResultV2> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    let rawPath: string;
    try {
      rawPath = decodeURIComponent(url.pathname);
    } catch {
      rawPath = url.pathname;
    }
    let route: RouteModel | undefined;
    const pathParameters: Record<string, string> = {};
    for (const r of this.routes) {
      if (r.method !== method && r.method !== 'ANY') continue;
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      route = r;
      r.params.forEach((name, i) => {
        try {
          pathParameters[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          pathParameters[name] = m[i + 1]!;
        }
      });
      break;
    }
    route ??= this.fallback;
    if (!route) return gatewayError(404, 'Not Found');

    const requestId = randomUUID();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const contentType = headers['content-type'] ?? '';
    const isText = TEXT_TYPES.test(contentType) && isUtf8(body);
    const now = new Date();
    const requestContext = {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
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
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath,
      rawQueryString: url.search.slice(1),
      headers: { ...headers, 'x-forwarded-proto': 'http' },
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
      requestContext,
      ...(body.length
        ? { body: isText ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !isText }
        : { isBase64Encoded: false }),
    } as APIGatewayProxyEventV2;

    try {
      if (route.authorizerFunctionId) {
        const auth = (await this.host.invoke(route.authorizerFunctionId, {
          version: '2.0',
          type: 'REQUEST',
          routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${method}${rawPath}`,
          identitySource: [],
          routeKey: route.routeKey,
          rawPath,
          rawQueryString: event.rawQueryString,
          headers: event.headers,
          queryStringParameters: event.queryStringParameters,
          pathParameters: event.pathParameters,
          requestContext,
        })) as { isAuthorized?: boolean; context?: Record<string, unknown> };
        if (!auth?.isAuthorized) return gatewayError(403, 'Forbidden');
        (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: auth.context ?? {} };
      }
      const result = await this.host.invoke(route.functionId, event);
      return toResult(result, requestId);
    } catch (error) {
      if (error instanceof FunctionTimeout) return gatewayError(503, 'Service Unavailable');
      console.error(JSON.stringify({ level: 'ERROR', message: 'function failed', route: route.routeKey, error: String(error) }));
      return gatewayError(500, 'Internal Server Error');
    }
  }
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
