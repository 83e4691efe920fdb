/**
 * Creates exactly the template's tables (keys, indexes, TTL) and queues (redrive policies) on the
 * emulators. Idempotent: what exists already (a restart on the same data dir) is kept.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { PlatformModel } from './template.js';

export type Provisioned = {
  tableNames: Map<string, string>;
  queueUrls: Map<string, string>;
  queueArns: Map<string, string>;
};

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export async function provision(model: PlatformModel, endpoints: { dynamo: string; sqs: string }, prefix = ''): Promise<Provisioned> {
  const dynamo = new DynamoDBClient({ ...local, endpoint: endpoints.dynamo });
  const sqs = new SQSClient({ ...local, endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false });
  const tableNames = new Map<string, string>();
  const queueUrls = new Map<string, string>();
  const queueArns = new Map<string, string>();
  try {
    for (const table of model.tables) {
      const name = prefix + table.logicalId;
      tableNames.set(table.logicalId, name);
      try {
        const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
        // A data dir from an older version: add the indexes the template has gained since.
        const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
        for (const index of table.globalSecondaryIndexes.filter((g) => !existing.has(g.IndexName))) {
          await dynamo.send(
            new UpdateTableCommand({
              TableName: name,
              AttributeDefinitions: table.attributeDefinitions,
              GlobalSecondaryIndexUpdates: [{ Create: { ...index, Projection: index.Projection as { ProjectionType: 'ALL' } } }],
            }),
          );
        }
        continue;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      await dynamo.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: table.keySchema,
          AttributeDefinitions: table.attributeDefinitions,
          ...(table.globalSecondaryIndexes.length
            ? {
                GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((g) => ({
                  ...g,
                  Projection: g.Projection as { ProjectionType: 'ALL' },
                })),
              }
            : {}),
        }),
      );
      if (table.ttlAttribute) {
        await dynamo.send(
          new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttlAttribute } }),
        );
      }
    }
    // Dead-letter queues first, so their ARNs exist for the redrive policies.
    const ordered = [...model.queues].sort((a, b) => Number(!!a.deadLetter) - Number(!!b.deadLetter));
    for (const queue of ordered) {
      const name = prefix + queue.logicalId;
      const attributes: Record<string, string> = { VisibilityTimeout: String(queue.visibilityTimeoutS) };
      if (queue.retentionS) attributes.MessageRetentionPeriod = String(queue.retentionS);
      if (queue.deadLetter) {
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: queueArns.get(queue.deadLetter.targetLogicalId),
          maxReceiveCount: queue.deadLetter.maxReceiveCount,
        });
      }
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      queueUrls.set(queue.logicalId, QueueUrl!);
      queueArns.set(queue.logicalId, Attributes!.QueueArn!);
    }
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
  return { tableNames, queueUrls, queueArns };
}

/**
 * The value a function's environment variable takes locally: intrinsics that point at a table or
 * queue become the local name/URL/ARN; anything else keeps a recognisable placeholder.
 */
export function resolveEnvironment(environment: Record<string, unknown>, provisioned: Provisioned): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (typeof value === 'string' || typeof value === 'number') {
      out[name] = String(value);
      continue;
    }
    const v = value as Record<string, unknown>;
    const getAtt = v['Fn::GetAtt'] as [string, string] | undefined;
    const ref = v.Ref as string | undefined;
    const id = ref ?? getAtt?.[0];
    if (id && provisioned.tableNames.has(id)) out[name] = provisioned.tableNames.get(id)!;
    else if (id && provisioned.queueUrls.has(id))
      out[name] = getAtt?.[1] === 'Arn' ? provisioned.queueArns.get(id)! : provisioned.queueUrls.get(id)!;
    else out[name] = `local:${id ?? 'unresolved'}`;
  }
  return out;
}
