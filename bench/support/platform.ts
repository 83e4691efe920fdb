/** Starts the local runtime (npm start's program) in its own process for a benchmark. */
import fs from 'node:fs';
import { startLocal, newDataDir, removeDataDirs, type LocalProcess } from '../../test/support/local-process.js';
import { newCreditCode } from '../../test/support/fixtures.js';
import { request } from './load.js';

export type BenchPlatform = LocalProcess & {
  admin: (method: string, path: string, body?: unknown) => Promise<any>;
  close(): Promise<void>;
};

/** `env` adds to the platform's environment (e.g. CLEARWAY_METER=1 for bench:pipeline). */
export async function benchPlatform(options: { env?: Record<string, string> } = {}): Promise<BenchPlatform> {
  const dataDir = newDataDir();
  const p = await startLocal({ dataDir, env: { CLEARWAY_ADMIN_KEY: 'bench-admin', CLEARWAY_LOG_LEVEL: 'ERROR', ...options.env } });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await request(
      p.url + path,
      method,
      { authorization: 'Bearer bench-admin', 'content-type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
    return JSON.parse(res.body || 'null');
  };
  return {
    ...p,
    admin,
    close: async () => {
      await p.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      removeDataDirs();
    },
  };
}

export async function benchEnterprise(platform: BenchPlatform, level = 'A'): Promise<{ code: string; key: string }> {
  const code = newCreditCode();
  await platform.admin('POST', '/enterprises', { creditCode: code, name: 'Bench Co', registeredBureau: 'SD', creditLevel: level });
  const { apiKey } = await platform.admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code });
  return { code, key: apiKey };
}
