/**
 * bench:pipeline's filing client against a scripted loopback server: a refusal is booked with its
 * Retry-After (and, when asked, filed again after it), a refusal without Retry-After and a 500 are
 * counted as what they are, and a hanging server is a client timeout, not a hang.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../bench/pipeline/ledger.js';
import { planDeclaration, seeded, type BenchEnterprise } from '../../../bench/pipeline/mix.js';
import { submitBatch, submitOne, type SubmitContext } from '../../../bench/pipeline/submit.js';
import { KNOWN_GOOD_CREDIT_CODES } from '../../support/fixtures.js';

type Scripted = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
const script: Scripted[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  let n = 0;
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const next = script.shift() ?? { status: 202, body: JSON.stringify({ id: `dcl_${n++}`, status: 'ACCEPTED' }) };
      if (next === 'hang') return;
      res.writeHead(next.status, next.headers).end(next.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const enterprise: BenchEnterprise = { code: KNOWN_GOOD_CREDIT_CODES[0]!, key: 'k', level: 'AA' };
const rng = seeded(9);
let ref = 0;
const plan = () => planDeclaration(rng, [enterprise], `t-${ref++}`);
const context = (retryRefused: boolean, timeoutMs = 5_000): SubmitContext => ({
  url,
  ledger: new Ledger(),
  timeoutMs,
  retryRefused,
  intakeAccepted: [],
  intakeRefused: [],
  retryAfterS: [],
  pendingRetries: new Set(),
});
const problem = (status: number, retryAfter?: string) => ({
  status,
  headers: { 'content-type': 'application/problem+json', ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) },
  body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status }),
});

describe('filing', () => {
  it('books a 202 as accepted with its id and latency from the schedule', async () => {
    const ctx = context(false);
    const due = performance.now() - 50; // it was due 50 ms ago
    await submitOne(ctx, plan(), due);
    expect(ctx.ledger.accepted).toBe(1);
    expect([...ctx.ledger.byId.keys()]).toHaveLength(1);
    expect(ctx.intakeAccepted[0]).toBeGreaterThanOrEqual(50);
  });

  it('honours Retry-After when asked: refused once, filed again after it, then accepted', async () => {
    const ctx = context(true);
    script.push(problem(503, '0'));
    await submitOne(ctx, plan(), performance.now());
    await Promise.all([...ctx.pendingRetries]);
    expect(ctx.ledger).toMatchObject({ offered: 1, refused: 1, accepted: 1, refusedWithoutRetryAfter: 0, errors: 0 });
    expect(ctx.retryAfterS).toEqual([0]);
  });

  it('counts a refusal without Retry-After, and a 500 as an error', async () => {
    const ctx = context(true);
    script.push(problem(429), { status: 500, body: '{}' });
    await submitOne(ctx, plan(), performance.now());
    await submitOne(ctx, plan(), performance.now());
    expect(ctx.ledger).toMatchObject({ refused: 1, refusedWithoutRetryAfter: 1, accepted: 0, errors: 1 });
    expect(ctx.ledger.errorsByKind).toEqual({ http_500: 1 });
  });

  it('gives up on a server that never answers, as a client timeout', async () => {
    const ctx = context(false, 200);
    script.push('hang');
    await submitOne(ctx, plan(), performance.now());
    expect(ctx.ledger.errorsByKind).toEqual({ client_timeout_30s: 1 });
  });

  it('books a refused batch as that many refused declarations, and per-item results one by one', async () => {
    const ctx = context(false);
    script.push(problem(503, '2'));
    await submitBatch(ctx, [plan(), plan(), plan()], performance.now());
    expect(ctx.ledger).toMatchObject({ offered: 3, refused: 3 });
    script.push({
      status: 200,
      body: JSON.stringify({ results: [{ index: 0, status: 202, id: 'a' }, { index: 1, status: 400, problem: {} }, { index: 2, status: 202, id: 'c' }] }),
    });
    await submitBatch(ctx, [plan(), plan(), plan()], performance.now());
    expect(ctx.ledger.accepted).toBe(2);
    expect(ctx.ledger.errorsByKind).toEqual({ batch_item_400: 1 });
  });

  it('books items of a pack refused under load as refusals and, when asked, files only those again', async () => {
    const ctx = context(true);
    script.push({
      status: 200,
      body: JSON.stringify({
        results: [
          { index: 0, status: 202, id: 'p0' },
          { index: 1, status: 503, problem: { status: 503, retryAfterSeconds: 0 } },
        ],
      }),
    });
    // the item filed again, alone
    script.push({ status: 200, body: JSON.stringify({ results: [{ index: 0, status: 202, id: 'p1' }] }) });
    await submitBatch(ctx, [plan(), plan()], performance.now());
    await Promise.all([...ctx.pendingRetries]);
    expect(ctx.ledger).toMatchObject({ offered: 2, refused: 1, accepted: 2, errors: 0, refusedWithoutRetryAfter: 0 });
  });
});
