/**
 * Assertions on the synthesized template (bundling off: the template is the same but for asset
 * hashes). What is checked here is what local mode and the cloud both rely on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AttributeType, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { buildApp } from '../../infra/app.js';
import { NAG_ACKNOWLEDGEMENTS } from '../../infra/nag.js';
import { CertificateSigningKeys } from '../../infra/constructs/certificate-signing-keys.js';
import { allRoutes } from '../../shared/api/routes.js';
import { CONSOLE_ROUTES } from '../../infra/constructs/console-hosting.js';
import { routeKey } from '../../shared/http/route.js';
import { MAX_AUDIT_FAILURES, PARKED_LOG_MESSAGE } from '../../shared/config.js';

let template: Template;
let resources: Record<string, { Type: string; Properties: any; Metadata?: any }>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionByEntry = (entry: string) => ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.['clearway:entry'] === entry)!;
/** Every IAM action a function's role is granted, with its resources. */
function grantsOf(entry: string): { actions: string[]; resources: unknown[] }[] {
  const [, fn] = functionByEntry(entry);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .map((s: any) => ({ actions: [s.Action].flat(), resources: [s.Resource].flat() }));
}
const actionsOf = (entry: string) => new Set(grantsOf(entry).flatMap((g) => g.actions));

const outdirs: string[] = [];
/** Synthesis output goes to temp dirs this file removes afterwards. */
const outdir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-cdk-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

beforeAll(() => {
  // With the cdk-nag AwsSolutions pack registered: synthesis throws on any unacknowledged finding.
  const { app, stages } = buildApp({ bundling: false, stage: 'dev', outdir: outdir() });
  const assembly = app.synth();
  template = Template.fromJSON(assembly.getNestedAssembly(stages[0]!.artifactId).getStackArtifact(stages[0]!.stack.artifactId).template);
  resources = template.toJSON().Resources;
});

describe('data', () => {
  it('has one on-demand table with point-in-time recovery and the four indexes, and no TTL nothing writes', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1' }),
        Match.objectLike({ IndexName: 'gsi2' }),
        Match.objectLike({ IndexName: 'gsi3' }),
        // A bureau's worklist: served from the index alone, so what an entry shows is projected.
        Match.objectLike({
          IndexName: 'gsi4',
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: Match.arrayWith(['declarationId', 'kind', 'requiredSince', 'dueAt', 'roles']),
          },
        }),
      ],
      TimeToLiveSpecification: Match.absent(),
    });
  });
  it('protects the table from deletion outside dev', () => {
    const { app, stages } = buildApp({ bundling: false, stage: 'prod', nag: false, outdir: outdir() });
    const prod = app.synth().getNestedAssembly(stages[0]!.artifactId).getStackArtifact(stages[0]!.stack.artifactId).template;
    const table = Object.values<any>(prod.Resources).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('queues', () => {
  it('gives every work queue a dead-letter queue, and enforces SSL on all', () => {
    const queues = ofType('AWS::SQS::Queue');
    const dlqIds = new Set(
      queues.flatMap(([, q]) => (q.Properties.RedrivePolicy ? [q.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]] : [])),
    );
    expect(dlqIds.size).toBeGreaterThanOrEqual(2);
    for (const [id, q] of queues) {
      if (!dlqIds.has(id)) expect(q.Properties.RedrivePolicy?.maxReceiveCount, id).toBeGreaterThan(0);
    }
    const policies = ofType('AWS::SQS::QueuePolicy');
    for (const [id] of queues) {
      const policy = policies.find(([, p]) => p.Properties.Queues.some((q: any) => q.Ref === id));
      expect(JSON.stringify(policy?.[1].Properties.PolicyDocument), id).toContain('aws:SecureTransport');
    }
  });
  it('reports batch item failures and caps concurrency on every SQS event source', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    for (const [, m] of mappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.Properties.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
    }
  });
  it('sets each queue visibility timeout to at least six times its consumer timeout', () => {
    for (const [, m] of ofType('AWS::Lambda::EventSourceMapping')) {
      const queueId = m.Properties.EventSourceArn['Fn::GetAtt'][0];
      const fnId = m.Properties.FunctionName.Ref;
      expect(resources[queueId]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * resources[fnId]!.Properties.Timeout);
    }
  });
  it('alarms on dead-letter depth and on the age of the oldest message', () => {
    const metrics = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.MetricName);
    expect(metrics.filter((m) => m === 'ApproximateNumberOfMessagesVisible').length).toBeGreaterThanOrEqual(2);
    expect(metrics.filter((m) => m === 'ApproximateAgeOfOldestMessage').length).toBeGreaterThanOrEqual(2);
  });
  it('alarms while declarations are parked: a metric filter on the redrive sweep’s log line, with the audit bound matching the queue', () => {
    const [redriveId, redriveFn] = functionByEntry('functions/redrive.ts');
    const logGroupId = redriveFn.Properties.LoggingConfig.LogGroup.Ref;
    const filters = ofType('AWS::Logs::MetricFilter').filter(([, f]) => f.Properties.LogGroupName.Ref === logGroupId);
    expect(filters, `metric filter on ${redriveId}'s log group`).toHaveLength(1);
    const [, filter] = filters[0]!;
    expect(filter.Properties.FilterPattern).toBe(`{ $.message = "${PARKED_LOG_MESSAGE}" }`);
    expect(filter.Properties.MetricTransformations).toEqual([
      { MetricNamespace: 'Clearway', MetricName: 'ParkedDeclarations', MetricValue: '$.parkedDeclarations' },
    ]);
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ParkedDeclarations');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      Namespace: 'Clearway',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringContaining('POST /declarations/{id}/redrive'),
    });
    const [, auditQueue] = ofType('AWS::SQS::Queue').find(([id]) => id.startsWith('AuditQueue'))!;
    expect(auditQueue.Properties.RedrivePolicy.maxReceiveCount).toBe(MAX_AUDIT_FAILURES);
  });
});

describe('functions', () => {
  it('run Node 24 on arm64 with source maps, and record their source for local mode', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, f]) => f.Metadata?.['clearway:entry']);
    expect(fns.length).toBeGreaterThanOrEqual(6);
    for (const [, f] of fns) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.Environment.Variables.NODE_OPTIONS).toContain('--enable-source-maps');
    }
  });
  it('runs the redrive every minute', () => {
    const [, rule] = ofType('AWS::Events::Rule')[0]!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    const [redriveId] = functionByEntry('functions/redrive.ts');
    expect(rule.Properties.Targets[0].Arn['Fn::GetAtt'][0]).toBe(redriveId);
  });
});

describe('least privilege', () => {
  it('lets the authorizer only read principals by key and the admin key secret', () => {
    const actions = actionsOf('functions/authorizer.ts');
    expect([...actions].filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
    expect(actions.has('secretsmanager:GetSecretValue')).toBe(true);
    expect([...actions].some((a) => a.startsWith('sqs:'))).toBe(false);
  });
  it('lets the meta function only read items (the active rule set) and ask the queues for their attributes (GET /health)', () => {
    expect([...actionsOf('functions/http/meta.ts')].filter((a) => !a.startsWith('logs:')).sort()).toEqual([
      'dynamodb:GetItem',
      'sqs:GetQueueAttributes',
    ]);
  });
  it('lets the declarations function sample the work queues it sends to (backlog admission, contract section 16), with its limits set', () => {
    const grants = grantsOf('functions/http/declarations.ts');
    const sampled = grants.filter((g) => g.actions.includes('sqs:GetQueueAttributes'));
    // The audit and notify queues (CDK may merge this with the send grant on the same queues).
    expect(new Set(sampled.flatMap((g) => g.resources).map((r) => JSON.stringify(r))).size).toBe(2);
    expect(JSON.stringify(sampled.flatMap((g) => g.resources))).not.toContain('*');
    const [, fn] = functionByEntry('functions/http/declarations.ts');
    expect(fn.Properties.Environment.Variables).toMatchObject({
      CLEARWAY_INTAKE_MAX_BACKLOG: '2000',
      CLEARWAY_INTAKE_BACKLOG_SECONDS: '0.75',
      CLEARWAY_INTAKE_MAX_IN_FLIGHT: '64',
      CLEARWAY_INTAKE_WRITE_TARGET_MS: '100',
    });
  });
  it('lets principals only read enterprises and put principals', () => {
    const actions = [...actionsOf('functions/http/principals.ts')].filter((a) => !a.startsWith('logs:')).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });
  it('grants each function the DynamoDB calls its code makes beyond get/query/put/update', () => {
    expect(actionsOf('functions/http/webhooks.ts').has('dynamodb:BatchGetItem')).toBe(true);
    expect(actionsOf('functions/http/webhooks.ts').has('dynamodb:DeleteItem')).toBe(true);
    expect(actionsOf('functions/http/stats.ts').has('dynamodb:PutItem')).toBe(false);
    expect([...actionsOf('functions/http/certificates.ts')].filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem']);
  });

  it('grants index access only to functions that query, and never Scan or wildcards', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function').filter(([, f]) => f.Metadata?.['clearway:entry'])) {
      const grants = grantsOf(fn.Metadata['clearway:entry']);
      for (const g of grants) {
        expect(g.actions.some((a) => a === 'dynamodb:Scan' || a.endsWith(':*'))).toBe(false);
        const indexes = JSON.stringify(g.resources).includes('/index/');
        if (indexes) expect(g.actions).toContain('dynamodb:Query');
        expect(JSON.stringify(g.resources)).not.toContain('/index/*');
      }
    }
  });
  it('lets only the functions that queue work send to the queues', () => {
    const senders = ofType('AWS::Lambda::Function')
      .filter(([, f]) => f.Metadata?.['clearway:entry'])
      .filter(([, f]) => actionsOf(f.Metadata['clearway:entry']).has('sqs:SendMessage'))
      .map(([, f]) => f.Metadata['clearway:entry'])
      .sort();
    expect(senders).not.toContain('functions/authorizer.ts');
    expect(senders).not.toContain('functions/http/meta.ts');
    expect(senders).not.toContain('functions/http/principals.ts');
    expect(senders).toContain('functions/redrive.ts');
  });
});

describe('certificate signing keys (contract section 17)', () => {
  const kmsActionsOf = (entry: string) => grantsOf(entry).filter((g) => g.actions.some((a) => a.startsWith('kms:')));

  it('is a retained KMS asymmetric P-256 signing key (ES256)', () => {
    const keys = ofType('AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const [, key] = keys[0]!;
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect((key as any).DeletionPolicy).toBe('Retain');
  });

  it('lets exactly the functions that release sign, and the certificates function only read public keys', () => {
    const [keyId] = ofType('AWS::KMS::Key')[0]!;
    const withKms = ofType('AWS::Lambda::Function')
      .filter(([, f]) => f.Metadata?.['clearway:entry'])
      .map(([, f]) => f.Metadata['clearway:entry'] as string)
      .filter((entry) => kmsActionsOf(entry).length > 0)
      .sort();
    expect(withKms).toEqual(['functions/audit-worker.ts', 'functions/http/certificates.ts', 'functions/http/officers.ts']);
    for (const entry of ['functions/audit-worker.ts', 'functions/http/officers.ts']) {
      expect(kmsActionsOf(entry)).toEqual([{ actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [{ 'Fn::GetAtt': [keyId, 'Arn'] }] }]);
      const [, fn] = functionByEntry(entry);
      expect(fn.Properties.Environment.Variables.CERTIFICATE_SIGNING_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
    expect(kmsActionsOf('functions/http/certificates.ts')).toEqual([
      { actions: ['kms:GetPublicKey'], resources: [{ 'Fn::GetAtt': [keyId, 'Arn'] }] },
    ]);
  });

  it('rotates by adding a generation: the newest signs, every one stays published', () => {
    const stack = new Stack(new App({ outdir: outdir() }), 'Rotation');
    const keys = new CertificateSigningKeys(stack, 'Keys', { generations: ['2026-12', '2027-06'] });
    expect(keys.all).toHaveLength(2);
    expect(keys.current).toBe(keys.all[1]);
    const env = stack.resolve(keys.environment);
    expect(env.CERTIFICATE_SIGNING_KEY_ID).toEqual(stack.resolve(keys.all[1]!.keyArn));
    expect(JSON.stringify(env.CERTIFICATE_VERIFY_KEY_IDS)).toContain(stack.resolve(keys.all[0]!.keyArn)['Fn::GetAtt'][0]);
    const t = Template.fromStack(stack).toJSON().Resources;
    const kms = Object.values(t as Record<string, any>).filter((r) => r.Type === 'AWS::KMS::Key');
    expect(kms).toHaveLength(2);
    expect(kms.every((k) => k.DeletionPolicy === 'Retain')).toBe(true);
  });
});

describe('HTTP API', () => {
  it('has exactly the routes of the route table, the console pages and $default', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(keys).toEqual([...allRoutes.map(routeKey), ...CONSOLE_ROUTES.map((p) => `GET ${p}`), '$default'].sort());
  });
  it("sends every route to its capability's function; officers' work goes to a function apart from intake", () => {
    const entryOfRoute = (key: string) => {
      const [, route] = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === key)!;
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
      const functionId = resources[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
      return resources[functionId]!.Metadata['clearway:entry'] as string;
    };
    for (const route of allRoutes) expect(entryOfRoute(routeKey(route)), routeKey(route)).toMatch(new RegExp(`/${route.fn}\\.ts$`));
    for (const key of [
      'POST /declarations/{id}/steps/{kind}',
      'GET /worklist',
      'POST /declarations/{id}/overrides',
      'POST /declarations/{id}/redrive',
    ]) {
      expect(entryOfRoute(key)).toBe('functions/http/officers.ts');
    }
    expect(entryOfRoute('POST /declarations')).toBe('functions/http/declarations.ts');
  });
  it('puts every key route behind the API-key authorizer, without caching or identity source', () => {
    for (const [, r] of ofType('AWS::ApiGatewayV2::Route')) {
      const route = allRoutes.find((x) => routeKey(x) === r.Properties.RouteKey);
      expect(r.Properties.AuthorizationType, r.Properties.RouteKey).toBe(route?.auth === 'key' ? 'CUSTOM' : 'NONE');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
    });
  });
  it('logs access', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('CloudFormation template validation', () => {
  it('fails synthesis on a property CloudFormation would reject (e.g. 21 projected attributes)', () => {
    const { app } = buildApp({ bundling: false, nag: false, outdir: outdir() });
    const stack = new Stack(app, 'Probe');
    new TableV2(stack, 'T', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: 'i',
          partitionKey: { name: 'g', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: Array.from({ length: 21 }, (_, i) => `a${i}`),
        },
      ],
    });
    expect(() => app.synth()).toThrow(/NonKeyAttributes|maximum item count/);
  });
});

describe('cdk-nag AwsSolutions on Clearway itself', () => {
  // beforeAll synthesized Clearway's app with the pack: reaching here means no unacknowledged finding.
  it.each(NAG_ACKNOWLEDGEMENTS.map((ack) => [ack.id, ack] as const))(
    '%s is a real finding of Clearway: without its acknowledgement, synthesis fails on it',
    (_id, ack) => {
      const rule = ack.id.split('::').at(-1)!;
      const { app } = buildApp({
        bundling: false,
        stage: 'dev',
        outdir: outdir(),
        nagAcknowledgements: NAG_ACKNOWLEDGEMENTS.filter((a) => a !== ack),
      });
      expect(() => app.synth()).toThrow(new RegExp(rule));
    },
  );
  it('is really checked on Clearway: a queue without a dead-letter queue in its stack fails synthesis', () => {
    const { app, stages } = buildApp({ bundling: false, stage: 'dev', outdir: outdir() });
    new Queue(stages[0]!.stack, 'NoDlq', { enforceSSL: true });
    expect(() => app.synth()).toThrow(/SQS3/);
  });
});
