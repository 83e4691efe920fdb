/**
 * Contract test (issue 13 item 4): a client generated from the document the platform serves
 * (openapi-typescript types + openapi-fetch), compiled with strict TypeScript, runs a whole
 * lifecycle against the local platform: keys, an enterprise, a negative-list declaration, its
 * inspection steps, the release, the certificate verified offline, a typed 409 problem, and the
 * `declaration.released` webhook typed from the document's `webhooks` section and verified with
 * the standardwebhooks package. A schema change that breaks such a client fails here.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCreditCode } from '../support/fixtures.js';
import { removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(import.meta.dirname, 'contract');
const ADMIN_KEY = 'contract-admin-key-0123456789';

let platform: LocalProcess;
beforeAll(async () => {
  platform = await startLocal({ env: { CLEARWAY_ADMIN_KEY: ADMIN_KEY, CLEARWAY_WEBHOOK_SCHEDULE: '1,1,1' } });
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
});

describe('a client generated from GET /openapi.json', () => {
  it('compiles under strict TypeScript and runs the whole lifecycle', async () => {
    const served = (await (await fetch(`${platform.url}/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
    fs.writeFileSync(path.join(DIR, 'schema.d.ts'), astToString(await openapiTS(served)));

    // Strict compile: a loose or wrong type in the document is a compile error here.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(DIR, 'tsconfig.json')], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });

    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(DIR, 'lifecycle-client.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CLEARWAY_URL: platform.url, ADMIN_KEY, CREDIT_CODE: newCreditCode() },
      timeout: 120_000,
    });
    const seen = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(seen).toMatchObject({
      location: `/declarations/${seen.id}`,
      audited: 'INSPECTION_REQUIRED',
      status: 'RELEASED',
      release: { mode: 'INSPECTION', bureau: 'GS', certificateNo: expect.stringMatching(/^CWGS/) },
      genuine: true,
      conflict: { status: 409, existingDeclarationId: seen.id },
      webhook: { type: 'declaration.released', declarationId: seen.id, certificateNo: seen.release.certificateNo },
    });
    expect(seen.steps.length).toBeGreaterThan(0);
    expect(seen.steps.every((s: { status: number }) => s.status === 200)).toBe(true);
    expect(seen.certifiedNo).toBe(seen.release.certificateNo);
    expect(seen.kid).toEqual(expect.any(String));
  });

  it('fails to compile a call the document does not allow (the types are not loose)', async () => {
    const served = (await (await fetch(`${platform.url}/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
    fs.writeFileSync(path.join(DIR, 'schema.d.ts'), astToString(await openapiTS(served)));
    const probe = path.join(DIR, 'probe.ts');
    fs.writeFileSync(
      probe,
      [
        "import type { components } from './schema.js';",
        "const empty: components['schemas']['Action'] = {};",
        "const level: components['schemas']['Decision']['creditLevel'] = 'Z';",
        "const mode: NonNullable<components['schemas']['Declaration']['release']>['mode'] = 'ANYTHING';",
        'export { empty, level, mode };',
      ].join('\n'),
    );
    try {
      let errors = '';
      try {
        execFileSync(
          process.execPath,
          [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--skipLibCheck', '--module', 'nodenext', probe],
          { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' },
        );
      } catch (error) {
        errors = (error as { stdout: string }).stdout;
      }
      expect(errors.match(/probe\.ts\(\d+,\d+\): error/g)).toHaveLength(3);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});
