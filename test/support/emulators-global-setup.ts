/**
 * Starts DynamoDB Local (in memory) and fauxqs once for the integration run and provisions them
 * from the synthesized template, exactly as local mode does. Tests isolate themselves by their own
 * ids (fresh credit codes, client refs), not by separate tables.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { emulatorEnvironment, startDynamoLocal, startSqsLocal } from '../../local/emulators.js';
import { provision, resolveEnvironment } from '../../local/provision.js';
import { modelOf, synthesizeTemplate } from '../../local/template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorEnv: Record<string, string>;
    queueUrls: Record<string, string>;
    templateFile: string;
  }
}

export default async function setup(project: TestProject) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-it-'));
  const [template, dynamo, sqs] = await Promise.all([
    synthesizeTemplate(path.join(outdir, 'cdk.out')),
    startDynamoLocal({}),
    startSqsLocal(),
  ]);
  const model = modelOf(template);
  const provisioned = await provision(model, { dynamo: dynamo.endpoint, sqs: sqs.endpoint });
  const env: Record<string, string> = {};
  for (const fn of model.functions.values()) Object.assign(env, resolveEnvironment(fn.environment, provisioned));
  Object.assign(env, emulatorEnvironment(dynamo, sqs), {
    CLEARWAY_MODE: 'local',
    CLEARWAY_ADMIN_KEY: 'test-admin-key',
    CLEARWAY_CERTIFICATE_KEYS_DIR: path.join(outdir, 'certificate-keys'),
    CLEARWAY_LOG_LEVEL: 'ERROR',
    // No queue consumers run here, so the work queues only fill up: intake's backlog signal would
    // refuse other tests' declarations (test/integration/backpressure.test.ts sets its own).
    CLEARWAY_INTAKE_MAX_BACKLOG: '100000000',
    // Likewise the store's latency: tests file concurrently on a machine other test files load.
    CLEARWAY_INTAKE_WRITE_TARGET_MS: '100000000',
  });
  project.provide('emulatorEnv', env);
  project.provide('queueUrls', Object.fromEntries(provisioned.queueUrls));
  const templateFile = path.join(outdir, 'template.json');
  fs.writeFileSync(templateFile, JSON.stringify(template));
  project.provide('templateFile', templateFile);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
    fs.rmSync(outdir, { recursive: true, force: true });
  };
}
