/**
 * The platform under load: the local runtime this bench starts (its own on-disk data dir in the
 * temp dir, a free port, metering on; stopped at the end, its JVM with it), or a running platform
 * at `--url` with its admin key. Then the cast: enterprises over every credit level, each with a
 * webhook endpoint on the bench's receiver, and one inspector officer per bureau.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchPlatform, type BenchPlatform } from '../support/platform.js';
import { newCreditCode } from '../../test/support/fixtures.js';
import { request } from '../support/load.js';
import { BUREAUS, LEVELS, type BenchEnterprise } from './mix.js';
import type { Receiver } from './receiver.js';

export type Target = {
  url: string;
  /** Local runs: the data dir (template.json, endpoints.json) and where the functions write their meters. */
  dataDir?: string;
  meterDir?: string;
  /** Local runs: the platform's process (CPU per declaration is read from its process tree). */
  pid?: number;
  /** Local runs: what the platform printed so far (its log level is ERROR). */
  output?: () => string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
};

/**
 * A local platform is metered only when the run meters its paths (`meter`): the meter's own work
 * (ReturnConsumedCapacity on every DynamoDB request, its counters flushed to files four times a
 * second) is not what `npm start` runs, so a run without cost phases (`--no-cost`, `--find-max`)
 * measures the platform exactly as a user starts it.
 */
export async function openTarget(options: { url?: string; adminKey: string; meterDir?: string; meter: boolean }): Promise<Target> {
  if (options.url) {
    const url = options.url.replace(/\/+$/, '');
    return {
      url,
      meterDir: options.meterDir,
      admin: (method, p, body) => call(url, options.adminKey, method, p, body),
      close: async () => undefined,
    };
  }
  const meterDir = options.meter ? fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-bench-meter-')) : undefined;
  const platform: BenchPlatform = await benchPlatform({
    env: meterDir ? { CLEARWAY_METER: '1', CLEARWAY_METER_DIR: meterDir } : {},
  });
  return {
    url: platform.url,
    dataDir: platform.dataDir,
    meterDir,
    pid: platform.child.pid,
    output: platform.output,
    admin: (method, p, body) => call(platform.url, 'bench-admin', method, p, body),
    close: async () => {
      await platform.close();
      if (meterDir) fs.rmSync(meterDir, { recursive: true, force: true });
    },
  };
}

async function call(url: string, key: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await request(
    url + p,
    method,
    { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body === undefined ? undefined : JSON.stringify(body),
    30_000,
  );
  let parsed: unknown;
  try {
    parsed = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    parsed = res.body;
  }
  return { status: res.status, body: parsed };
}

function must(res: { status: number; body: any }, what: string, ok = [200, 201]): any {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** `perLevel` enterprises of each credit level, each with its key and its webhook on `receiver`. */
export async function registerEnterprises(target: Target, receiver: Receiver, perLevel: number): Promise<BenchEnterprise[]> {
  const out: BenchEnterprise[] = [];
  for (const level of LEVELS) {
    for (let i = 0; i < perLevel; i++) {
      const code = newCreditCode();
      must(
        await target.admin('POST', '/enterprises', {
          creditCode: code,
          name: `Bench ${level} ${i}`,
          registeredBureau: BUREAUS[i % BUREAUS.length],
          creditLevel: level,
        }),
        'register enterprise',
      );
      const { apiKey } = must(await target.admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code }), 'enterprise key');
      const hook = must(await call(target.url, apiKey, 'PUT', '/webhook', { url: receiver.url(code) }), 'webhook endpoint') as {
        secret: string;
      };
      receiver.setSecret(code, hook.secret);
      out.push({ code, key: apiKey, level });
    }
  }
  return out;
}

/** One inspector officer per bureau: bureau → API key. */
export async function createOfficers(target: Target): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const bureau of BUREAUS) {
    const { apiKey } = must(await target.admin('POST', '/principals', { kind: 'officer', bureau, roles: ['inspector'] }), 'officer key');
    keys.set(bureau, apiKey);
  }
  return keys;
}
