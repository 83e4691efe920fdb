import { afterEach, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { redrive } from '../../functions/redrive.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { drain } from '../support/queues.js';

async function newEnterprise() {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Test Exporter', registeredBureau: 'SN' },
  });
  return { code, principal: enterprise(code) };
}

const auditQueueUrl = process.env.AUDIT_QUEUE_URL!;
afterEach(() => {
  process.env.AUDIT_QUEUE_URL = auditQueueUrl;
});

describe('POST /declarations', () => {
  it('stores the declaration, then queues it for audit, and answers 202 with its link', async () => {
    await drain('Audit');
    const { code, principal } = await newEnterprise();
    const res = await call(declarations, 'POST /declarations', { principal, body: declarationBody(code) });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^dcl_/),
      status: 'ACCEPTED',
      links: { self: `https://api.test/declarations/${res.body.id}` },
    });
    const stored = await call(declarations, 'GET /declarations/{id}', { principal, params: { id: res.body.id } });
    expect(stored.body).toMatchObject({
      status: 'ACCEPTED',
      decision: null,
      steps: [],
      release: null,
      timeline: [{ status: 'ACCEPTED', bureau: 'SD' }],
    });
    // Earlier files leave messages on the shared queue: read until ours comes (or 10 s pass).
    const queued: string[] = [];
    for (const until = Date.now() + 10_000; !queued.includes(res.body.id) && Date.now() < until;)
      queued.push(...(await drain('Audit')).map((m) => m.declarationId));
    expect(queued).toContain(res.body.id);
  });

  it('keeps a 500-line declaration of long multi-byte descriptions intact (beyond one DynamoDB item)', async () => {
    const { code, principal } = await newEnterprise();
    const lines = Array.from({ length: 500 }, (_, i) => ({
      hsCode: '6109100000',
      description: `纯棉针织T恤衫 ${i} `.padEnd(512, '棉'),
      quantity: i + 1,
      unit: 'PCS',
      valueUsd: 1.5 * i,
    }));
    const res = await call(declarations, 'POST /declarations', { principal, body: declarationBody(code, { lines }) });
    expect(res.status).toBe(202);
    const stored = await call(declarations, 'GET /declarations/{id}', { principal, params: { id: res.body.id } });
    expect(stored.body.lines).toEqual(lines);
  });

  it('is still audited when the queue send fails after the write: the redrive queues it', async () => {
    await drain('Audit');
    const { code, principal } = await newEnterprise();
    process.env.AUDIT_QUEUE_URL = `${auditQueueUrl}-that-does-not-exist`;
    const res = await call(declarations, 'POST /declarations', { principal, body: declarationBody(code) });
    expect(res.status).toBe(202);
    process.env.AUDIT_QUEUE_URL = auditQueueUrl;
    expect(await drain('Audit')).toEqual([]);
    const result = await redrive(new Date(Date.now() + 10 * 60_000));
    expect(result.declarations).toBeGreaterThanOrEqual(1);
    expect((await drain('Audit')).map((m) => m.declarationId)).toContain(res.body.id);
    // Queued again: not redriven again until another stranded period has passed.
    await redrive(new Date(Date.now() + 10 * 60_000));
    expect((await drain('Audit')).map((m) => m.declarationId)).not.toContain(res.body.id);
  });

  it('returns the original for the same clientRef and body (200), 409 naming it for a different body', async () => {
    const { code, principal } = await newEnterprise();
    const body = declarationBody(code);
    const first = await call(declarations, 'POST /declarations', { principal, body });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await call(declarations, 'POST /declarations', { principal, body: reordered });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const changed = await call(declarations, 'POST /declarations', { principal, body: { ...body, transport: 'RAIL' } });
    expect(changed.status).toBe(409);
    expect(changed.body.existingDeclarationId).toBe(first.body.id);
    expect(changed.body.detail).toContain(first.body.id);
  });

  it('honours Idempotency-Key like clientRef', async () => {
    const { code, principal } = await newEnterprise();
    const headers = { 'idempotency-key': `key-${Math.random()}` };
    const first = await call(declarations, 'POST /declarations', {
      principal,
      headers,
      body: declarationBody(code, { clientRef: 'a' + Math.random() }),
    });
    const same = await call(declarations, 'POST /declarations', {
      principal,
      headers,
      body: { ...declarationBody(code), clientRef: 'b' + Math.random() },
    });
    expect(first.status).toBe(202);
    expect(same.status).toBe(409);
    expect(same.body.existingDeclarationId).toBe(first.body.id);
  });

  it('creates one declaration from concurrent identical submissions', async () => {
    const { code, principal } = await newEnterprise();
    const body = declarationBody(code);
    const results = await Promise.all(Array.from({ length: 8 }, () => call(declarations, 'POST /declarations', { principal, body })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const list = await call(declarations, 'GET /declarations', { principal });
    expect(list.body.items).toHaveLength(1);
  });

  it('names every failing field in one problem', async () => {
    const { code, principal } = await newEnterprise();
    const body = {
      ...declarationBody(code),
      direction: 'SIDEWAYS',
      declaredAt: 'ZZ',
      port: 'AKU',
      originCountry: 'XX',
      containers: ['CSQU3054384'],
      lines: [{ hsCode: '12345', description: '', quantity: 0, unit: 'PCS', valueUsd: -1, colour: 'red' }],
      surprise: 1,
    };
    const res = await call(declarations, 'POST /declarations', { principal, body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(
      [
        'containers[0]',
        'declaredAt',
        'direction',
        'lines[0].colour',
        'lines[0].description',
        'lines[0].hsCode',
        'lines[0].quantity',
        'lines[0].valueUsd',
        'originCountry',
        'surprise',
      ].sort(),
    );
    const wrongPort = await call(declarations, 'POST /declarations', {
      principal,
      body: declarationBody(code, { portBureau: 'SD', port: 'AKU' }),
    });
    expect(wrongPort.body.errors).toEqual([{ path: 'port', message: 'port AKU belongs to bureau XJ, not SD' }]);
  });

  it('refuses to declare for another enterprise, and to officers', async () => {
    const { principal } = await newEnterprise();
    const other = await newEnterprise();
    expect((await call(declarations, 'POST /declarations', { principal, body: declarationBody(other.code) })).status).toBe(403);
    expect(
      (await call(declarations, 'POST /declarations', { principal: officer('SD', 'inspector'), body: declarationBody(other.code) })).status,
    ).toBe(403);
  });
});

describe('reading declarations', () => {
  it("hides another enterprise's declaration (404) and shows it to officers of involved bureaus only", async () => {
    const owner = await newEnterprise();
    const other = await newEnterprise();
    const { body } = await call(declarations, 'POST /declarations', {
      principal: owner.principal,
      body: declarationBody(owner.code, { declaredAt: 'SD', portBureau: 'XJ', port: 'HGS', inspectionBureau: 'GS', releaseBureau: 'GS' }),
    });
    const get = (principal: any) => call(declarations, 'GET /declarations/{id}', { principal, params: { id: body.id } });
    expect((await get(other.principal)).status).toBe(404);
    for (const bureau of ['SD', 'XJ', 'GS']) expect((await get(officer(bureau, 'inspector'))).status).toBe(200);
    expect((await get(officer('QH', 'inspector'))).status).toBe(404);
    expect((await get(admin)).status).toBe(200);
    for (const id of ['nonexistent', 'dcl_00000000000000000000000000', '../../etc/passwd']) {
      expect((await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } })).status, id).toBe(404);
    }
  });

  it('lists newest first with status, time range and an opaque cursor that only works for its owner', async () => {
    const { code, principal } = await newEnterprise();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await call(declarations, 'POST /declarations', { principal, body: declarationBody(code) })).body.id);
    const page1 = await call(declarations, 'GET /declarations', { principal, query: { limit: '2' } });
    expect(page1.body.items.map((d: any) => d.id)).toEqual([ids[4], ids[3]]);
    expect(page1.body.items[0]).toMatchObject({ status: 'ACCEPTED', lineCount: 1, totalValueUsd: 45000 });
    const page2 = await call(declarations, 'GET /declarations', { principal, query: { limit: '2', cursor: page1.body.nextCursor } });
    expect(page2.body.items.map((d: any) => d.id)).toEqual([ids[2], ids[1]]);
    const other = await newEnterprise();
    const stolen = await call(declarations, 'GET /declarations', { principal: other.principal, query: { cursor: page1.body.nextCursor } });
    expect(stolen.status).toBe(400);
    expect((await call(declarations, 'GET /declarations', { principal, query: { status: 'RELEASED' } })).body.items).toEqual([]);
    expect((await call(declarations, 'GET /declarations', { principal, query: { to: '2000-01-01T00:00:00Z' } })).body.items).toEqual([]);
    const bad = await call(declarations, 'GET /declarations', { principal, query: { limit: '0', status: 'DONE', cursor: '!!' } });
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['cursor', 'limit', 'status']);
  });
});
