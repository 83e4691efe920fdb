import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { seed } from '../../functions/seed.js';
import { auditDeclaration, auditPorts } from '../../shared/app/audit.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const inspector = (bureau: string) => officer(bureau, 'inspector');
type Item = { declarationId: string; kind: string; bureau: string; status: string; requiredSince: string; dueAt: string; overdue: boolean };

/** Files an export with a negative-list line (ORIGIN_INSPECTION at HA, PORT_VERIFICATION at SD), audited at `auditedAt`. */
async function awaitingInspection(code: string, auditedAt?: string, overrides: object = {}) {
  const body = declarationBody(code, {
    declaredAt: 'XJ',
    releaseBureau: 'GS',
    lines: [{ hsCode: '0302110000', description: 'fresh trout', quantity: 50, unit: 'KG', valueUsd: 900 }],
    documents: [{ type: 'PRODUCER_RECORD', number: 'PR-9' }],
    ...overrides,
  });
  const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  const outcome = await auditDeclaration(accepted.id, { ...auditPorts, ...(auditedAt ? { clock: () => auditedAt } : {}) });
  expect(outcome).toMatchObject({ outcome: 'decided', status: 'INSPECTION_REQUIRED' });
  return accepted.id as string;
}

async function everyPage(principal: ReturnType<typeof officer>, query: Record<string, string>): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await call(officers, 'GET /worklist', { principal, query: { ...query, ...(cursor ? { cursor } : {}) } });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) return items;
  }
  throw new Error('too many pages');
}

let code: string;
beforeAll(async () => {
  await seed();
  code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Worklist Fish Co', registeredBureau: 'SD', creditLevel: 'A' },
  });
});

describe('worklist (GET /worklist)', () => {
  it('lists a step for its bureau the moment the audit requires it, with its due time, and moves it to DONE when recorded', async () => {
    const id = await awaitingInspection(code);
    const ha = (await everyPage(inspector('HA'), {})).filter((i) => i.declarationId === id);
    expect(ha).toEqual([
      expect.objectContaining({
        declarationId: id,
        enterpriseId: code,
        direction: 'EXPORT',
        route: 'EXPORT_ORIGIN_AND_PORT',
        kind: 'ORIGIN_INSPECTION',
        bureau: 'HA',
        status: 'PENDING',
        overdue: false,
      }),
    ]);
    expect(Date.parse(ha[0]!.dueAt) - Date.parse(ha[0]!.requiredSince)).toBe(86_400_000);
    const sd = (await everyPage(inspector('SD'), { kind: 'PORT_VERIFICATION' })).filter((i) => i.declarationId === id);
    expect(sd.map((i) => i.kind)).toEqual(['PORT_VERIFICATION']);
    expect((await everyPage(inspector('SD'), { kind: 'ORIGIN_INSPECTION' })).filter((i) => i.declarationId === id)).toEqual([]);
    expect((await everyPage(inspector('QH'), {})).filter((i) => i.declarationId === id)).toEqual([]);

    const recorded = await call(officers, 'POST /declarations/{id}/steps/{kind}', {
      principal: inspector('HA'),
      params: { id, kind: 'ORIGIN_INSPECTION' },
      body: { outcome: 'PASS' },
    });
    expect(recorded.status).toBe(200);
    expect((await everyPage(inspector('HA'), {})).filter((i) => i.declarationId === id)).toEqual([]);
    const done = (await everyPage(inspector('HA'), { status: 'DONE' })).filter((i) => i.declarationId === id);
    expect(done).toEqual([
      expect.objectContaining({ kind: 'ORIGIN_INSPECTION', status: 'PASSED', recordedByBureau: 'HA', overdue: false }),
    ]);
    // The other bureau's step is still owed.
    expect((await everyPage(inspector('SD'), {})).filter((i) => i.declarationId === id).map((i) => i.status)).toEqual(['PENDING']);
  });

  it('orders PENDING by requiredSince, oldest first, across kinds and pages, and flags what is overdue', async () => {
    const now = Date.now();
    const ago = (h: number) => new Date(now - h * 3_600_000).toISOString();
    // Filed in this order, but required in another: the worklist follows requiredSince.
    const late = await awaitingInspection(code, ago(1));
    const oldest = await awaitingInspection(code, ago(30));
    const middle = await awaitingInspection(code, ago(5));
    const items = await everyPage(inspector('HA'), { limit: '2' });
    const ours = items.filter((i) => [late, oldest, middle].includes(i.declarationId));
    expect(ours.map((i) => i.declarationId)).toEqual([oldest, middle, late]);
    expect(ours.map((i) => i.overdue)).toEqual([true, false, false]);
    const since = items.map((i) => i.requiredSince);
    expect(since).toEqual([...since].sort());
    expect(new Set(items.map((i) => `${i.declarationId}/${i.kind}`)).size).toBe(items.length);
  });

  it('is for inspectors only and refuses a forged cursor', async () => {
    expect((await call(officers, 'GET /worklist', { principal: officer('HA', 'stats') })).status).toBe(403);
    expect((await call(officers, 'GET /worklist', { principal: enterprise(code) })).status).toBe(403);
    expect((await call(officers, 'GET /worklist', { principal: admin })).status).toBe(403);
    expect((await call(officers, 'GET /worklist', { principal: inspector('HA'), query: { cursor: 'bm9wZQ' } })).status).toBe(400);
    expect((await call(officers, 'GET /worklist', { principal: inspector('HA'), query: { status: 'LATE' } })).status).toBe(400);
  });
});

describe('officer listing (GET /declarations)', () => {
  it('lists the declarations involving the bureau, newest first, narrowed by involvement and status', async () => {
    const id = await awaitingInspection(code); // declared at XJ, port SD, inspection HA, release GS
    const list = async (principal: ReturnType<typeof officer>, query: Record<string, string> = {}) => {
      const res = await call(declarations, 'GET /declarations', { principal, query: { limit: '100', ...query } });
      expect(res.status).toBe(200);
      return (res.body.items as { id: string }[]).map((i) => i.id);
    };
    for (const bureau of ['XJ', 'SD', 'HA', 'GS']) expect(await list(inspector(bureau))).toContain(id);
    expect(await list(officer('QH', 'stats'))).not.toContain(id);
    expect(await list(inspector('XJ'), { involvement: 'declaredAt' })).toContain(id);
    expect(await list(inspector('XJ'), { involvement: 'port' })).not.toContain(id);
    expect(await list(inspector('SD'), { involvement: 'port' })).toContain(id);
    expect(await list(inspector('GS'), { involvement: 'release' })).toContain(id);
    expect(await list(inspector('HA'), { involvement: 'inspection', status: 'INSPECTION_REQUIRED' })).toContain(id);
    expect(await list(inspector('HA'), { status: 'RELEASED' })).not.toContain(id);
    expect(await list(admin)).toContain(id);

    const page = await call(declarations, 'GET /declarations', { principal: inspector('HA'), query: { limit: '1' } });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({
      id,
      status: 'INSPECTION_REQUIRED',
      lineCount: 1,
      totalValueUsd: 900,
      links: { self: `https://api.test/declarations/${id}` },
    });
    expect(page.body.items[0].lines).toBeUndefined();
    const next = await call(declarations, 'GET /declarations', {
      principal: inspector('HA'),
      query: { limit: '1', cursor: page.body.nextCursor },
    });
    expect(next.body.items[0].id < id).toBe(true);
    // A cursor of another bureau's listing is not this one's.
    expect(
      (await call(declarations, 'GET /declarations', { principal: inspector('SD'), query: { cursor: page.body.nextCursor } })).status,
    ).toBe(400);
    expect((await call(declarations, 'GET /declarations', { principal: enterprise(code), query: { involvement: 'port' } })).status).toBe(
      400,
    );
  });

  it('lets an admin page through the region newest first', async () => {
    const first = await call(declarations, 'GET /declarations', { principal: admin, query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await call(declarations, 'GET /declarations', {
      principal: admin,
      query: { limit: '2', cursor: first.body.nextCursor },
    });
    const ids = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort().reverse());
  });
});
