import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Trigger } from 'aws-cdk-lib/triggers';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { GSI1, GSI2, GSI3, GSI4 } from '../shared/adapters/keys.js';
import { Construct } from 'constructs';
import { PARKED_LOG_MESSAGE } from '../shared/config.js';
import { manifests } from '../functions/manifests.js';
import { redrive } from '../functions/redrive.manifest.js';
import type { EnvValue, FunctionManifest, QueueName, SecretName } from '../functions/function-manifest.js';
import type { RegionConfig } from '../shared/region.js';
import type { ApiFunctionName } from '../shared/http/route.js';
import { ClearwayFunction } from './constructs/clearway-function.js';
import { DataTable } from './constructs/data-table.js';
import { ClearwayHttpApi } from './constructs/http-api.js';
import { ConsoleHosting } from './constructs/console-hosting.js';
import { WorkQueue } from './constructs/work-queue.js';
import { CertificateSigningKeys } from './constructs/certificate-signing-keys.js';
import { CERTIFICATE_KEY_GENERATIONS } from './certificate-keys.js';

export type ClearwayStackProps = StackProps & { region: RegionConfig; production: boolean };

/** Indexes a function queries; only functions that query get index ARNs, and only these. */
const INDEXES = [GSI1, GSI2, GSI3, GSI4];

/**
 * One region's Clearway: the shared table, the work queues, the secrets and signing keys, and every
 * function as its manifest (functions/manifests.ts) says, the API in front of them. Every bureau of
 * the region uses these.
 */
export class ClearwayStack extends Stack {
  constructor(scope: Construct, id: string, props: ClearwayStackProps) {
    super(scope, id, props);
    const { table } = new DataTable(this, 'Data', { production: props.production });
    // A queue's visibility timeout follows its consumer's timeout (the consumer's manifest).
    const consumerTimeout = (queue: QueueName) =>
      Duration.seconds(Math.max(...manifests.filter((m) => m.events?.some((e) => e.queue === queue)).map((m) => m.timeoutS)));
    const audit = new WorkQueue(this, 'Audit', {
      consumerTimeout: consumerTimeout('audit'),
      maxReceiveCount: 5,
      maxAge: Duration.minutes(5),
    });
    const notify = new WorkQueue(this, 'Notify', {
      consumerTimeout: consumerTimeout('notify'),
      maxReceiveCount: 5,
      maxAge: Duration.minutes(15),
    });
    const adminKey = new Secret(this, 'AdminKey', {
      description: 'Clearway admin API key (read by the authorizer)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const signingKey = new Secret(this, 'CertificateSigningKey', {
      description: 'Clearway certificate signing key (HMAC-SHA256)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const certificateKeys = new CertificateSigningKeys(this, 'CertificateSigning', { generations: CERTIFICATE_KEY_GENERATIONS });

    // Every function from its manifest (functions/*.manifest.ts): environment, grants, event sources, schedules.
    const queues: Record<QueueName, WorkQueue> = { audit, notify };
    const secrets: Record<SecretName, Secret> = { adminKey, signingKey };
    const envValue = (value: EnvValue): string => {
      if (typeof value === 'string') return value;
      if ('queueUrl' in value) return queues[value.queueUrl].queue.queueUrl;
      if ('secretArn' in value) return secrets[value.secretArn].secretArn;
      const refs = {
        tableName: table.tableName,
        regionId: props.region.id,
        certificateSigningKeyId: certificateKeys.environment.CERTIFICATE_SIGNING_KEY_ID!,
        certificateVerifyKeyIds: certificateKeys.environment.CERTIFICATE_VERIFY_KEY_IDS!,
      };
      return refs[value.ref];
    };
    const built = new Map<string, ClearwayFunction>();
    for (const manifest of manifests.filter((m) => m.api !== 'console')) {
      const fn = new ClearwayFunction(this, manifest.id, {
        entry: manifest.entry,
        ...(manifest.handler ? { handler: manifest.handler } : {}),
        memorySize: manifest.memoryMb,
        timeout: Duration.seconds(manifest.timeoutS),
        environment: Object.fromEntries(Object.entries(manifest.environment).map(([name, value]) => [name, envValue(value)])),
      });
      grant(fn, manifest);
      built.set(manifest.id, fn);
    }
    function grant(fn: ClearwayFunction, manifest: FunctionManifest) {
      // Exact ARNs instead of TableV2.grant's `index/*` wildcard: least privilege, nothing to excuse.
      const actions = manifest.grants.dynamodb.map((a) => `dynamodb:${a}`);
      const resources = [table.tableArn];
      if (manifest.grants.dynamodb.includes('Query')) resources.push(...INDEXES.map((i) => `${table.tableArn}/index/${i}`));
      if (actions.length) fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
      for (const [name, uses] of Object.entries(manifest.grants.queues ?? {}) as [QueueName, ('send' | 'attributes')[]][]) {
        if (uses.includes('attributes')) queues[name].queue.grant(fn, 'sqs:GetQueueAttributes');
        if (uses.includes('send')) queues[name].queue.grantSendMessages(fn);
      }
      for (const secret of manifest.grants.secrets ?? []) secrets[secret].grantRead(fn);
      if (manifest.grants.certificateKeys === 'sign') certificateKeys.grantSign(fn);
      if (manifest.grants.certificateKeys === 'publish') certificateKeys.grantPublish(fn);
    }
    const fnOf = (manifest: FunctionManifest) => built.get(manifest.id)!;

    const functions = Object.fromEntries(
      manifests.filter((m) => m.api && m.api !== 'authorizer' && m.api !== 'console').map((m) => [m.api, fnOf(m)]),
    ) as Record<ApiFunctionName, IFunction | undefined>;
    const authorizer = fnOf(manifests.find((m) => m.api === 'authorizer')!);

    const http = new ClearwayHttpApi(this, 'Http', { functions, authorizer });
    new ConsoleHosting(this, 'Console', { api: http.api });

    for (const manifest of manifests) {
      for (const source of manifest.events ?? []) {
        queues[source.queue].consumeWith(fnOf(manifest), {
          batchSize: source.batchSize,
          maxConcurrency: source.maxConcurrency,
          ...(source.maxBatchingWindowS ? { maxBatchingWindow: Duration.seconds(source.maxBatchingWindowS) } : {}),
        });
      }
      for (const schedule of manifest.schedules ?? []) {
        new Rule(this, `${manifest.id}Schedule`, {
          description: schedule.description,
          schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
          targets: [new LambdaFunction(fnOf(manifest))],
        });
      }
      // First-start data after every deploy (idempotent).
      if (manifest.afterDeploy)
        new Trigger(this, `${manifest.id}AfterDeploy`, { handler: fnOf(manifest), executeAfter: [table], executeOnHandlerChange: true });
    }

    // Parked declarations (their audit failed too often; docs/operations.md): each sweep logs how
    // many there are while any is; the alarm fires while the count is above 0, and resolves
    // (missing data) once every one is redriven.
    const parkedMetric = new MetricFilter(this, 'ParkedDeclarationsMetric', {
      logGroup: fnOf(redrive).logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', PARKED_LOG_MESSAGE),
      metricNamespace: 'Clearway',
      metricName: 'ParkedDeclarations',
      metricValue: '$.parkedDeclarations',
    }).metric({ statistic: 'Maximum', period: Duration.minutes(1) });
    new Alarm(this, 'ParkedDeclarationsAlarm', {
      alarmDescription:
        'Declarations are parked: their audit failed too often and is retried only hourly. List them with GET /declarations/parked, fix the cause, redrive with POST /declarations/{id}/redrive (docs/operations.md).',
      metric: parkedMetric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
