/**
 * POST /declarations/batch (contract section 16): per-item results in input order, the same
 * validation and idempotency as the single call, and fewer calls per declaration (counting adapter).
 */
import { describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { enableMetering, meterSnapshot, resetMeter } from '../../shared/adapters/metering.js';
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
});
