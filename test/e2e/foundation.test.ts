/**
 * The local runtime as a user meets it: `npm start`'s program as a child process, over HTTP.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newDataDir, removeDataDirs, spawnLocal, startLocal, type LocalProcess } from '../support/local-process.js';
import { newCreditCode } from '../support/fixtures.js';

let platform: LocalProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = newDataDir();
  platform = await startLocal({ dataDir, env: { CLEARWAY_ADMIN_KEY: 'e2e-admin-key' } });
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('local runtime over HTTP', () => {
  it('is healthy and prints its URL and a key command that works as printed', async () => {
    const output = platform.output();
    expect(output).toContain(`Clearway is up at ${platform.url}`);
    const health = /health: +curl (\S+)/.exec(output)?.[1];
    expect(health).toBe(`${platform.url}/health`);
    expect((await fetch(health!)).status).toBe(200);
    // The printed command, run as a user would (with $CLEARWAY_ADMIN_KEY set, as here), creates an officer key.
    const command =
      /get a key: curl -X POST (\S+) -H 'Authorization: Bearer ([^']+)'[\s\\]*-H 'Content-Type: application\/json' -d '([^']+)'/.exec(
        output,
      );
    expect(command, output).not.toBeNull();
    const [, url, key, body] = command!;
    expect(key).toBe('$CLEARWAY_ADMIN_KEY');
    const res = await fetch(url!, {
      method: 'POST',
      headers: { authorization: `Bearer e2e-admin-key`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { apiKey: string }).apiKey).toMatch(/^cw_off_/);
  });

  it('serves the OpenAPI 3.1 document without a key', async () => {
    const res = await client(platform.url)('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/principals'].post).toBeDefined();
  });

  it('creates principals with the admin key, and keys work at once', async () => {
    const admin = client(platform.url, 'e2e-admin-key');
    const officer = await admin('POST', '/principals', { kind: 'officer', bureau: 'SD', roles: ['credit'] });
    expect(officer.status).toBe(201);
    const code = newCreditCode();
    const registered = await client(platform.url, officer.body.apiKey)('POST', '/enterprises', {
      creditCode: code,
      name: 'Qingdao Foods',
      registeredBureau: 'SD',
    });
    expect(registered.status).toBe(201);
  });

  it('answers 401 without a key or with an unknown one, 403 for a known key without the right', async () => {
    const anonymous = await client(platform.url)('POST', '/principals', { kind: 'admin' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    expect((await client(platform.url, 'local-admin-key')('POST', '/principals', { kind: 'admin' })).status).toBe(401);
    const admin = client(platform.url, 'e2e-admin-key');
    const officer = await admin('POST', '/principals', { kind: 'officer', bureau: 'HA', roles: ['stats'] });
    const forbidden = await client(platform.url, officer.body.apiKey)('POST', '/principals', { kind: 'admin' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ status: 403, type: expect.stringContaining('forbidden') });
  });

  it('answers unknown routes 404, wrong methods 405, oversize 413 and non-JSON 400, all as problems', async () => {
    const admin = client(platform.url, 'e2e-admin-key');
    expect((await admin('GET', '/no/such/thing')).status).toBe(404);
    const wrongMethod = await admin('PATCH', '/principals');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const big = await admin('POST', '/principals', JSON.stringify({ kind: 'admin', pad: 'x'.repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    const notJson = await admin('POST', '/principals', 'kind=admin');
    expect(notJson.status).toBe(400);
    for (const res of [wrongMethod, big, notJson]) expect(res.body.type).toMatch(/^https:\/\//);
  });

  it('refuses a second instance on the same port, and on the same data dir, each with one clear line', async () => {
    const samePort = spawnLocal({ PORT: String(platform.port), CLEARWAY_DATA_DIR: newDataDir() });
    expect(await samePort.exited).not.toBe(0);
    expect(samePort.output()).toMatch(/port \d+ is already in use/);
    const sameDir = spawnLocal({ PORT: '0', CLEARWAY_DATA_DIR: dataDir });
    expect(await sameDir.exited).not.toBe(0);
    expect(sameDir.output()).toMatch(/in use by another Clearway/);
  });

  it('refuses an unwritable data dir with one clear line', async () => {
    const file = `${newDataDir()}/a-file`;
    fs.writeFileSync(file, 'x');
    const run = spawnLocal({ PORT: '0', CLEARWAY_DATA_DIR: `${file}/data` });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/data directory .* is not writable/);
  });

  it('reports missing Java with one clear line', async () => {
    const run = spawnLocal({ PORT: '0', CLEARWAY_DATA_DIR: newDataDir(), PATH: '/nonexistent' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/Java 17 or newer is required/);
  });

  it('runs beside a second instance with its own port and data dir', async () => {
    const second = await startLocal({ env: { CLEARWAY_ADMIN_KEY: 'second-key' } });
    try {
      expect((await client(second.url)('GET', '/health')).status).toBe(200);
      expect((await client(second.url, 'second-key')('POST', '/principals', { kind: 'admin' })).status).toBe(201);
      expect((await client(platform.url, 'second-key')('POST', '/principals', { kind: 'admin' })).status).toBe(401);
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
      fs.rmSync(second.dataDir, { recursive: true, force: true });
    }
  });

  it('keeps its data across a clean restart', async () => {
    const admin = client(platform.url, 'e2e-admin-key');
    const officer = await admin('POST', '/principals', { kind: 'officer', bureau: 'XJ', roles: ['credit'] });
    const code = newCreditCode();
    await client(platform.url, officer.body.apiKey)('POST', '/enterprises', {
      creditCode: code,
      name: 'Horgos Fruit',
      registeredBureau: 'XJ',
    });
    expect(await platform.stop('SIGTERM')).toBe(0);
    expect(fs.existsSync(`${dataDir}/clearway.pid`)).toBe(false);
    platform = await startLocal({ dataDir, port: platform.port, env: { CLEARWAY_ADMIN_KEY: 'e2e-admin-key' } });
    const read = await client(platform.url, officer.body.apiKey)('GET', `/enterprises/${code}/credit`);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Horgos Fruit');
  });
});

describe('a taken port is reported even by a plain socket owner', () => {
  it('exits non-zero with a clear line', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const run = spawnLocal({ PORT: String(port), CLEARWAY_DATA_DIR: newDataDir() });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(`port ${port} is already in use`);
    server.close();
  });
});
