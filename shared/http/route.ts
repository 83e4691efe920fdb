/**
 * A route of the public API: method, path, who may call it and the zod schemas of what it takes and
 * returns. The same definition drives request validation in the handler, the HTTP API routes in
 * the CDK stack and the OpenAPI document, so the three cannot disagree.
 */
import type { z } from 'zod';
import type { Caller } from '../domain/principal.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The Lambda function (one per capability) that serves a route. */
export type ApiFunctionName =
  'meta' | 'principals' | 'enterprises' | 'declarations' | 'officers' | 'rulesets' | 'webhooks' | 'stats' | 'certificates';

export type RouteDef<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  A extends 'key' | 'public' = 'key' | 'public',
> = {
  method: HttpMethod;
  path: string;
  fn: ApiFunctionName;
  /** `key`: a Bearer API key is required (checked by the authorizer, then by the handler). */
  auth: A;
  /**
   * Key routes: who may call it at all (403 for anyone else, before the body is read). Rules about
   * which resource a caller may touch (an enterprise only its own) stay in the use case.
   */
  allow?: readonly Caller[];
  /** The 403 detail for a caller outside `allow`, when the generic "only … may do this" says too little. */
  refusal?: string;
  summary: string;
  tag: string;
  body?: B;
  /** Body limit in bytes when it is not the contract's 1 MiB (e.g. batch intake: 5 MiB). */
  maxBodyBytes?: number;
  /** The body may be left out (then it is validated as `{}`). */
  optionalBody?: boolean;
  query?: Q;
  params?: P;
  /** Status code → response schema (undefined for an empty body). */
  responses: Record<number, z.ZodType | undefined>;
  /** Extra request headers documented in OpenAPI. */
  headers?: Record<string, string>;
  /** What the operation does, for the OpenAPI document (the summary is one line; this may be more). */
  description?: string;
  /**
   * Error statuses beyond those every route of its kind can return (400 with input, 401/403 with a
   * key, 404 with path ids, 413/415 with a body, 503 while starting): e.g. 409, 429.
   */
  errors?: readonly number[];
  /** Any principal with a key may call it (no role check): no 403 is documented. */
  anyPrincipal?: boolean;
  /** Response headers by status, documented in OpenAPI (Location on 201 is documented always). */
  responseHeaders?: Record<number, Record<string, string>>;
};

export function defineRoute<
  A extends 'key' | 'public',
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(def: RouteDef<B, Q, P, A>): RouteDef<B, Q, P, A> {
  return def;
}

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Whether a concrete path matches a route path template like `/declarations/{id}`. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!p[i]) return undefined;
      params[seg.slice(1, -1)] = p[i]!;
    } else if (seg !== p[i]) return undefined;
  }
  return params;
}
