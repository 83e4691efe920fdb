/**
 * AWS SDK clients, created once per container. Locally the runtime points them at the emulators
 * through CLEARWAY_DYNAMODB_ENDPOINT and CLEARWAY_SQS_ENDPOINT; in the cloud both are unset.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

const dynamoEndpoint = process.env.CLEARWAY_DYNAMODB_ENDPOINT;
const sqsEndpoint = process.env.CLEARWAY_SQS_ENDPOINT;

export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({ ...(dynamoEndpoint ? { endpoint: dynamoEndpoint } : {}), maxAttempts: 4 }),
  { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
);

export const sqs = new SQSClient({
  ...(sqsEndpoint ? { endpoint: sqsEndpoint, useQueueUrlAsEndpoint: false } : {}),
  maxAttempts: 4,
});

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const tableName = () => requiredEnv('TABLE_NAME');
