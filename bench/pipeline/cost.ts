/**
 * Cost per million declarations of one path from its per-declaration budget (bench/pipeline/
 * meters.ts) at the prices of bench/pipeline/prices.ts: Lambda requests and GB-s (each
 * function's configured memory times its measured duration), API Gateway HTTP API requests, SQS
 * requests, DynamoDB request units, CloudWatch Logs ingestion.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ASSUMPTIONS, PRICES } from './prices.js';
import { friendlyName, type Budget } from './meters.js';

export type Cost = {
  perMillion: Record<'lambdaRequests' | 'lambdaDuration' | 'apiGateway' | 'sqs' | 'dynamodbWrites' | 'dynamodbReads' | 'logs', number>;
  total: number;
  dominant: string;
  /** Lambda GB-s per declaration (memory × measured duration, summed over functions). */
  gbSeconds: number;
  /** DynamoDB storage of a million such declarations, per month kept (not in `total`). */
  storagePerMonth?: number;
};

/** Each function's configured memory (MB), from a synthesized template; 512 (the project default) otherwise. */
export function memoryOf(dataDir: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const file = dataDir && path.join(dataDir, 'template.json');
  if (!file || !fs.existsSync(file)) return out;
  const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { MemorySize?: number } }> };
  for (const [id, r] of Object.entries(template.Resources))
    if (r.Type === 'AWS::Lambda::Function') out.set(friendlyName(id), r.Properties?.MemorySize ?? 128);
  return out;
}

const DEFAULT_MEMORY: Record<string, number> = { Authorizer: 256, AuditWorker: 1024 };

export function costPerMillion(b: Budget, memory: Map<string, number>, storedBytes?: number): Cost {
  const M = 1e6;
  const invocations = Object.values(b.invocations).reduce((a, v) => a + v, 0);
  let gbSeconds = 0;
  for (const [fn, ms] of Object.entries(b.durationMs)) gbSeconds += (ms / 1000) * ((memory.get(fn) ?? DEFAULT_MEMORY[fn] ?? 512) / 1024);
  const sent = b.sqs.totalCalls;
  const consumed = b.sqs.messages;
  const sqsRequests = sent + (2 * consumed) / ASSUMPTIONS.esmMessagesPerRequest;
  const audited = b.invocations.AuditWorker ? 1 : 0;
  const logBytes = invocations * ASSUMPTIONS.logBytesPerInvocation + audited * ASSUMPTIONS.logBytesPerAuditedDeclaration;
  const perMillion = {
    lambdaRequests: (invocations * M * PRICES.lambda.requestPerMillion) / M,
    lambdaDuration: gbSeconds * M * PRICES.lambda.arm64PerGbSecond,
    apiGateway: b.apiRequests * PRICES.apiGatewayHttp.requestPerMillion,
    sqs: sqsRequests * PRICES.sqs.requestPerMillion,
    // Index entries' units are in wcu (shared/adapters/metering.ts).
    dynamodbWrites: b.dynamodb.wcu * PRICES.dynamodb.writeRequestUnitPerMillion,
    dynamodbReads: b.dynamodb.rcu * PRICES.dynamodb.readRequestUnitPerMillion,
    logs: ((logBytes * M) / 1024 ** 3) * PRICES.cloudwatchLogs.ingestionPerGb,
  };
  const rounded = Object.fromEntries(Object.entries(perMillion).map(([k, v]) => [k, +v.toFixed(4)])) as Cost['perMillion'];
  const total = +Object.values(perMillion).reduce((a, v) => a + v, 0).toFixed(4);
  const dominant = Object.entries(perMillion).sort((a, b) => b[1] - a[1])[0]![0];
  return {
    perMillion: rounded,
    total,
    dominant,
    gbSeconds: +gbSeconds.toFixed(5),
    ...(storedBytes ? { storagePerMonth: +(((storedBytes * M) / 1e9) * PRICES.dynamodb.storagePerGbMonth).toFixed(3) } : {}),
  };
}
