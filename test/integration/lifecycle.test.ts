import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as stats } from '../../functions/http/stats.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { seed } from '../../functions/seed.js';
import { getEvent } from '../../shared/adapters/outbox.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { drain } from '../support/queues.js';

beforeAll(async () => {
  await seed();
});

const audit = (id: string) =>
  auditWorker({ Records: [{ messageId: `m-${id}`, body: JSON.stringify({ declarationId: id }) }] } as never, lambdaContext);
const get = (id: string, principal = admin) => call(declarations, 'GET /declarations/{id}', { principal, params: { id } });
const put = (id: string, code: string, body: object) =>
  call(declarations, 'PUT /declarations/{id}', { principal: enterprise(code), params: { id }, body });
const cancel = (id: string, code: string, body: object) =>
  call(declarations, 'POST /declarations/{id}/cancel', { principal: enterprise(code), params: { id }, body });

async function registered(level = 'AA') {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Amending Co.', registeredBureau: 'SD', creditLevel: level },
  });
  return code;
}
/** A food export (not on the negative list) without its producer record: the audit returns it. */
async function returnedDeclaration(declaredAt = 'SD') {
  const code = await registered();
  const body = declarationBody(code, {
    declaredAt,
    lines: [{ hsCode: '2001100000', description: 'pickled cucumbers', quantity: 5, unit: 'KG', valueUsd: 50 }],
    documents: [],
  });
  const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  await audit(accepted.id);
  expect((await get(accepted.id)).body.status).toBe('RETURNED');
  return { id: accepted.id as string, code, body };
}
const statsRow = async (bureau: string) => {
  const res = await call(stats, 'GET /stats', { principal: officer('SD', 'stats'), query: { groupBy: 'declaredAt' } });
  return res.body.rows.find((r: { bureau: string }) => r.bureau === bureau);
};

describe('amendment (contract section 13)', () => {
  it('fixes a returned declaration: back to ACCEPTED, audited again, revision 2, the old body with its decision kept, event sent', async () => {
    const { id, code, body } = await returnedDeclaration();
    await drain('Notify');
    const fixed = { ...body, documents: [{ type: 'PRODUCER_RECORD', number: 'PR-77' }], amendmentReason: 'producer record attached' };
    const res = await put(id, code, fixed);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id, status: 'ACCEPTED', revision: 2 });
    expect((await get(id)).body).toMatchObject({
      status: 'ACCEPTED',
      revision: 2,
      decision: null,
      amendmentReason: 'producer record attached',
    });
    // Queued for audit again (and back in the stranded index), naming its filer: the worker decides the amended body.
    const queued = await drain('Audit');
    expect(queued).toContainEqual({ declarationId: id, enterpriseId: code });
    await audit(id);
    const after = (await get(id, enterprise(code))).body;
    // Released on documents unless the 1% draw (credit AA) selects it: either way no longer returned.
    const outcome = after.decision.mode === 'DOCUMENT_RELEASE' ? 'RELEASED' : 'INSPECTION_REQUIRED';
    expect(after).toMatchObject({ status: outcome, revision: 2, documents: [{ type: 'PRODUCER_RECORD', number: 'PR-77' }] });
    expect(after.decision.reasons.join(' ')).not.toContain('PRODUCER_RECORD');
    expect(after.timeline.map((t: { status: string }) => t.status)).toEqual(['ACCEPTED', 'RETURNED', 'ACCEPTED', outcome]);

    const revisions = await call(declarations, 'GET /declarations/{id}/revisions', { principal: enterprise(code), params: { id } });
    expect(revisions.status).toBe(200);
    expect(revisions.body.currentRevision).toBe(2);
    expect(revisions.body.items).toHaveLength(1);
    expect(revisions.body.items[0]).toMatchObject({
      revision: 1,
      status: 'RETURNED',
      decision: { mode: 'RETURNED' },
      supersededBecause: 'producer record attached',
    });
    expect(revisions.body.items[0].body).toEqual(body);

    // The enterprise's events (an inspection also tells the bureau's system: step.required).
    const events = (await Promise.all((await drain('Notify')).map((m) => getEvent(m.eventId)))).filter(
      (e) => e?.data.declarationId === id && !e.type.startsWith('step.'),
    );
    expect(events.map((e) => e!.type)).toEqual([
      'declaration.amended',
      outcome === 'RELEASED' ? 'declaration.released' : 'declaration.inspection_required',
    ]);
    expect(events[0]!.data).toMatchObject({ revision: 2, previousStatus: 'RETURNED', amendmentReason: 'producer record attached' });
  });

  it('the same amendment twice is one revision; a POST of the original body still answers the declaration', async () => {
    const { id, code, body } = await returnedDeclaration();
    const fixed = { ...body, documents: [{ type: 'PRODUCER_RECORD', number: 'PR-1' }], amendmentReason: 'attached' };
    const [a, b] = await Promise.all([put(id, code, fixed), put(id, code, fixed)]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    expect((await put(id, code, fixed)).status).toBe(200);
    expect((await get(id)).body.revision).toBe(2);
    const revisions = await call(declarations, 'GET /declarations/{id}/revisions', { principal: admin, params: { id } });
    expect(revisions.body.items).toHaveLength(1);
    expect((await call(declarations, 'POST /declarations', { principal: enterprise(code), body })).body).toMatchObject({ id, revision: 2 });
  });

  it('counts a declaration once however often it is amended, and moves it when the declaring bureau changes', async () => {
    const before = { sn: await statsRow('SN'), nx: await statsRow('NX') };
    const { id, code, body } = await returnedDeclaration('SN');
    const mid = await statsRow('SN');
    expect(mid.declarations - before.sn.declarations).toBe(1);
    expect(mid.returned - before.sn.returned).toBe(1);
    // Amended twice (the second moves it to NX), audited in between.
    expect((await put(id, code, { ...body, amendmentReason: 'same body, audit again' })).status).toBe(202);
    await audit(id);
    const moved = {
      ...body,
      declaredAt: 'NX',
      documents: [{ type: 'PRODUCER_RECORD', number: 'PR-2' }],
      amendmentReason: 'declared at Ningxia',
    };
    expect((await put(id, code, moved)).status).toBe(202);
    await audit(id);
    const after = { sn: await statsRow('SN'), nx: await statsRow('NX') };
    expect(after.sn.declarations - before.sn.declarations).toBe(0);
    expect(after.sn.returned - before.sn.returned).toBe(0);
    expect(after.nx.declarations - before.nx.declarations).toBe(1);
    const final = (await get(id)).body;
    expect(after.nx.released - before.nx.released).toBe(final.status === 'RELEASED' ? 1 : 0);
    expect(after.nx.inspected - before.nx.inspected).toBe(final.status === 'INSPECTION_REQUIRED' ? 1 : 0);
    expect(after.nx.returned - before.nx.returned).toBe(0);
    expect(Math.round((after.nx.valueUsd - before.nx.valueUsd) * 100)).toBe(5000);
  });

  it('rewrites large bodies (line chunks) and keeps every earlier one', async () => {
    const code = await registered();
    const big = (n: number, text: string) =>
      Array.from({ length: n }, (_, i) => ({
        hsCode: '8471300000',
        description: `${text} ${i} ${'x'.repeat(480)}`,
        quantity: 1,
        unit: 'PCS',
        valueUsd: 1,
      }));
    const body = declarationBody(code, { lines: big(500, 'first') });
    const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
    expect((await put(accepted.id, code, { ...body, lines: big(3, 'second'), amendmentReason: 'split shipment' })).status).toBe(202);
    expect((await get(accepted.id)).body.lines).toHaveLength(3);
    expect((await put(accepted.id, code, { ...body, lines: big(400, 'third'), amendmentReason: 'merged again' })).status).toBe(202);
    const now = (await get(accepted.id)).body;
    expect(now.lines).toHaveLength(400);
    expect(now.lines[399].description).toContain('third 399');
    const revisions = await call(declarations, 'GET /declarations/{id}/revisions', { principal: admin, params: { id: accepted.id } });
    expect(revisions.body.items.map((r: { body: { lines: unknown[] } }) => r.body.lines.length)).toEqual([500, 3]);
  });

  it('refuses after release or failure (409 naming the state), another clientRef, a missing reason, and another enterprise', async () => {
    const { id, code, body } = await returnedDeclaration();
    const other = await registered();
    expect((await put(id, other, { ...body, enterpriseId: other, amendmentReason: 'x' })).status).toBe(404);
    const wrongRef = await put(id, code, { ...body, clientRef: 'another', amendmentReason: 'x' });
    expect(wrongRef.status).toBe(400);
    expect(wrongRef.body.errors.map((e: { path: string }) => e.path)).toEqual(['clientRef']);
    const noReason = await put(id, code, { ...body });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { path: string }) => e.path)).toEqual(['amendmentReason']);
    expect((await put(id, code, { ...body, documents: [{ type: 'PRODUCER_RECORD', number: '1' }], amendmentReason: 'ok' })).status).toBe(
      202,
    );
    await audit(id);
    const audited = (await get(id)).body;
    if (audited.status === 'INSPECTION_REQUIRED') {
      const step = audited.steps[0];
      await call(officers, 'POST /declarations/{id}/steps/{kind}', {
        principal: officer(step.bureau, 'inspector'),
        params: { id, kind: step.kind },
        body: { outcome: 'FAIL' },
      });
    }
    const state = (await get(id)).body.status;
    expect(['RELEASED', 'FAILED']).toContain(state);
    const late = await put(id, code, { ...body, amendmentReason: 'too late' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain(state);
    expect(late.body.status).toBe(409);
  });
});

describe('cancellation (contract section 13)', () => {
  it('cancels a declaration awaiting inspection: CANCELLED, steps owed no more, counted, event sent; then 409', async () => {
    const code = await registered();
    const body = declarationBody(code, {
      declaredAt: 'QH',
      lines: [{ hsCode: '9503000000', description: 'toys', quantity: 5, unit: 'PCS', valueUsd: 70 }],
    });
    const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
    await audit(accepted.id);
    expect((await get(accepted.id)).body.status).toBe('INSPECTION_REQUIRED');
    const before = await statsRow('QH');
    await drain('Notify');
    const res = await cancel(accepted.id, code, { reasonCode: 'C03', remarks: 'buyer withdrew' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'CANCELLED',
      cancellation: { reasonCode: 'C03', remarks: 'buyer withdrew', fromStatus: 'INSPECTION_REQUIRED' },
    });
    expect(res.body.steps.map((s: { status: string }) => s.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(res.body).toEqual((await get(accepted.id, enterprise(code))).body);
    expect((await statsRow('QH')).cancelled - before.cancelled).toBe(1);
    const events = (await Promise.all((await drain('Notify')).map((m) => getEvent(m.eventId)))).filter(
      (e) => e?.data.declarationId === accepted.id,
    );
    expect(events.map((e) => e!.type)).toEqual(['declaration.cancelled']);
    // A step can no longer be recorded; cancelling again or amending is a 409.
    const step = await call(officers, 'POST /declarations/{id}/steps/{kind}', {
      principal: officer('HA', 'inspector'),
      params: { id: accepted.id, kind: 'ORIGIN_INSPECTION' },
      body: { outcome: 'PASS' },
    });
    expect(step.status).toBe(409);
    expect((await cancel(accepted.id, code, { reasonCode: 'C01' })).status).toBe(409);
    expect((await put(accepted.id, code, { ...body, amendmentReason: 'x' })).status).toBe(409);
  });

  it('cancels before the audit: the audit then leaves it alone', async () => {
    const code = await registered();
    const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code) });
    expect((await cancel(accepted.id, code, { reasonCode: 'C01' })).status).toBe(200);
    await audit(accepted.id);
    expect((await get(accepted.id)).body).toMatchObject({ status: 'CANCELLED', decision: null });
  });

  it('refuses unknown reason codes, a released declaration, and other principals', async () => {
    const code = await registered('AA');
    const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code) });
    const bad = await cancel(accepted.id, code, { reasonCode: 'C99', remarks: '\u0000', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['extra', 'reasonCode', 'remarks']);
    expect(
      (
        await call(declarations, 'POST /declarations/{id}/cancel', {
          principal: officer('SD', 'inspector'),
          params: { id: accepted.id },
          body: { reasonCode: 'C01' },
        })
      ).status,
    ).toBe(403);
    expect((await cancel(accepted.id, await registered(), { reasonCode: 'C01' })).status).toBe(404);
    await audit(accepted.id);
    const status = (await get(accepted.id)).body.status;
    if (status === 'RELEASED') {
      const late = await cancel(accepted.id, code, { reasonCode: 'C01' });
      expect(late.status).toBe(409);
      expect(late.body.detail).toContain('RELEASED');
    }
  });
});
