/**
 * Readiness of what the API cannot work without: the table and the queues. `GET /health` says
 * `ok` only when both answer (one cheap read each, bounded in time), so a load balancer, a test
 * or an operator sees a dead DynamoDB Local or queue emulator at once instead of a stream of 500s.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { dynamo, sqs, tableName } from './aws.js';
import { keys } from './keys.js';

export type Readiness = { table: boolean; queues: boolean; detail: string[] };

const QUEUE_URL_VARIABLES = ['AUDIT_QUEUE_URL', 'NOTIFY_QUEUE_URL'] as const;

export async function readiness(timeoutMs = 1500): Promise<Readiness> {
  const detail: string[] = [];
  const table = dynamo
    .send(new GetCommand({ TableName: tableName(), Key: keys.ruleSetPointer }), { abortSignal: AbortSignal.timeout(timeoutMs) })
    .then(
      () => true,
      (error: unknown) => (detail.push(`table: ${(error as Error).name ?? 'unreachable'}`), false),
    );
  const urls = QUEUE_URL_VARIABLES.map((v) => process.env[v]).filter((u): u is string => !!u);
  const queues = Promise.all(
    urls.map((QueueUrl) =>
      sqs
        .send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }), { abortSignal: AbortSignal.timeout(timeoutMs) })
        .then(
          () => true,
          (error: unknown) => (detail.push(`queue ${QueueUrl.split('/').pop()}: ${(error as Error).name ?? 'unreachable'}`), false),
        ),
    ),
  ).then((each) => each.every(Boolean));
  const [t, q] = await Promise.all([table, queues]);
  return { table: t, queues: q, detail };
}
