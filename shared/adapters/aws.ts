/**
 * AWS SDK clients, created once per container. Locally the runtime points them at the emulators
 * through CLEARWAY_DYNAMODB_ENDPOINT and CLEARWAY_SQS_ENDPOINT; in the cloud both are unset.
 */
import http from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { meterDynamo, meterSqs } from './metering.js';

const dynamoEndpoint = process.env.CLEARWAY_DYNAMODB_ENDPOINT;
const sqsEndpoint = process.env.CLEARWAY_SQS_ENDPOINT;

/**
 * DynamoDB Local serialises writes in one SQLite database: measured here, 8 concurrent
 * transactions get ~300/s through it, 32 get ~150/s. So against the emulator requests wait in
 * Node for one of a few connections instead of crowding the JVM. (In the cloud: SDK defaults.)
 */
const LOCAL_DYNAMO_CONNECTIONS = Number(process.env.CLEARWAY_DYNAMODB_CONNECTIONS ?? 8);

const localAgent = dynamoEndpoint ? new http.Agent({ keepAlive: true, maxSockets: LOCAL_DYNAMO_CONNECTIONS }) : undefined;
const dynamoClient = () =>
  new DynamoDBClient({
    ...(dynamoEndpoint ? { endpoint: dynamoEndpoint, requestHandler: { httpAgent: localAgent } } : {}),
    maxAttempts: 4,
  });
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };

export const dynamo = DynamoDBDocumentClient.from(dynamoClient(), { marshallOptions });

/**
 * Numbers come back as exact strings (NumberValue): for counters, which DynamoDB adds exactly up to
 * 38 digits but a JavaScript number holds only up to 2^53. (Its own client: a document client
 * shares its client's middleware stack, so two translate configs cannot share one client.)
 */
export const dynamoExactNumbers = DynamoDBDocumentClient.from(dynamoClient(), {
  marshallOptions,
  unmarshallOptions: { wrapNumbers: true },
});

export const sqs = new SQSClient({
  ...(sqsEndpoint ? { endpoint: sqsEndpoint, useQueueUrlAsEndpoint: false } : {}),
  maxAttempts: 4,
});
// Counting adapter (off unless enabled): calls and capacity per function, for budgets and the bench.
meterDynamo(dynamo);
meterDynamo(dynamoExactNumbers);
meterSqs(sqs);

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const tableName = () => requiredEnv('TABLE_NAME');

/** Every item a query matches, page after page (for reads bounded by their key, not by a limit). */
export async function queryAll(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  client: DynamoDBDocumentClient = dynamo,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, TableName: tableName(), ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** An item's table key. */
export type TableKey = { pk: string; sk: string };

/** Reads one item by its key, strongly consistent (undefined: there is none). */
export type ItemReader = (key: TableKey) => Promise<Record<string, unknown> | undefined>;

/**
 * How a batch's reads are collected: `coalescedPerBatch` (shared/app/batch-scope.ts), passed in so
 * that this module does not reach up into the application layer.
 */
export type ReadCoalescer = <K, V>(
  readMany: (keys: K[]) => Promise<Map<string, V>>,
  keyOf: (key: K) => string,
) => (key: K) => Promise<V | undefined>;

const itemId = (key: { pk?: unknown; sk?: unknown }) => `${String(key.pk)}\u0000${String(key.sk)}`;

/**
 * An item reader whose reads, of any kind of item, share one strongly consistent BatchGetItem
 * when `coalesce` collects them together: the audit reads a declaration's header, its filer's
 * credit and the active rule set pointer in one request where it made three (docs/pipeline.md).
 * A BatchGetItem costs the read units its items would cost read one by one.
 */
export function itemsReadTogether(coalesce: ReadCoalescer): ItemReader {
  return coalesce(
    async (wanted: TableKey[]) => new Map((await batchGetAll(wanted, { consistent: true })).map((item) => [itemId(item), item])),
    itemId,
  );
}

/** How often BatchGet is asked again for the keys DynamoDB left unprocessed before giving up. */
const BATCH_GET_ROUNDS = 8;

/**
 * DynamoDB kept leaving keys unprocessed: throttling, so load and not a fault. Marked the way the
 * SDK marks its own throttles (`$retryable.throttling`), so shared/domain/transient-errors.ts
 * classes it as overload: an HTTP read answers 503 with Retry-After, and the audit worker does not
 * count it against the declarations of its batch.
 */
export class UnprocessedKeysError extends Error {
  override readonly name = 'UnprocessedKeysError';
  readonly $retryable = { throttling: true };
}

/**
 * The items of these keys (any number, 100 to a BatchGet), in no particular order; a key with no
 * item is left out. DynamoDB answers part of a batch under throttling (`UnprocessedKeys`): those
 * are asked again with exponential backoff (10 ms, 20 ms, … as AWS advises), never in a tight
 * loop, and after BATCH_GET_ROUNDS the read fails rather than answering short.
 */
export async function batchGetAll(
  wanted: Record<string, unknown>[],
  options: { consistent?: boolean; projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < wanted.length; i += 100) {
    let pending = wanted.slice(i, i + 100);
    for (let round = 0; pending.length; round++) {
      if (round === BATCH_GET_ROUNDS) throw new UnprocessedKeysError(`BatchGet left ${pending.length} items unread after ${round} rounds`);
      if (round) await new Promise((r) => setTimeout(r, 10 * 2 ** (round - 1)));
      const out = await dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}), ...options.projection },
          },
        }),
      );
      found.push(...(out.Responses?.[tableName()] ?? []));
      pending = (out.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}
