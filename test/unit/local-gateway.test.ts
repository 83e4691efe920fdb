/**
 * The local gateway (local/http-gateway.ts) over a real loopback socket, with stand-in functions:
 * per-route body limits (the batch route 5 MiB, every other 1 MiB; reading stops at the limit and
 * the 413 is a problem document), and an authorizer that throws answered as a problem document with
 * a request id, never API Gateway's bare `{"message": "Internal Server Error"}`.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimitOf, HttpGateway } from '../../local/http-gateway.js';
import { MAX_BATCH_BODY_BYTES } from '../../shared/schemas/declaration-batch.js';
import { MAX_BODY_BYTES } from '../../shared/http/body.js';

const invoked: { fn: string; bodyBytes: number }[] = [];
let authorizerThrows = false;
const host = {
  async invoke(fn: string, event: { body?: string }) {
    if (fn === 'Authorizer') {
      if (authorizerThrows) throw new Error('authorizer crashed: secret detail');
      return { isAuthorized: true, context: { principal: JSON.stringify({ id: 'p', kind: 'enterprise' }) } };
    }
    invoked.push({ fn, bodyBytes: Buffer.byteLength(event.body ?? '') });
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
  },
};
const routes = [
  { routeKey: 'POST /declarations', functionId: 'Declarations', authorizerFunctionId: 'Authorizer' },
  { routeKey: 'POST /declarations/batch', functionId: 'Declarations', authorizerFunctionId: 'Authorizer' },
];
let server: http.Server;
let base: string;
beforeAll(async () => {
  const gateway = new HttpGateway(routes, host as never);
  server = http.createServer((req, res) => void gateway.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (path: string, bytes: number) =>
  fetch(base + path, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: Buffer.alloc(bytes, 0x20),
  });

/** Sends headers declaring `declared` bytes and then `sent` bytes (never the rest); answers what came back. */
function rawUpload(path: string, declared: number | 'chunked', sent: number): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      const length = declared === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`;
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let written = 0;
      const more = () => {
        while (written < sent && !socket.destroyed) {
          const n = Math.min(chunk.length, sent - written);
          written += n;
          const piece =
            declared === 'chunked'
              ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), chunk.subarray(0, n), Buffer.from('\r\n')])
              : chunk.subarray(0, n);
          if (!socket.write(piece)) return void socket.once('drain', more);
        }
      };
      more();
    });
    let data = '';
    socket.on('data', (d) => {
      data += d;
      if (data.includes('\r\n\r\n') && /\}\s*$/.test(data)) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
    socket.on('close', () => resolve(data));
  });
}

describe('per-route body limits', () => {
  it('come from the route table: 5 MiB for the batch route, the contract’s 1 MiB elsewhere', () => {
    expect(bodyLimitOf('POST /declarations/batch')).toBe(MAX_BATCH_BODY_BYTES);
    expect(MAX_BATCH_BODY_BYTES).toBe(5 * 1024 * 1024);
    expect(bodyLimitOf('POST /declarations')).toBe(MAX_BODY_BYTES);
    expect(bodyLimitOf('POST /rulesets')).toBe(1024 * 1024);
    expect(bodyLimitOf('GET /not-in-the-table')).toBe(1024 * 1024);
  });

  it('passes a body up to the route’s limit to the function', async () => {
    invoked.length = 0;
    expect((await post('/declarations', MAX_BODY_BYTES)).status).toBe(200);
    expect((await post('/declarations/batch', 3 * 1024 * 1024)).status).toBe(200);
    expect(invoked.map((i) => i.bodyBytes)).toEqual([MAX_BODY_BYTES, 3 * 1024 * 1024]);
  });

  it('answers a body over the route’s limit with a 413 problem document, without invoking the function', async () => {
    invoked.length = 0;
    for (const [path, bytes, limit] of [
      ['/declarations', MAX_BODY_BYTES + 1, MAX_BODY_BYTES],
      ['/declarations/batch', MAX_BATCH_BODY_BYTES + 1, MAX_BATCH_BODY_BYTES],
    ] as const) {
      const res = await post(path, bytes);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({
        type: expect.stringMatching(/^https:\/\//),
        status: 413,
        detail: expect.stringContaining(`limit of ${limit} bytes`),
        requestId: expect.any(String),
      });
    }
    expect(invoked).toEqual([]);
  });

  it('refuses a declared length over the limit before reading it, and stops reading a chunked body at the limit', async () => {
    // 8 MiB declared, 64 KiB sent: answered at once, the rest never awaited.
    expect(await rawUpload('/declarations', 8 * 1024 * 1024, 64 * 1024)).toMatch(/^HTTP\/1.1 413[\s\S]*application\/problem\+json/);
    // Chunked, no length: cut off once past 1 MiB, though the client would send 4 MiB.
    const answer = await rawUpload('/declarations', 'chunked', 4 * 1024 * 1024);
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer).toContain(`limit of ${MAX_BODY_BYTES} bytes`);
  });
});

describe('an authorizer that throws', () => {
  it('is a 500 problem document with a request id, not a bare {"message": "Internal Server Error"}', async () => {
    authorizerThrows = true;
    try {
      const res = await post('/declarations', 10);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 500, requestId: expect.any(String) });
      expect(body).not.toEqual({ message: 'Internal Server Error' });
      expect(JSON.stringify(body)).not.toContain('secret detail');
    } finally {
      authorizerThrows = false;
    }
  });
});
