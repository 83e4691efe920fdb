/**
 * Follow-up checks after release (contract section 15) and the overrides' leftovers (an ADD_STEP
 * at an uninvolved bureau lists the declaration there; an ADD_STEP survives an amendment), through
 * the handlers against DynamoDB Local. The audit runs with a rule set of its own (a private version
 * number, postRelease 1 for every level), so the region's active rule set, shared with the other
 * files running in parallel, is never changed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as stats } from '../../functions/http/stats.js';
import { auditDeclaration, auditPorts } from '../../shared/app/audit.js';
import { compileRuleSet } from '../../shared/domain/rules/engine.js';
import { markOverdue } from '../../shared/domain/time-limits.js';
import { changeDeclaration } from '../../shared/app/declaration-change.js';
import { seed } from '../../functions/seed.js';
import type { RuleSetInput } from '../../shared/schemas/ruleset.js';
import type { Principal } from '../../shared/domain/principal.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const defaultRuleSet = JSON.parse(readFileSync(new URL('../../config/default-ruleset.json', import.meta.url), 'utf8')) as RuleSetInput;
const VERSION = 700_000 + Math.floor(Math.random() * 100_000);
const everyRelease = compileRuleSet(
  { ...defaultRuleSet, sampling: { AA: 0, A: 0, B: 0, C: 0, D: 1 }, postRelease: { AA: 1, A: 1, B: 1, C: 1, D: 1 } },
  VERSION,
);
const gsInspector = officer('GS', 'inspector');
const haInspector = officer('HA', 'inspector');
const qhInspector = officer('QH', 'inspector');
const statsOfficer = officer('SD', 'stats');

let code: string;
const read = async (id: string) => (await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } })).body;
const audit = (id: string) => auditDeclaration(id, { ...auditPorts, activeRuleSet: async () => everyRelease });
const submit = async (overrides = {}) => {
  const body = declarationBody(code, { releaseBureau: 'GS', ...overrides });
  const res = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, body };
};
const record = (principal: Principal, id: string, kind: string, body: object) =>
  call(officers, 'POST /declarations/{id}/steps/{kind}', { principal, params: { id, kind }, body });
const worklistHas = async (principal: Principal, id: string, status: 'PENDING' | 'DONE', kind: string) => {
  const page = await call(officers, 'GET /worklist', { principal, query: { status, kind, limit: '100' } });
  expect(page.status).toBe(200);
  return page.body.items.some((i: { declarationId: string }) => i.declarationId === id);
};
const followUpFailedToday = async () => {
  const day = new Date().toISOString().slice(0, 10);
  const res = await call(stats, 'GET /stats', { principal: statsOfficer, query: { groupBy: 'declaredAt', from: day, to: day } });
  return res.body.rows.find((r: { bureau: string }) => r.bureau === 'SD').followUpFailed as number;
};

beforeAll(async () => {
  await seed();
  code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Follow-up Laptops Co', registeredBureau: 'SD', creditLevel: 'A' },
  });
});

describe('follow-up checks after release', () => {
  it('a selected document release owes POST_RELEASE_CHECK at the release bureau, listed in its worklist', async () => {
    const { id } = await submit();
    expect(await audit(id)).toMatchObject({ outcome: 'decided', status: 'RELEASED' });
    const d = await read(id);
    expect(d.status).toBe('RELEASED');
    expect(d.decision).toMatchObject({ ruleSetVersion: VERSION, postReleaseRate: 1 });
    expect(d.release.followUp).toMatchObject({ kind: 'POST_RELEASE_CHECK', bureau: 'GS', status: 'PENDING' });
    expect(await worklistHas(gsInspector, id, 'PENDING', 'POST_RELEASE_CHECK')).toBe(true);
    // Only the release bureau records it (another involved bureau: 403; an uninvolved one: 404).
    expect((await record(haInspector, id, 'POST_RELEASE_CHECK', { outcome: 'PASS' })).status).toBe(403);
    expect((await record(qhInspector, id, 'POST_RELEASE_CHECK', { outcome: 'PASS' })).status).toBe(404);
  });

  it('FAIL keeps RELEASED, is kept in release.followUp, counts followUpFailed once (a repeat is 409 and counts nothing)', async () => {
    const { id } = await submit();
    await audit(id);
    const before = await followUpFailedToday();
    const failed = await record(gsInspector, id, 'POST_RELEASE_CHECK', { outcome: 'FAIL', remarks: 'invoice value understated' });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe('RELEASED');
    expect(failed.body.release.followUp).toMatchObject({
      status: 'FAILED',
      recordedByBureau: 'GS',
      remarks: 'invoice value understated',
    });
    expect(failed.body.release.certificateNo).toBeTruthy();
    expect(failed.body.timeline.at(-1)).toMatchObject({ status: 'RELEASED', bureau: 'GS' });
    const again = await record(gsInspector, id, 'POST_RELEASE_CHECK', { outcome: 'FAIL' });
    expect(again.status).toBe(409);
    expect(await followUpFailedToday()).toBe(before + 1);
    expect(await worklistHas(gsInspector, id, 'PENDING', 'POST_RELEASE_CHECK')).toBe(false);
    expect(await worklistHas(gsInspector, id, 'DONE', 'POST_RELEASE_CHECK')).toBe(true);
  });

  it('PASS counts nothing; a declaration not released answers 409 for POST_RELEASE_CHECK', async () => {
    const { id } = await submit();
    await audit(id);
    const before = await followUpFailedToday();
    expect((await record(gsInspector, id, 'POST_RELEASE_CHECK', { outcome: 'PASS' })).body.release.followUp.status).toBe('PASSED');
    expect(await followUpFailedToday()).toBe(before);
    const pending = await submit();
    expect((await record(gsInspector, pending.id, 'POST_RELEASE_CHECK', { outcome: 'PASS' })).status).toBe(409);
  });

  it('an overdue check is marked once by the sweep transition and leaves the due index', async () => {
    const { id } = await submit();
    await audit(id);
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const t = await changeDeclaration(id, (d) => markOverdue(d, later));
    expect(t!.events.map((e) => e.type)).toEqual(['step.overdue']);
    expect((await read(id)).release.followUp.overdueNotifiedAt).toBe(later);
    expect(await changeDeclaration(id, (d) => markOverdue(d, later))).toBeUndefined();
  });
});

describe('overrides, leftovers', () => {
  it('an ADD_STEP at a bureau not otherwise involved lists the declaration for that bureau', async () => {
    const { id } = await submit(); // ACCEPTED: nothing audits it here
    const listed = async () =>
      (await call(declarations, 'GET /declarations', { principal: qhInspector, query: { limit: '100' } })).body.items.some(
        (i: { id: string }) => i.id === id,
      );
    expect(await listed()).toBe(false);
    const added = await call(officers, 'POST /declarations/{id}/overrides', {
      principal: officer('SD', 'inspector'),
      params: { id },
      body: { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', bureau: 'QH', reasonCode: 'INTELLIGENCE', remarks: 'fumigation at QH' },
    });
    expect(added.status).toBe(201);
    expect(await listed()).toBe(true);
    // Only as a step bureau: a role filter does not list it.
    const asPort = await call(declarations, 'GET /declarations', { principal: qhInspector, query: { involvement: 'port', limit: '100' } });
    expect(asPort.body.items.some((i: { id: string }) => i.id === id)).toBe(false);
    expect((await call(declarations, 'GET /declarations/{id}', { principal: qhInspector, params: { id } })).status).toBe(200);
  });

  it('an ADD_STEP made while ACCEPTED survives the amendment: still owed and listed after the new audit', async () => {
    const { id, body } = await submit();
    const added = await call(officers, 'POST /declarations/{id}/overrides', {
      principal: haInspector,
      params: { id },
      body: { action: 'ADD_STEP', kind: 'ORIGIN_INSPECTION', reasonCode: 'INTELLIGENCE', remarks: 'tip-off on this shipper' },
    });
    expect(added.status).toBe(201);
    const amended = await call(declarations, 'PUT /declarations/{id}', {
      principal: enterprise(code),
      params: { id },
      body: { ...body, transport: 'RAIL', amendmentReason: 'goes by rail' },
    });
    expect(amended.status).toBe(202);
    expect((await read(id)).steps).toEqual([expect.objectContaining({ kind: 'ORIGIN_INSPECTION', bureau: 'HA', status: 'PENDING' })]);
    expect(await worklistHas(haInspector, id, 'PENDING', 'ORIGIN_INSPECTION')).toBe(true);
    await audit(id);
    const d = await read(id);
    expect(d.status).toBe('INSPECTION_REQUIRED');
    expect(d.revision).toBe(2);
    expect(d.steps).toEqual([expect.objectContaining({ kind: 'ORIGIN_INSPECTION', bureau: 'HA', status: 'PENDING' })]);
    expect(await worklistHas(haInspector, id, 'PENDING', 'ORIGIN_INSPECTION')).toBe(true);
  });
});
