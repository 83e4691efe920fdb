import { describe, expect, it } from 'vitest';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { fileCreditObjection, productionCreditPorts } from '../../shared/app/credit.js';
import { dynamoObjectionStore } from '../../shared/adapters/objection-store.js';
import { getEvent } from '../../shared/adapters/outbox.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { newCreditCode } from '../support/fixtures.js';
import { drain } from '../support/queues.js';

const creditOfficer = (bureau: string) => officer(bureau, 'credit');

async function registered(level = 'C') {
  const code = newCreditCode();
  const res = await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Objecting Co.', registeredBureau: 'HA', creditLevel: level },
  });
  expect(res.status).toBe(201);
  return code;
}
const file = (code: string, reason = 'the downgrade used the wrong year', principal = enterprise(code)) =>
  call(enterprises, 'POST /enterprises/{code}/credit/objections', { principal, params: { code }, body: { reason } });
const decide = (code: string, id: string, body: object, principal = creditOfficer('XJ')) =>
  call(enterprises, 'POST /enterprises/{code}/credit/objections/{id}/decision', { principal, params: { code, id }, body });
const eventsOf = async (code: string) =>
  (await Promise.all((await drain('Notify')).map((m) => getEvent(m.eventId)))).filter((e) => e?.enterpriseId === code);

describe('credit objections', () => {
  it('one open objection at a time, even when two are filed at the same moment', async () => {
    const code = await registered();
    const [a, b] = await Promise.all([file(code), file(code)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const created = a.status === 201 ? a : b;
    const refused = a.status === 201 ? b : a;
    expect(refused.body.openObjectionId).toBe(created.body.id);
    expect(created.body).toMatchObject({ status: 'OPEN', creditCode: code, levelAtFiling: 'C' });
    expect(Date.parse(created.body.dueBy) - Date.parse(created.body.createdAt)).toBe(20 * 86_400_000);
    const list = await call(enterprises, 'GET /enterprises/{code}/credit/objections', { principal: creditOfficer('QH'), params: { code } });
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual([created.body.id]);
  });

  it('upheld with a level changes the credit everywhere at once, history naming the objection; decided twice is a 409', async () => {
    const code = await registered('C');
    const { body: objection } = await file(code);
    await drain('Notify');
    const upheld = await decide(code, objection.id, { outcome: 'UPHELD', reason: 'port outage proven', level: 'B' });
    expect(upheld.status).toBe(200);
    expect(upheld.body).toMatchObject({ status: 'UPHELD', decision: { bureau: 'XJ', creditChange: { from: 'C', to: 'B' } } });

    // Another bureau reads the new credit at once; the history entry names the objection.
    const credit = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: officer('SN', 'stats'), params: { code } });
    expect(credit.body).toMatchObject({ level: 'B', updatedByBureau: 'XJ' });
    expect(credit.body.history.at(-1)).toMatchObject({ from: 'C', to: 'B', objectionId: objection.id, bureau: 'XJ' });

    const events = await eventsOf(code);
    expect(events.map((e) => e!.type).sort()).toEqual(['enterprise.credit_changed', 'enterprise.credit_objection_decided']);
    expect(events.find((e) => e!.type === 'enterprise.credit_objection_decided')!.data).toMatchObject({
      objectionId: objection.id,
      outcome: 'UPHELD',
      creditChanged: true,
    });

    const again = await decide(code, objection.id, { outcome: 'REJECTED', reason: 'second thoughts' }, creditOfficer('SD'));
    expect(again.status).toBe(409);
    const after = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: admin, params: { code } });
    expect(after.body.history).toHaveLength(1);
    // Decided: a new objection may be filed.
    expect((await file(code, 'and another matter')).status).toBe(201);
  });

  it('two officers deciding at the same moment: exactly one decision, one credit change', async () => {
    const code = await registered('D');
    const { body: objection } = await file(code);
    const [a, b] = await Promise.all([
      decide(code, objection.id, { outcome: 'UPHELD', reason: 'yes', level: 'A' }, creditOfficer('XJ')),
      decide(code, objection.id, { outcome: 'UPHELD', reason: 'yes', level: 'B' }, creditOfficer('SD')),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const credit = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: admin, params: { code } });
    expect(credit.body.level).toBe(winner.body.decision.level);
    expect(credit.body.history).toHaveLength(1);
  });

  it('only the enterprise itself files; officers with credit list and decide; others are refused', async () => {
    const code = await registered();
    const other = await registered();
    expect((await file(code, 'x', enterprise(other))).status).toBe(404);
    expect((await file(code, 'x', creditOfficer('SD'))).status).toBe(403);
    expect(
      (await call(enterprises, 'GET /enterprises/{code}/credit/objections', { principal: enterprise(other), params: { code } })).status,
    ).toBe(404);
    expect(
      (await call(enterprises, 'GET /enterprises/{code}/credit/objections', { principal: officer('SD', 'stats'), params: { code } }))
        .status,
    ).toBe(403);
    const { body: objection } = await file(code);
    expect((await decide(code, objection.id, { outcome: 'REJECTED', reason: 'no' }, officer('SD', 'inspector'))).status).toBe(403);
    expect((await decide(code, objection.id, { outcome: 'REJECTED', reason: 'no' }, enterprise(code))).status).toBe(403);
    expect((await decide(code, 'obj_nope', { outcome: 'REJECTED', reason: 'no' })).status).toBe(404);
    const bad = await decide(code, objection.id, { outcome: 'REJECTED', reason: 'no', level: 'A' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['level']);
    const hostile = await decide(code, objection.id, { outcome: 'MAYBE', reason: '', level: 'AAA', extra: 1 });
    expect(hostile.status).toBe(400);
    expect(hostile.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['extra', 'level', 'outcome', 'reason']);
    expect((await file(newCreditCode(), 'x', enterprise(newCreditCode()))).status).toBe(404);
  });

  it('an objection past dueBy is overdue until it is decided', async () => {
    const code = await registered();
    const ports = productionCreditPorts();
    const longAgo = new Date(Date.now() - 21 * 86_400_000).toISOString();
    const objection = await fileCreditObjection(
      code,
      { reason: 'waited too long' },
      { principalId: 'prn_x' },
      { ...ports, now: () => longAgo },
    );
    const overdue = await dynamoObjectionStore.overdue(new Date().toISOString(), 1000);
    expect(overdue).toContainEqual({ id: objection.id, creditCode: code, dueBy: objection.dueBy });
    expect(overdue.map((o) => o.dueBy)).toEqual([...overdue.map((o) => o.dueBy)].sort());
    await decide(code, objection.id, { outcome: 'REJECTED', reason: 'late but no' });
    expect((await dynamoObjectionStore.overdue(new Date().toISOString(), 1000)).map((o) => o.id)).not.toContain(objection.id);
  });
});
