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
import { DEFAULT_STRANDED_AFTER_S, DEFAULT_WEBHOOK_SCHEDULE_S, PARKED_LOG_MESSAGE } from '../shared/config.js';
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

/** DynamoDB actions by what a function does with the table; grants name exactly these. */
const READ = ['dynamodb:GetItem', 'dynamodb:Query'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];
/** Indexes a function queries; only functions that query get index ARNs, and only these. */
const INDEXES = [GSI1, GSI2, GSI3, GSI4];

/**
 * One region's Clearway: the shared table, the work queues, the API with one function per
 * capability, the queue workers and the redrive schedule. Every bureau of the region uses these.
 */
export class ClearwayStack extends Stack {
  constructor(scope: Construct, id: string, props: ClearwayStackProps) {
    super(scope, id, props);
    const { table } = new DataTable(this, 'Data', { production: props.production });
    const WORKER_TIMEOUT = Duration.seconds(30);
    const audit = new WorkQueue(this, 'Audit', { consumerTimeout: WORKER_TIMEOUT, maxReceiveCount: 5, maxAge: Duration.minutes(5) });
    const notify = new WorkQueue(this, 'Notify', {
      consumerTimeout: Duration.seconds(60),
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

    const common = { CLEARWAY_REGION_ID: props.region.id, CLEARWAY_MODE: 'cloud', TABLE_NAME: table.tableName };
    // Exact ARNs instead of TableV2.grant's `index/*` wildcard: least privilege, nothing to excuse.
    const withTable = (fn: ClearwayFunction, actions: string[]) => {
      const resources = [table.tableArn];
      if (actions.includes('dynamodb:Query')) resources.push(...INDEXES.map((i) => `${table.tableArn}/index/${i}`));
      fn.addToRolePolicy(new PolicyStatement({ actions, resources }));
      return fn;
    };

    const authorizer = withTable(
      new ClearwayFunction(this, 'Authorizer', {
        entry: 'functions/authorizer.ts',
        environment: { ...common, ADMIN_KEY_SECRET_ARN: adminKey.secretArn },
        memorySize: 256,
      }),
      ['dynamodb:GetItem'],
    );
    adminKey.grantRead(authorizer);

    const api = (name: ApiFunctionName, actions: string[], environment: Record<string, string> = {}, timeout?: Duration) =>
      withTable(
        new ClearwayFunction(this, `Api${name[0]!.toUpperCase()}${name.slice(1)}`, {
          entry: `functions/http/${name}.ts`,
          environment: { ...common, ...environment },
          ...(timeout ? { timeout } : {}),
        }),
        actions,
      );
    const functions: Record<ApiFunctionName, IFunction | undefined> = {
      // Reads the active rule set version (and, once per version, its body) for the OpenAPI document types.
      meta: withTable(
        new ClearwayFunction(this, 'ApiMeta', {
          entry: 'functions/http/meta.ts',
          // GET /health asks the queues too (GetQueueAttributes): 503 when they cannot be reached.
          environment: { ...common, AUDIT_QUEUE_URL: audit.queue.queueUrl, NOTIFY_QUEUE_URL: notify.queue.queueUrl },
        }),
        ['dynamodb:GetItem'],
      ),
      principals: api('principals', ['dynamodb:GetItem', 'dynamodb:PutItem']),
      enterprises: api('enterprises', [...READ, ...WRITE], { NOTIFY_QUEUE_URL: notify.queue.queueUrl }),
      declarations: api('declarations', [...READ, ...WRITE, 'dynamodb:BatchGetItem'], {
        AUDIT_QUEUE_URL: audit.queue.queueUrl,
        NOTIFY_QUEUE_URL: notify.queue.queueUrl,
        SIGNING_KEY_SECRET_ARN: signingKey.secretArn,
        ...certificateKeys.environment,
        // Admission control (shared/app/admission.ts, contract section 16): the work queues' backlog
        // beyond which intake refuses with 503 + Retry-After before storing. In the cloud the audit
        // consumers drain thousands a second; a container serves one request at a time, so the
        // in-flight limit binds only locally (local/platform.ts sets local values).
        CLEARWAY_INTAKE_MAX_BACKLOG: '2000',
        CLEARWAY_INTAKE_MAX_IN_FLIGHT: '64',
      }),
      // Simulation replays up to 5,000 declarations: it gets API Gateway's full 29 s.
      rulesets: api('rulesets', [...READ, ...WRITE], {}, Duration.seconds(29)),
      webhooks: api('webhooks', [...READ, ...WRITE, 'dynamodb:DeleteItem', 'dynamodb:BatchGetItem'], {
        NOTIFY_QUEUE_URL: notify.queue.queueUrl,
      }),
      stats: api('stats', ['dynamodb:Query']),
      certificates: api('certificates', ['dynamodb:GetItem'], {
        SIGNING_KEY_SECRET_ARN: signingKey.secretArn,
        ...certificateKeys.environment,
      }),
    };
    for (const queue of [audit.queue, notify.queue]) queue.grant(functions.meta!, 'sqs:GetQueueAttributes');
    // Intake samples the work queues' backlog (at most once a second) to refuse before storing.
    for (const queue of [audit.queue, notify.queue]) queue.grant(functions.declarations!, 'sqs:GetQueueAttributes');
    notify.queue.grantSendMessages(functions.enterprises!);
    audit.queue.grantSendMessages(functions.declarations!);
    notify.queue.grantSendMessages(functions.declarations!);
    signingKey.grantRead(functions.declarations!);
    signingKey.grantRead(functions.certificates!);
    certificateKeys.grantSign(functions.declarations!);
    certificateKeys.grantPublish(functions.certificates!);
    notify.queue.grantSendMessages(functions.webhooks!);

    const http = new ClearwayHttpApi(this, 'Http', { functions, authorizer });
    new ConsoleHosting(this, 'Console', { api: http.api });

    // Scheduled redrive: declarations stranded in ACCEPTED and events not yet queued.
    const redrive = withTable(
      new ClearwayFunction(this, 'Redrive', {
        entry: 'functions/redrive.ts',
        timeout: Duration.seconds(60),
        environment: {
          ...common,
          AUDIT_QUEUE_URL: audit.queue.queueUrl,
          NOTIFY_QUEUE_URL: notify.queue.queueUrl,
          CLEARWAY_STRANDED_AFTER_S: String(DEFAULT_STRANDED_AFTER_S),
        },
      }),
      // Reads and writes: the overdue sweep applies a declaration transition (one transaction).
      [...READ, ...WRITE],
    );
    audit.queue.grantSendMessages(redrive);
    notify.queue.grantSendMessages(redrive);
    // Parked declarations (their audit failed too often; docs/operations.md): each sweep logs how
    // many there are while any is; the alarm fires while the count is above 0, and resolves
    // (missing data) once every one is redriven.
    const parkedMetric = new MetricFilter(this, 'ParkedDeclarationsMetric', {
      logGroup: redrive.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', PARKED_LOG_MESSAGE),
      metricNamespace: 'Clearway',
      metricName: 'ParkedDeclarations',
      metricValue: '$.parkedDeclarations',
    }).metric({ statistic: 'Maximum', period: Duration.minutes(1) });
    new Alarm(this, 'ParkedDeclarationsAlarm', {
      alarmDescription:
        'Declarations are parked: their audit failed too often and is not retried automatically. List them with GET /declarations/parked, fix the cause, redrive with POST /declarations/{id}/redrive (docs/operations.md).',
      metric: parkedMetric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Rule(this, 'RedriveSchedule', {
      description: 'Queue again work that was committed but not queued',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(redrive)],
    });

    // Queue workers.
    const auditWorker = withTable(
      new ClearwayFunction(this, 'AuditWorker', {
        entry: 'functions/audit-worker.ts',
        timeout: WORKER_TIMEOUT,
        memorySize: 1024,
        environment: {
          ...common,
          NOTIFY_QUEUE_URL: notify.queue.queueUrl,
          SIGNING_KEY_SECRET_ARN: signingKey.secretArn,
          ...certificateKeys.environment,
        },
      }),
      [...READ, ...WRITE],
    );
    audit.consumeWith(auditWorker, { maxConcurrency: 50 });
    notify.queue.grantSendMessages(auditWorker);
    signingKey.grantRead(auditWorker);
    certificateKeys.grantSign(auditWorker);

    const notifyWorker = withTable(
      new ClearwayFunction(this, 'NotifyWorker', {
        entry: 'functions/notify-worker.ts',
        timeout: Duration.seconds(60),
        environment: {
          ...common,
          NOTIFY_QUEUE_URL: notify.queue.queueUrl,
          CLEARWAY_WEBHOOK_SCHEDULE: DEFAULT_WEBHOOK_SCHEDULE_S.join(','),
        },
      }),
      [...READ, ...WRITE],
    );
    notify.consumeWith(notifyWorker, { maxConcurrency: 20 });
    notify.queue.grantSendMessages(notifyWorker);

    // First-start data (the default rule set), after every deploy; idempotent.
    const seed = withTable(
      new ClearwayFunction(this, 'Seed', { entry: 'functions/seed.ts', timeout: Duration.seconds(60), environment: common }),
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
    );
    new Trigger(this, 'SeedAfterDeploy', { handler: seed, executeAfter: [table], executeOnHandlerChange: true });
  }
}
