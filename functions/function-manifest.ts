/**
 * What a function manifest is (functions/manifests.ts lists them all): the data the stack builds a
 * function from and the local runtime checks the template against, with the helpers manifests use.
 * Pure data: no CDK and no AWS SDK imports, so infra, local and tests may read it freely.
 */
import type { ApiFunctionName } from '../shared/http/route.js';

export type QueueName = 'audit' | 'notify';
export type SecretName = 'adminKey' | 'signingKey';

/** A value the stack fills in: the table's name, a queue's URL, a secret's ARN, the region, the key ids. */
export type EnvValue =
  | string
  | { ref: 'tableName' | 'regionId' | 'certificateSigningKeyId' | 'certificateVerifyKeyIds' }
  | { queueUrl: QueueName }
  | { secretArn: SecretName };

export type DynamoAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'ConditionCheckItem' | 'DeleteItem' | 'BatchGetItem';

export type FunctionManifest = {
  /** The function's logical id in the stack (its role and log group are named after it). */
  id: string;
  /** Source file relative to the project root. */
  entry: string;
  handler?: string;
  memoryMb: number;
  timeoutS: number;
  /** Every variable the function reads, and nothing else: locally it gets exactly these. */
  environment: Record<string, EnvValue>;
  grants: {
    /** Exact DynamoDB actions on the table (with Query, the table's indexes too). */
    dynamodb: DynamoAction[];
    /** Per queue: send messages, read its attributes (backlog). Consuming is granted by `events`. */
    queues?: Partial<Record<QueueName, ('send' | 'attributes')[]>>;
    /** Secrets it reads. */
    secrets?: SecretName[];
    /** Certificate-signing keys: sign with the current one, or publish every public key. */
    certificateKeys?: 'sign' | 'publish';
  };
  /**
   * SQS event source mappings. `maxBatchingWindowS` makes Lambda wait to fill a batch: omitted for
   * latency-critical consumers (a message is handed over as soon as it arrives).
   */
  events?: { queue: QueueName; batchSize: number; maxConcurrency: number; maxBatchingWindowS?: number }[];
  /** EventBridge schedules (`rate(n minutes)`). */
  schedules?: { everyMinutes: number; description: string }[];
  /** Run once after every deploy (a CDK trigger); locally, at every start. */
  afterDeploy?: boolean;
  /**
   * What it serves on the HTTP API: the route table's function name, the API-key authorizer, or the
   * console's pages (infra/constructs/console-hosting.ts builds that one, with the static files).
   */
  api?: ApiFunctionName | 'authorizer' | 'console';
};

/** What every function reads: its region, the mode, the table. */
export const BASE_ENV = {
  CLEARWAY_REGION_ID: { ref: 'regionId' },
  CLEARWAY_MODE: 'cloud',
  TABLE_NAME: { ref: 'tableName' },
} as const satisfies Record<string, EnvValue>;

/** What a function that signs or verifies certificates reads (shared/adapters/certificate-signer.ts). */
export const CERTIFICATE_KEY_ENV = {
  CERTIFICATE_SIGNING_KEY_ID: { ref: 'certificateSigningKeyId' },
  CERTIFICATE_VERIFY_KEY_IDS: { ref: 'certificateVerifyKeyIds' },
} as const satisfies Record<string, EnvValue>;

export const queueUrl = (queue: QueueName) => ({ queueUrl: queue }) as const;
/** Both work queues' URLs: for a function that sends to both or samples their backlog. */
export const WORK_QUEUES_ENV = {
  AUDIT_QUEUE_URL: queueUrl('audit'),
  NOTIFY_QUEUE_URL: queueUrl('notify'),
} as const satisfies Record<string, EnvValue>;
export const secretArn = (secret: SecretName) => ({ secretArn: secret }) as const;

/** DynamoDB actions by what a function does with the table. */
export const READ: DynamoAction[] = ['GetItem', 'Query'];
export const WRITE: DynamoAction[] = ['PutItem', 'UpdateItem', 'ConditionCheckItem'];
