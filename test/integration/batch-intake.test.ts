/**
 * POST /declarations/batch (contract section 16): per-item results in input order, the same
 * validation and idempotency as the single call, and fewer calls per declaration (counting adapter).
 */
import { describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { createMany } from '../../shared/adapters/declaration-batch.js';
import { enableMetering, meterSnapshot, resetMeter } from '../../shared/adapters/metering.js';
import type { AuditMessage } from '../../shared/adapters/queues.js';
import type { WorkQueue } from '../../shared/adapters/sqs-queue.js';
import { transactWrite } from '../../shared/adapters/transact.js';
import { submitBatch } from '../../shared/app/batch-intake.js';
import { errorToProblem } from '../../shared/http/function.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

async function newEnterprise() {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Batch Exporter', registeredBureau: 'SN' },
  });
  return { code, principal: enterprise(code) };
}
const batch = (principal: ReturnType<typeof enterprise>, items: unknown[]) =>
  call(declarations, 'POST /declarations/batch', { principal, body: { declarations: items } });

/**
 * Files 30 declarations (two transactions: 25 + 5) through the real store, except that the
 * transaction holding item 27 fails with `error`; answers each item as the HTTP layer would and
 * what was queued for audit.
 */
async function batchWithOnePackFailing(error: Error, requestId: string) {
  const { code, principal } = await newEnterprise();
  const items = Array.from({ length: 30 }, () => declarationBody(code));
  const failingRef = items[27]!.clientRef as string;
  const failing = async (writes: Parameters<typeof transactWrite>[0]) => {
    if (JSON.stringify(writes).includes(failingRef)) throw error;
    return transactWrite(writes);
  };
  const queued: AuditMessage[] = [];
  const audit: WorkQueue<AuditMessage> = {
    send: async (m) => void queued.push(m),
    sendMany: async (ms) => void queued.push(...ms),
  };
  const outcomes = await submitBatch(items, principal, {
    createMany: (entries) => createMany(entries, failing),
    audit,
    now: () => new Date().toISOString(),
  });
  const answers = outcomes.map((o) => {
    if (o.outcome !== 'refused') return { status: o.outcome === 'accepted' ? 202 : 200, id: o.id };
    const res = errorToProblem(o.error, requestId);
    return { status: res.statusCode, retryAfter: res.headers?.['retry-after'], problem: JSON.parse(res.body!) };
  });
  // Packs are filled in input order, so the failed pack is the tail holding item 27.
  const firstUnstored = answers.findIndex((a) => a.status !== 202);
  return { principal, items, answers, firstUnstored, queued };
}

describe('POST /declarations/batch', () => {
  it('answers every item in input order as the single call would: stored, invalid, not yours, a retry, a conflict', async () => {
    const { code, principal } = await newEnterprise();
    const other = await newEnterprise();
    const first = declarationBody(code);
    const res = await batch(principal, [
      first,
      { ...declarationBody(code), lines: [{ hsCode: '84', description: 'x', quantity: 1, unit: 'PCS', valueUsd: 1 }] },
      declarationBody(other.code),
      first, // the same clientRef and body again, in the same batch: a retry of item 0
      { ...first, destinationCountry: 'RU' }, // the same clientRef, another body
      declarationBody(code),
    ]);
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(r.map((x: any) => [x.index, x.status])).toEqual([
      [0, 202],
      [1, 400],
      [2, 403],
      [3, 200],
      [4, 409],
      [5, 202],
    ]);
    expect(r[1].problem).toMatchObject({ status: 400, errors: [{ path: 'lines[0].hsCode' }] });
    expect(r[2].problem).toMatchObject({ status: 403, type: expect.stringContaining('forbidden') });
    expect(r[3].id).toBe(r[0].id);
    expect(r[4].problem).toMatchObject({ status: 409, existingDeclarationId: r[0].id });
    // What was accepted is stored and readable; nothing was stored for the refused items.
    for (const i of [0, 5]) {
      const stored = await call(declarations, 'GET /declarations/{id}', { principal, params: { id: r[i].id } });
      expect(stored.status).toBe(200);
      expect(stored.body.status).toBe('ACCEPTED');
    }
    const list = await call(declarations, 'GET /declarations', { principal, query: { limit: '50' } });
    expect(list.body.items).toHaveLength(2);
  });

  it('is idempotent: the same batch again answers 200 with the same ids and stores nothing new', async () => {
    const { code, principal } = await newEnterprise();
    const items = Array.from({ length: 30 }, () => declarationBody(code));
    const once = await batch(principal, items);
    expect(once.body.results.every((x: any) => x.status === 202)).toBe(true);
    const again = await batch(principal, items);
    expect(again.body.results.map((x: any) => x.status)).toEqual(items.map(() => 200));
    expect(again.body.results.map((x: any) => x.id)).toEqual(once.body.results.map((x: any) => x.id));
    // A single POST of one of them is a retry too.
    const single = await call(declarations, 'POST /declarations', { principal, body: items[7] });
    expect(single.status).toBe(200);
    expect(single.body.id).toBe(once.body.results[7].id);
  });

  it('stores a half-new batch: the new items 202, the retried ones 200', async () => {
    const { code, principal } = await newEnterprise();
    const old = Array.from({ length: 3 }, () => declarationBody(code));
    const before = await batch(principal, old);
    const fresh = Array.from({ length: 3 }, () => declarationBody(code));
    const mixed = await batch(principal, [fresh[0], old[0], fresh[1], old[1], fresh[2], old[2]]);
    expect(mixed.body.results.map((x: any) => x.status)).toEqual([202, 200, 202, 200, 202, 200]);
    expect(mixed.body.results[1].id).toBe(before.body.results[0].id);
  });

  it('refuses an empty batch, more than 100 items, and a body that is not an envelope', async () => {
    const { code, principal } = await newEnterprise();
    expect((await batch(principal, [])).status).toBe(400);
    const tooMany = await batch(
      principal,
      Array.from({ length: 101 }, () => declarationBody(code)),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe('declarations');
    const bare = await call(declarations, 'POST /declarations/batch', { principal, body: [declarationBody(code)] });
    expect(bare.status).toBe(400);
  });

  it('takes a body over 1 MiB (up to 5 MiB), which the single call refuses', async () => {
    const { code, principal } = await newEnterprise();
    const line = { hsCode: '8471300000', description: 'x'.repeat(500), quantity: 1, unit: 'PCS', valueUsd: 1 };
    const items = Array.from({ length: 10 }, () => declarationBody(code, { lines: Array.from({ length: 250 }, () => line) }));
    const body = JSON.stringify({ declarations: items });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await call(declarations, 'POST /declarations/batch', { principal, rawBody: body });
    expect(res.status).toBe(200);
    expect(res.body.results.map((x: any) => x.status)).toEqual(items.map(() => 202));
    const over = await call(declarations, 'POST /declarations/batch', { principal, rawBody: ' '.repeat(5 * 1024 * 1024 + 1) });
    expect(over.status).toBe(413);
  });

  it('lists batch-filed declarations for the officers of every bureau they involve, as single filings are', async () => {
    const { code, principal } = await newEnterprise();
    const places = { declaredAt: 'SD', portBureau: 'XJ', port: 'HGS', inspectionBureau: 'GS', releaseBureau: 'GS' } as const;
    const res = await batch(principal, [declarationBody(code, places), declarationBody(code, places)]);
    expect(res.body.results.map((x: any) => x.status)).toEqual([202, 202]);
    const ids = res.body.results.map((x: any) => x.id as string);
    /** Every id the bureau's officers see in GET /declarations (newest first; bounded pages). */
    const listedFor = async (bureau: string) => {
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const list = await call(declarations, 'GET /declarations', {
          principal: officer(bureau, 'inspector'),
          query: { limit: '100', ...(cursor ? { cursor } : {}) },
        });
        expect(list.status).toBe(200);
        for (const d of list.body.items) seen.add(d.id);
        if (ids.every((id: string) => seen.has(id)) || !list.body.nextCursor) break;
        cursor = list.body.nextCursor;
      }
      return ids.filter((id: string) => seen.has(id));
    };
    for (const bureau of ['SD', 'XJ', 'GS']) expect(await listedFor(bureau), bureau).toEqual(ids);
    expect(await listedFor('QH')).toEqual([]);
  });

  it('costs one transaction per 25 declarations and one SQS request per 10, against one of each per declaration singly', async () => {
    const { code, principal } = await newEnterprise();
    enableMetering();
    try {
      resetMeter();
      await call(declarations, 'POST /declarations', { principal, body: declarationBody(code) });
      const single = meterSnapshot();
      expect(single.dynamodb.calls).toEqual({ TransactWriteItems: 1 });
      // The backlog sample (GetQueueAttributes, one per queue at most once a second per container)
      // is per second, not per declaration.
      const perRequest = (calls: Record<string, number>) =>
        Object.fromEntries(Object.entries(calls).filter(([k]) => k !== 'GetQueueAttributes'));
      expect(perRequest(single.sqs.calls)).toEqual({ SendMessageBatch: 1 });

      resetMeter();
      const res = await batch(
        principal,
        Array.from({ length: 50 }, () => declarationBody(code)),
      );
      expect(res.body.results.every((x: any) => x.status === 202)).toBe(true);
      const many = meterSnapshot();
      // Packs of up to 25 declarations within DynamoDB's 100 items per transaction.
      expect(many.dynamodb.calls.TransactWriteItems).toBeLessThanOrEqual(4);
      expect(Object.keys(many.dynamodb.calls)).toEqual(['TransactWriteItems']);
      expect(perRequest(many.sqs.calls)).toEqual({ SendMessageBatch: 5 });
      // Counters merged per pack: fewer item writes and write units than 50 single filings (the
      // declarations' own items and index entries stay: the units fall less than the items).
      expect(many.dynamodb.transactItems).toBeLessThan(single.dynamodb.transactItems * 50 * 0.7);
      expect(many.dynamodb.wcu).toBeLessThan(single.dynamodb.wcu * 50 * 0.85);
      console.log(
        `intake per declaration: single ${single.dynamodb.transactItems} items ${single.dynamodb.wcu} WCU; batch of 50 ${(many.dynamodb.transactItems / 50).toFixed(2)} items ${(many.dynamodb.wcu / 50).toFixed(2)} WCU`,
      );
    } finally {
      enableMetering(false);
    }
  });

  it('throttled part-way: the stored items answer 202 and are queued, the others 503 + Retry-After, nothing says "nothing was changed"', async () => {
    // Throttled past the SDK's retries.
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
    const { principal, items, answers, firstUnstored, queued } = await batchWithOnePackFailing(throttled, 'req-test');
    expect(firstUnstored).toBeGreaterThan(0);
    expect(firstUnstored).toBeLessThanOrEqual(27);
    const stored = answers.slice(0, firstUnstored);
    const unstored = answers.slice(firstUnstored);
    expect(answers.map((a) => a.status)).toEqual([...stored.map(() => 202), ...unstored.map(() => 503)]);
    for (const a of unstored) {
      expect(a.retryAfter).toBe('1');
      expect(a.problem).toMatchObject({ status: 503, retryAfterSeconds: 1 });
      expect(a.problem.detail).not.toMatch(/nothing was changed/);
    }
    // The stored ones are queued for audit now, not left for the stranded sweep.
    const storedIds = stored.map((a) => a.id);
    expect(queued.map((m) => m.declarationId).sort()).toEqual([...storedIds].sort());
    const list = await call(declarations, 'GET /declarations', { principal, query: { limit: '50' } });
    expect(list.body.items.map((d: any) => d.id).sort()).toEqual([...storedIds].sort());
    // Filing the same batch again stores the rest once; the stored ones are retries.
    const again = await batch(principal, items);
    expect(again.body.results.map((x: any) => x.status)).toEqual([...stored.map(() => 200), ...unstored.map(() => 202)]);
    expect(again.body.results.slice(0, firstUnstored).map((x: any) => x.id)).toEqual(storedIds);
  });

  it('a pack that fails for a reason of its own is a fault: its items answer 500 with the request id, not "busy, retry"; the stored ones are still 202 and queued', async () => {
    // What DynamoDB answers for an item it cannot store (no retry would ever store it).
    const refused = Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    const { answers, firstUnstored, queued } = await batchWithOnePackFailing(refused, 'req-fault');
    expect(firstUnstored).toBeGreaterThan(0);
    expect(answers.map((a) => a.status)).toEqual([
      ...answers.slice(0, firstUnstored).map(() => 202),
      ...answers.slice(firstUnstored).map(() => 500),
    ]);
    for (const a of answers.slice(firstUnstored)) {
      expect(a.retryAfter).toBeUndefined();
      expect(a.problem).toMatchObject({ status: 500, requestId: 'req-fault' });
      expect(JSON.stringify(a.problem)).not.toMatch(/ValidationException|maximum allowed size|at /);
    }
    const storedIds = answers.slice(0, firstUnstored).map((a) => a.id);
    expect(queued.map((m) => m.declarationId).sort()).toEqual([...storedIds].sort());
  });

  it('throttled before anything was stored: the whole request is one 503 + Retry-After that says nothing was changed', async () => {
    const { code, principal } = await newEnterprise();
    const items = Array.from({ length: 3 }, () => declarationBody(code));
    const throttled = async () => {
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
    };
    const noAudit: WorkQueue<AuditMessage> = { send: async () => {}, sendMany: async () => {} };
    const error = await submitBatch(items, principal, {
      createMany: (entries) => createMany(entries, throttled),
      audit: noAudit,
      now: () => new Date().toISOString(),
    }).catch((e: unknown) => e);
    const res = errorToProblem(error, 'req-test');
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('1');
    const list = await call(declarations, 'GET /declarations', { principal, query: { limit: '50' } });
    expect(list.body.items).toEqual([]);
  });
});
