/**
 * The local runtime runs every function as Lambda does: in its own thread with only the environment
 * its manifest gives it (a variable it does not declare is unset, not inherited from a neighbour or
 * from the shell) and its own connection pools, so one queue's backlog does not hold up another
 * queue's consumer.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunctions, type FunctionBundles } from '../../local/function-bundles.js';
import { FunctionThreads } from '../../local/function-threads.js';
import { withoutModuleLoaders } from '../../local/thread-flags.js';
import { functionEnvironment } from '../../local/function-environment.js';
import type { FunctionModel } from '../../local/template.js';
import { client, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const probe = (logicalId: string, environment: Record<string, unknown>): FunctionModel => ({
  logicalId,
  entry: 'test/support/functions/env-probe.ts',
  handler: 'handler',
  timeoutS: 10,
  memoryMb: 128,
  environment,
});
const noQueues = { tableNames: new Map(), queueUrls: new Map([['AuditQueue1', 'http://sqs.local/audit']]), queueArns: new Map() };

describe('each function runs with only its own environment', () => {
  let threads: FunctionThreads;
  let bundles: FunctionBundles;
  beforeAll(async () => {
    process.env.CLEARWAY_PLATFORM_ONLY = 'the platform process has it, no function does';
    const local = { CLEARWAY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' };
    const audit = probe('Auditing', { TABLE_NAME: 'T', AUDIT_QUEUE_URL: { Ref: 'AuditQueue1' } });
    const notify = probe('Notifying', { TABLE_NAME: 'T', CLEARWAY_WEBHOOK_SCHEDULE: '5,300' });
    bundles = await bundleFunctions(ROOT, [audit, notify]);
    threads = await FunctionThreads.start(
      bundles,
      'http://127.0.0.1:1',
      [audit, notify].map((fn) => ({ fn, env: functionEnvironment(fn, noQueues, { local, shell: process.env }), mappings: [] })),
    );
  });
  afterAll(async () => {
    delete process.env.CLEARWAY_PLATFORM_ONLY;
    await threads?.stop();
    bundles?.remove();
  });

  it('runs its own bundle, without the code-loading flags of the process that hosts it (no TypeScript loader in a thread)', async () => {
    const audit = (await threads.invoke('Auditing', { read: 'LAMBDA_TASK_ROOT' })) as { module: string; execArgv: string[]; value: string };
    // Its code is a bundle in its own task root (the entry's module is a chunk here: both probes share it).
    expect(audit.value).toBe(bundles.taskRoot('Auditing'));
    expect(fs.existsSync(path.join(audit.value, 'index.mjs'))).toBe(true);
    expect(audit.module).toMatch(/\.mjs$/);
    expect(audit.module.startsWith(pathToFileURL(path.dirname(audit.value)).href)).toBe(true);
    // This test process runs with vitest's flags (--require a script, --conditions ...): the
    // thread keeps those that do not load code.
    expect(process.execArgv).toContain('--require');
    expect(audit.execArgv).toEqual(withoutModuleLoaders(process.execArgv));
    expect(audit.execArgv).not.toContain('--require');
  });

  it('sees exactly its manifest’s variables (resolved locally) plus the local endpoints, nothing of its neighbours or the shell', async () => {
    const audit = (await threads.invoke('Auditing', { read: 'AUDIT_QUEUE_URL' })) as { variables: string[]; value: string };
    expect(audit.value).toBe('http://sqs.local/audit');
    expect(audit.variables).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'AUDIT_QUEUE_URL', 'CLEARWAY_DYNAMODB_ENDPOINT', 'AWS_LAMBDA_FUNCTION_NAME', 'CLEARWAY_MODE']),
    );
    expect(audit.variables).not.toContain('CLEARWAY_WEBHOOK_SCHEDULE');
    expect(audit.variables).not.toContain('CLEARWAY_PLATFORM_ONLY');
    expect(audit.variables).not.toContain('PATH');
    const notify = (await threads.invoke('Notifying', {})) as { variables: string[] };
    expect(notify.variables).toContain('CLEARWAY_WEBHOOK_SCHEDULE');
    expect(notify.variables).not.toContain('AUDIT_QUEUE_URL');
  });

  it('fails, as in the cloud, when it reads a variable its manifest does not give it', async () => {
    await expect(threads.invoke('Notifying', { read: 'AUDIT_QUEUE_URL' })).rejects.toThrow(
      /environment variable AUDIT_QUEUE_URL is not set/,
    );
  });
});

describe('a platform started with Node flags a worker may not take', () => {
  it('still starts its threads, without those flags and without the code-loading ones', () => {
    // --max-old-space-size and --expose-gc apply to the whole process: Node refuses them to a
    // worker given its own flags (it drops them silently when a worker inherits them).
    const run = spawnSync(
      process.execPath,
      ['--max-old-space-size=1024', '--expose-gc', '--trace-warnings', '--import', 'tsx', 'test/support/probe-thread-host.ts'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { host, thread } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { host: string[]; thread: string[] };
    expect(host).toEqual(expect.arrayContaining(['--max-old-space-size=1024', '--expose-gc', '--import']));
    expect(thread).toEqual(['--trace-warnings']);
  });
});

describe('what the shell may override locally', () => {
  it('a manifest variable such as the parked retry period, only for the functions whose manifest has it', () => {
    const redrive = probe('Redriving', { CLEARWAY_PARKED_RETRY_AFTER_S: '3600' });
    const shell = { CLEARWAY_PARKED_RETRY_AFTER_S: '5', CLEARWAY_STRANDED_AFTER_S: '7' };
    expect(functionEnvironment(redrive, noQueues, { local: {}, shell }).CLEARWAY_PARKED_RETRY_AFTER_S).toBe('5');
    expect(functionEnvironment(redrive, noQueues, { local: {}, shell: {} }).CLEARWAY_PARKED_RETRY_AFTER_S).toBe('3600');
    const other = functionEnvironment(probe('Other', {}), noQueues, { local: {}, shell });
    expect(other).not.toHaveProperty('CLEARWAY_PARKED_RETRY_AFTER_S');
    expect(other).not.toHaveProperty('CLEARWAY_STRANDED_AFTER_S');
  });
});

describe('a function thread that fails', () => {
  let bundles: FunctionBundles;
  beforeAll(async () => {
    bundles = await bundleFunctions(ROOT, [probe('Probing', {})]);
  });
  afterAll(() => bundles?.remove());
  const start = (died: string[]) =>
    FunctionThreads.start(
      bundles,
      'http://127.0.0.1:1',
      [{ fn: probe('Probing', {}), env: functionEnvironment(probe('Probing', {}), noQueues, { local: {}, shell: {} }), mappings: [] }],
      (why) => died.push(why),
    );

  it('answers a result it cannot send back as that invocation’s error, and goes on serving', async () => {
    const died: string[] = [];
    const threads = await start(died);
    try {
      await expect(threads.invoke('Probing', { unclonable: true })).rejects.toMatchObject({ name: 'DataCloneError' });
      await expect(threads.invoke('Probing', {})).resolves.toHaveProperty('variables');
      expect(died).toEqual([]);
    } finally {
      await threads.stop();
    }
  });

  it('that dies without being stopped is reported (the platform stops on it) and fails what it was running', async () => {
    const died: string[] = [];
    const threads = await start(died);
    try {
      await expect(threads.invoke('Probing', { crash: true })).rejects.toThrow(/Probing: its thread exited/);
      expect(died).toEqual([expect.stringMatching(/^Probing: its thread exited unexpectedly \(code 1\)/)]);
      await expect(threads.invoke('Probing', {})).rejects.toThrow(/Probing: its thread has exited/);
    } finally {
      await threads.stop();
    }
    expect(died).toHaveLength(1); // stopping it afterwards is not a second death
  });

  it('is not reported as dead when it is stopped', async () => {
    const died: string[] = [];
    const threads = await start(died);
    await threads.stop();
    expect(died).toEqual([]);
  });

  it('that fails to load fails the start, naming the function and its entry', async () => {
    const broken = { ...probe('Broken', {}), entry: 'test/support/functions/no-such-file.ts' };
    await expect(
      FunctionThreads.start(bundleFunctions(ROOT, [broken]), 'http://127.0.0.1:1', [
        { fn: broken, env: functionEnvironment(broken, noQueues, { local: {}, shell: {} }), mappings: [] },
      ]),
    ).rejects.toThrow(/Broken \(test\/support\/functions\/no-such-file.ts\) failed to load/);
  });

  it('whose source does not compile fails the start, naming the file and line', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'test/support/functions/.broken-'));
    try {
      fs.writeFileSync(path.join(dir, 'syntax.ts'), 'export const handler = async () => {\n  return { oops: };\n};\n');
      const broken = { ...probe('Uncompilable', {}), entry: path.relative(ROOT, path.join(dir, 'syntax.ts')) };
      await expect(bundleFunctions(ROOT, [broken])).rejects.toThrow(/could not be bundled:\n.*syntax\.ts:2:\d+: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('queue consumers do not starve each other', () => {
  let platform: LocalProcess;
  let receiver: http.Server;
  const received: { at: number; type: string; body: any }[] = [];
  let hookUrl: string;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const parsed = JSON.parse(body);
        received.push({ at: Date.now(), type: parsed.type, body: parsed });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    platform = await startLocal({ env: { CLEARWAY_ADMIN_KEY: 'e2e-admin' } });
  });
  afterAll(async () => {
    await platform?.stop();
    removeDataDirs();
    receiver?.close();
  });

  it('delivers a webhook while the audit queue still holds thousands of messages', async () => {
    const admin = client(platform.url, 'e2e-admin');
    const code = newCreditCode();
    await admin('POST', '/enterprises', { creditCode: code, name: 'Backlog Co', registeredBureau: 'SD', creditLevel: 'B' });
    const api = client(platform.url, (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey);
    const officer = client(
      platform.url,
      (await admin('POST', '/principals', { kind: 'officer', bureau: 'SD', roles: ['credit'] })).body.apiKey,
    );
    expect((await api('PUT', '/webhook', { url: hookUrl })).status).toBe(200);
    const { body: declaration } = await api('POST', '/declarations', declarationBody(code));
    for (let i = 0; i < 300 && (await api('GET', `/declarations/${declaration.id}`)).body.status === 'ACCEPTED'; i++)
      await new Promise((r) => setTimeout(r, 100));

    // A backlog in the audit queue: thousands of redeliveries of the audited declaration (each a
    // read and a skip for the audit worker), sent straight to the queue.
    const endpoints = JSON.parse(fs.readFileSync(path.join(platform.dataDir, 'endpoints.json'), 'utf8'));
    const auditQueueUrl = Object.entries<string>(endpoints.queues).find(([id]) => id.startsWith('AuditQueue'))![1];
    const sqs = new SQSClient({ endpoint: endpoints.sqs, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    const body = JSON.stringify({ declarationId: declaration.id });
    for (let batch = 0; batch < 400; batch++)
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: auditQueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
    const backlog = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: auditQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
    };
    expect(await backlog()).toBeGreaterThan(1000);

    const changed = Date.now();
    expect((await officer('PUT', `/enterprises/${code}/credit`, { level: 'A', reason: 'review during a backlog' })).status).toBe(200);
    let webhook: (typeof received)[number] | undefined;
    while (!webhook && Date.now() < changed + 60_000) {
      webhook = received.find((r) => r.type === 'enterprise.credit_changed' && r.body.data?.creditCode === code);
      if (!webhook) await new Promise((r) => setTimeout(r, 20));
    }
    expect(webhook, 'the credit_changed webhook').toBeDefined();
    // The notification did not wait for the audit backlog to drain.
    expect(await backlog()).toBeGreaterThan(0);
    sqs.destroy();
  });
});
