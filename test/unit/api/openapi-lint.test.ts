/**
 * Redocly's recommended rules on the OpenAPI document, zero errors and zero warnings (rules in
 * redocly.yaml). Runs offline: the CLI is a pinned dev dependency, telemetry off.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../../shared/api/openapi.js';
import { allRoutes } from '../../../shared/api/routes.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function lint(document: object): { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-lint-'));
  try {
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(document));
    const cli = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    let out: string;
    try {
      out = execFileSync(process.execPath, [cli, 'lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      out = (error as { stdout: string }).stdout; // exit 1 on errors: the JSON report is still there
    }
    return JSON.parse(out.slice(out.indexOf('{')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('Redocly lint (recommended rules)', () => {
  it('passes the served document with no errors and no warnings', { timeout: 60_000 }, () => {
    const report = lint({ ...buildOpenApi(allRoutes), servers: [{ url: 'http://127.0.0.1:3000' }] });
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('is really checked: an operation without a summary, or a tag without a description, is reported', { timeout: 60_000 }, () => {
    const doc = buildOpenApi(allRoutes) as any;
    delete doc.paths['/health'].get.summary;
    delete doc.tags[0].description;
    const report = lint(doc);
    expect(report.totals.errors + report.totals.warnings).toBeGreaterThanOrEqual(2);
  });
});
