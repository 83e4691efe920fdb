/**
 * Every function is what its manifest (functions/*.manifest.ts) says: the template's environment,
 * grants, event sources, schedules, memory and timeout are the manifest's and nothing more. The
 * local runtime runs each function with exactly the template's environment, so a variable missing
 * from a manifest fails locally too; and it refuses to start when template and manifests disagree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { manifests } from '../../functions/manifests.js';
import type { EnvValue, FunctionManifest } from '../../functions/function-manifest.js';
import { checkAgainstManifests, modelOf, type Template } from '../../local/template.js';
import { allRegions } from '../../shared/region.js';

type Resource = { Type: string; Properties: any; Metadata?: any };
let template: Template;
let resources: Record<string, Resource>;
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-manifests-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

beforeAll(() => {
  const { app, stages } = buildApp({ bundling: false, nag: false, stage: 'dev', outdir });
  const assembly = app.synth();
  template = assembly.getNestedAssembly(stages[0]!.artifactId).getStackArtifact(stages[0]!.stack.artifactId).template as Template;
  resources = template.Resources as Record<string, Resource>;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const idStarting = (type: string, prefix: string) => {
  const found = ofType(type).filter(([id]) => id.startsWith(prefix));
  expect(found, `${type} ${prefix}*`).toHaveLength(1);
  return found[0]![0];
};
const fnOf = (m: FunctionManifest) => {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['clearway:entry'] === m.entry);
  expect(found, m.entry).toHaveLength(1);
  return found[0]!;
};
const statementsOf = (fnId: string) => {
  const roleId = resources[fnId]!.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .map((s: any) => ({ actions: [s.Action].flat() as string[], resources: JSON.stringify(s.Resource) }));
};
const queueId = (name: 'audit' | 'notify') => idStarting('AWS::SQS::Queue', name === 'audit' ? 'AuditQueue' : 'NotifyQueue');
const CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

describe('function manifests', () => {
  it('cover every function of the stack, one each', () => {
    const entries = ofType('AWS::Lambda::Function')
      .map(([, r]) => r.Metadata?.['clearway:entry'])
      .filter(Boolean)
      .sort();
    expect(manifests.map((m) => m.entry).sort()).toEqual(entries);
    expect(new Set(manifests.map((m) => m.id)).size).toBe(manifests.length);
  });

  describe.each(manifests.map((m) => [m.entry, m] as const))('%s', (_entry, manifest) => {
    it('has its memory, timeout and exactly its environment', () => {
      const [, fn] = fnOf(manifest);
      expect(fn.Properties.MemorySize).toBe(manifest.memoryMb);
      expect(fn.Properties.Timeout).toBe(manifest.timeoutS);
      const variables: Record<string, unknown> = { ...fn.Properties.Environment?.Variables };
      expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
      delete variables.NODE_OPTIONS;
      expect(Object.keys(variables).sort()).toEqual(Object.keys(manifest.environment).sort());
      const expected = (value: EnvValue): unknown => {
        if (typeof value === 'string') return value;
        if ('queueUrl' in value) return { Ref: queueId(value.queueUrl) };
        if ('secretArn' in value)
          return { Ref: idStarting('AWS::SecretsManager::Secret', value.secretArn === 'adminKey' ? 'AdminKey' : 'CertificateSigningKey') };
        if (value.ref === 'tableName') return { Ref: idStarting('AWS::DynamoDB::GlobalTable', 'Data') };
        if (value.ref === 'regionId') return allRegions[0]!.id;
        if (value.ref === 'certificateSigningKeyId') return { 'Fn::GetAtt': [ofType('AWS::KMS::Key').at(-1)![0], 'Arn'] };
        return ''; // certificateVerifyKeyIds: one generation so far, nothing earlier to verify
      };
      for (const [name, value] of Object.entries(manifest.environment)) expect(variables[name], name).toEqual(expected(value));
    });

    it('is granted exactly the DynamoDB actions, queues, secrets and keys its manifest names', () => {
      const [fnId] = fnOf(manifest);
      const statements = statementsOf(fnId);
      const dynamo = statements.flatMap((s) => s.actions).filter((a) => a.startsWith('dynamodb:'));
      expect(dynamo.sort()).toEqual(manifest.grants.dynamodb.map((a) => `dynamodb:${a}`).sort());
      for (const name of ['audit', 'notify'] as const) {
        const onQueue = statements.filter((s) => s.resources.includes(`"${queueId(name)}"`)).flatMap((s) => s.actions);
        const uses = manifest.grants.queues?.[name] ?? [];
        const consumes = manifest.events?.some((e) => e.queue === name);
        const allowed = new Set([
          ...(uses.includes('send') ? ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] : []),
          ...(uses.includes('attributes') ? ['sqs:GetQueueAttributes'] : []),
          ...(consumes ? CONSUMER_ACTIONS : []),
        ]);
        expect(
          onQueue.filter((a) => !allowed.has(a)),
          `${name} queue`,
        ).toEqual([]);
        if (uses.includes('send')) expect(onQueue).toContain('sqs:SendMessage');
        if (uses.includes('attributes')) expect(onQueue).toContain('sqs:GetQueueAttributes');
        if (consumes) expect(onQueue).toContain('sqs:ReceiveMessage');
      }
      const secretReads = statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue')).map((s) => s.resources);
      expect(secretReads.length).toBe(manifest.grants.secrets?.length ?? 0);
      const kms = statements.flatMap((s) => s.actions).filter((a) => a.startsWith('kms:'));
      const kmsFor = { sign: ['kms:GetPublicKey', 'kms:Sign'], publish: ['kms:GetPublicKey'] };
      const expectedKms = manifest.grants.certificateKeys ? kmsFor[manifest.grants.certificateKeys] : [];
      expect([...new Set(kms)].sort()).toEqual(expectedKms);
    });

    it('consumes exactly its event sources, with their batch size, window and maximum concurrency', () => {
      const [fnId] = fnOf(manifest);
      const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.FunctionName.Ref === fnId);
      expect(mappings).toHaveLength(manifest.events?.length ?? 0);
      for (const source of manifest.events ?? []) {
        const found = mappings.find(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt'][0] === queueId(source.queue));
        expect(found, source.queue).toBeDefined();
        const p = found![1].Properties;
        expect(p.BatchSize).toBe(source.batchSize);
        expect(p.ScalingConfig.MaximumConcurrency).toBe(source.maxConcurrency);
        expect(p.MaximumBatchingWindowInSeconds).toBe(source.maxBatchingWindowS);
      }
    });

    it('runs on exactly its schedules', () => {
      const [fnId] = fnOf(manifest);
      const rules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Targets.some((t: any) => t.Arn['Fn::GetAtt']?.[0] === fnId));
      expect(rules.map(([, r]) => r.Properties.ScheduleExpression)).toEqual(
        (manifest.schedules ?? []).map((s) => (s.everyMinutes === 1 ? 'rate(1 minute)' : `rate(${s.everyMinutes} minutes)`)),
      );
    });
  });

  it('lets the latency-critical consumers (audit, notification) take messages as they arrive: no batching window', () => {
    const consumers = manifests.filter((m) => m.events?.length);
    expect(consumers.map((m) => m.entry).sort()).toEqual(['functions/audit-worker.ts', 'functions/notify-worker.ts']);
    for (const [, m] of ofType('AWS::Lambda::EventSourceMapping')) expect(m.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it('are what the local runtime checks the template against: a drifted manifest stops a local start', () => {
    const model = modelOf(template);
    expect(() => checkAgainstManifests(model, manifests)).not.toThrow();
    const drifted = manifests.map((m) =>
      m.entry === 'functions/notify-worker.ts' ? { ...m, environment: { ...m.environment, AUDIT_QUEUE_URL: { queueUrl: 'audit' } } } : m,
    ) as FunctionManifest[];
    expect(() => checkAgainstManifests(model, drifted)).toThrow(/functions\/notify-worker\.ts: the template gives/);
    const windowed = manifests.map((m) =>
      m.entry === 'functions/audit-worker.ts' ? { ...m, events: [{ ...m.events![0]!, maxBatchingWindowS: 1 }] } : m,
    ) as FunctionManifest[];
    expect(() => checkAgainstManifests(model, windowed)).toThrow(/audit-worker\.ts: event sources/);
    expect(() => checkAgainstManifests(model, manifests.slice(1))).toThrow(/functions\/authorizer\.ts has no manifest/);
  });
});
