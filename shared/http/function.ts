/**
 * The one way an API Lambda is built: a middy handler that, for the route API Gateway matched,
 * authenticates, authorises, parses and validates, calls the route's implementation and maps the
 * result or the error. Implementations see typed, validated input and return plain values.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import { isOverloadError, isUnavailable } from '../domain/transient-errors.js';
import { requireAllowed, type Principal } from '../domain/principal.js';
import { decodeJsonBody, parseWith } from './body.js';
import { logger } from './logger.js';
import { problemResponse, STATUS_OF_KIND } from './problem.js';
import { routeKey, type RouteDef } from './route.js';

type Out<S> = [NonNullable<S>] extends [never] ? undefined : NonNullable<S> extends z.ZodType ? z.output<NonNullable<S>> : undefined;

export type ApiRequest<R extends RouteDef> = {
  principal: R['auth'] extends 'key' ? Principal : Principal | undefined;
  body: Out<R['body']>;
  query: Out<R['query']>;
  params: Out<R['params']>;
  headers: Readonly<Record<string, string | undefined>>;
  requestId: string;
  /** The public base URL of this API, for links. */
  baseUrl: string;
};

export type ApiResult = { status: number; body?: unknown; headers?: Record<string, string> };

export type RouteImpl<R extends RouteDef = RouteDef> = {
  route: R;
  /**
   * An extra check before the body is read, beyond the route's `allow` (which is enforced for
   * every route); throws DomainError('forbidden'). Most routes need none.
   */
  authorize?: (principal: Principal) => void;
  handle: (req: ApiRequest<R>) => Promise<ApiResult>;
};

/** A route's implementation: who may call it is the route's `allow`; `handle` does the rest. */
export function implement<R extends RouteDef>(route: R, handle: RouteImpl<R>['handle']): RouteImpl<R>;
export function implement<R extends RouteDef>(route: R, authorize: RouteImpl<R>['authorize'], handle: RouteImpl<R>['handle']): RouteImpl<R>;
export function implement<R extends RouteDef>(
  route: R,
  authorizeOrHandle: RouteImpl<R>['authorize'] | RouteImpl<R>['handle'],
  handle?: RouteImpl<R>['handle'],
): RouteImpl<R> {
  if (handle === undefined) return { route, handle: authorizeOrHandle as RouteImpl<R>['handle'] };
  return { route, authorize: authorizeOrHandle as RouteImpl<R>['authorize'], handle };
}

/** The principal the authorizer resolved, or why there is none. */
export function principalFromEvent(event: APIGatewayProxyEventV2): { principal?: Principal; reason?: string } {
  const ctx = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer?.lambda;
  const raw = ctx?.principal;
  if (typeof raw === 'string' && raw) return { principal: JSON.parse(raw) as Principal };
  return { reason: typeof ctx?.reason === 'string' ? ctx.reason : 'missing' };
}

const UNAUTHENTICATED_DETAIL: Record<string, string> = {
  missing: 'send an API key as "Authorization: Bearer <key>"',
  malformed: 'the Authorization header must be "Bearer <key>"',
  unknown: 'the API key is not known',
};

/**
 * The API's own base URL, for links: the domain API Gateway (or the local gateway) received the
 * request on. A client's X-Forwarded-Host is not trusted. The protocol is https unless the local
 * gateway says otherwise (it overwrites any X-Forwarded-Proto a client sends).
 */
export function baseUrlOf(event: APIGatewayProxyEventV2): string {
  // The configured public base URL (a custom domain; locally the runtime's own address) wins:
  // links and the OpenAPI `servers` must never follow a Host header a client chose.
  const configured = process.env.CLEARWAY_PUBLIC_BASE_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const host = event.requestContext.domainName ?? event.headers?.host ?? 'localhost';
  const proto = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${host}`;
}

async function dispatch(impls: Map<string, RouteImpl>, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const requestId = event.requestContext.requestId;
  const impl = impls.get(event.routeKey);
  if (!impl) return problemResponse({ status: 404, detail: `no route ${event.routeKey}`, requestId });
  const { route } = impl;

  let principal: Principal | undefined;
  if (route.auth === 'key') {
    const found = principalFromEvent(event);
    if (!found.principal && found.reason === 'unavailable') {
      return problemResponse({
        status: 503,
        detail: 'authentication is temporarily unavailable; retry shortly',
        requestId,
        headers: { 'retry-after': '1' },
      });
    }
    if (!found.principal) {
      return problemResponse({
        status: 401,
        detail: UNAUTHENTICATED_DETAIL[found.reason ?? 'missing'] ?? UNAUTHENTICATED_DETAIL.missing!,
        requestId,
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    principal = found.principal;
    logger.appendKeys({ principalId: principal.id, principalKind: principal.kind });
    if (route.allow) requireAllowed(principal, route.allow, route.refusal);
    impl.authorize?.(principal);
  }

  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;

  const bodyMissing = event.body === undefined || event.body === '';
  const body = route.body
    ? parseWith(
        route.body,
        route.optionalBody && bodyMissing ? {} : decodeJsonBody(event.body, event.isBase64Encoded, route.maxBodyBytes),
        'body',
      )
    : undefined;
  const query = route.query ? parseWith(route.query, { ...event.queryStringParameters }, 'query', undefined) : undefined;
  const params = route.params ? parseWith(route.params, { ...event.pathParameters }, 'path', undefined) : undefined;

  const result = await impl.handle({
    principal: principal as Principal,
    body,
    query,
    params,
    headers,
    requestId,
    baseUrl: baseUrlOf(event),
  } as ApiRequest<RouteDef>);
  return {
    statusCode: result.status,
    headers: { ...(result.body !== undefined ? { 'content-type': 'application/json' } : {}), ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/** Maps whatever escaped the route to a problem document; a 5xx never carries a stack trace. */
export function errorToProblem(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DomainError) {
    const retryAfter = error.kind === 'overloaded' ? error.extensions?.retryAfterSeconds : undefined;
    return problemResponse({
      status: STATUS_OF_KIND[error.kind],
      detail: error.message,
      errors: error.errors,
      requestId,
      extensions: error.extensions,
      ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
    });
  }
  if (isOverloadError(error)) {
    // Load, not a fault: DynamoDB or SQS throttled us or contention outlasted the SDK's retries.
    logger.warn('refused under load', { error: error as Error });
    return problemResponse({
      status: 503,
      detail: 'the platform is busy; nothing was changed by this request, try again after Retry-After seconds',
      requestId,
      headers: { 'retry-after': '1' },
      extensions: { retryAfterSeconds: 1 },
    });
  }
  if (isUnavailable(error)) {
    logger.error('a backing service is unavailable', { error: error as Error });
    return problemResponse({
      status: 503,
      detail: 'a backing service is temporarily unavailable; retry shortly (quote the request id when reporting it)',
      requestId,
      headers: { 'retry-after': '1' },
    });
  }
  logger.error('unhandled error', { error: error as Error });
  return problemResponse({ status: 500, detail: 'an internal error occurred; quote the request id when reporting it', requestId });
}

/** Builds the Lambda handler of one capability from the implementations of its routes. */
export function httpFunction(name: string, impls: RouteImpl<any>[]) {
  const byKey = new Map<string, RouteImpl>(impls.map((i) => [routeKey(i.route), i]));
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ function: name, requestId: event.requestContext.requestId, route: event.routeKey });
      try {
        return await dispatch(byKey, event);
      } catch (error) {
        return errorToProblem(error, event.requestContext.requestId);
      }
    });
}
