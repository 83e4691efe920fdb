/**
 * Invoking API handlers in-process with API Gateway v2 (payload 2.0) events, as the gateway would
 * after the authorizer. Used by the integration tests.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../../shared/domain/principal.js';

export type CallOptions = {
  principal?: Principal;
  body?: unknown;
  rawBody?: string;
  isBase64Encoded?: boolean;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
};

export type CallResult = { status: number; body: any; headers: Record<string, string> };

export function apiEvent(routeKey: string, options: CallOptions = {}): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  const concretePath = path.replace(/\{(\w+)\}/g, (_, name: string) => options.params?.[name] ?? name);
  return {
    version: '2.0',
    routeKey,
    rawPath: concretePath,
    rawQueryString: new URLSearchParams(options.query).toString(),
    headers: { host: 'api.test', 'content-type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.params ? { pathParameters: options.params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: { method, path: concretePath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      authorizer: { lambda: options.principal ? { principal: JSON.stringify(options.principal) } : { reason: 'missing' } },
    },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    isBase64Encoded: options.isBase64Encoded ?? false,
  } as unknown as APIGatewayProxyEventV2;
}

export const lambdaContext = {
  functionName: 'test',
  awsRequestId: randomUUID(),
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export async function call(handler: Handler, routeKey: string, options: CallOptions = {}): Promise<CallResult> {
  const result = await handler(apiEvent(routeKey, options), lambdaContext);
  const headers = (result.headers ?? {}) as Record<string, string>;
  const text = result.body ?? '';
  return { status: result.statusCode ?? 200, headers, body: text ? JSON.parse(text) : undefined };
}

export const admin: Principal = { id: 'admin', kind: 'admin' };
export const officer = (bureau: string, ...roles: ('inspector' | 'credit' | 'rules' | 'stats')[]): Principal => ({
  id: `prn_test_${bureau}_${roles.join('_')}`,
  kind: 'officer',
  bureau,
  roles,
});
export const enterprise = (enterpriseId: string): Principal => ({ id: `prn_test_${enterpriseId}`, kind: 'enterprise', enterpriseId });
