/**
 * RFC 9457 problem responses. Every error the API returns goes through here, so the shape and the
 * `type` URIs are the same everywhere.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DomainErrorKind, FieldError } from '../domain/errors.js';

export const PROBLEM_BASE = 'https://clearway.dev/problems/';

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['invalid-request', 'The request is not valid'],
  401: ['unauthenticated', 'Authentication required'],
  403: ['forbidden', 'Not allowed'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  500: ['internal', 'Internal error'],
  503: ['unavailable', 'Temporarily unavailable'],
};

export const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  overloaded: 503,
};

export type ProblemInput = {
  status: number;
  detail: string;
  errors?: FieldError[];
  requestId?: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
};

export function problemResponse(p: ProblemInput): APIGatewayProxyStructuredResultV2 {
  const [slug, title] = TITLES[p.status] ?? TITLES[500]!;
  const body = {
    ...p.extensions,
    type: PROBLEM_BASE + slug,
    title,
    status: p.status,
    detail: p.detail,
    ...(p.errors?.length ? { errors: p.errors } : {}),
    ...(p.requestId ? { requestId: p.requestId } : {}),
  };
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...p.headers },
    body: JSON.stringify(body),
  };
}
