/**
 * Starts `npm start`'s program (local/main.ts) as a child process on a free port with its own data
 * dir, as a user would, and waits for /health.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../local/emulators.js';

export type LocalProcess = {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

const ROOT = path.resolve(import.meta.dirname, '../..');

const createdDirs: string[] = [];

/** Removes every data dir `newDataDir` made (call from afterAll: test workers may not see 'exit'). */
export function removeDataDirs(): void {
  for (const dir of createdDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-e2e-'));
  createdDirs.push(dir);
  return dir;
}

export function spawnLocal(
  env: Record<string, string>,
  options: { detached?: boolean } = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: ROOT,
    // Detached: its own process group, which a test can SIGKILL as a whole (as a terminal or a supervisor would).
    detached: options.detached ?? false,
    env: { ...process.env, CLEARWAY_LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function startLocal(
  options: { dataDir?: string; port?: number; env?: Record<string, string>; detached?: boolean } = {},
): Promise<LocalProcess> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? newDataDir();
  const { child, output, exited } = spawnLocal(
    { PORT: String(port), CLEARWAY_DATA_DIR: dataDir, ...options.env },
    { detached: options.detached },
  );
  const url = `http://127.0.0.1:${port}`;
  let done = false;
  void exited.then(() => (done = true));
  // Generous: on a loaded 2-core machine a start (synth, JVM, tsx) can take well over a minute.
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (done) throw new Error(`local runtime exited while starting:\n${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local runtime not healthy within 150 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    child,
    output,
    stop: async (signal = 'SIGTERM') => {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** A small HTTP client for the API under test. */
export function client(url: string, key?: string) {
  return async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + route, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
}
