/**
 * Rule effectiveness (contract section 15) through the handlers against DynamoDB Local: the
 * counters move in the audit's and the step's transactions, so a redelivered audit, a repeated
 * step and an amendment count nothing twice. The audits run with a draft of this file's own (its
 * version is real, so `GET /rulesets/{version}/effectiveness` finds it), never published: the
 * region's active rule set, shared with the files running in parallel, stays as it is.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as rulesets } from '../../functions/http/rulesets.js';
import { auditDeclaration, auditPorts } from '../../shared/app/audit.js';
import { compileRuleSet, type CompiledRuleSet } from '../../shared/domain/rules/engine.js';
import type { RuleSetInput } from '../../shared/schemas/ruleset.js';
import { seed } from '../../functions/seed.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const rulesOfficer = officer('SD', 'rules');
const haInspector = officer('HA', 'inspector');
const ruleSet: RuleSetInput = {
  description: 'effectiveness test',
  negativeLists: { export: [], import: [] },
  sampling: { AA: 0.99, A: 0.99, B: 0.99, C: 0.99, D: 1 },
  postRelease: { AA: 1, A: 1, B: 1, C: 1, D: 1 },
  rules: [
    {
      id: 'R-LAPTOP',
      description: 'laptops are inspected at origin',
      when: { anyLine: { field: 'hsCode', op: 'startsWith', value: '8471' } },
      then: [{ inspect: 'ORIGIN' }],
    },
    {
      id: 'R-INVOICE',
      description: 'every export carries an invoice',
      when: { field: 'direction', op: 'eq', value: 'EXPORT' },
      then: [{ requireDocuments: ['INVOICE'] }],
    },
    { id: 'R-NEVER', description: 'never fires', when: { field: 'transport', op: 'eq', value: 'AIR' }, then: [{ inspect: 'PORT' }] },
  ],
};
const furniture = [{ hsCode: '9403600000', description: 'wooden tables', quantity: 10, unit: 'PCS', valueUsd: 2000 }];

let code: string;
let version: number;
let compiled: CompiledRuleSet;
const audit = (id: string) => auditDeclaration(id, { ...auditPorts, activeRuleSet: async () => compiled });
const read = async (id: string) => (await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } })).body;
const submit = async (overrides = {}) => {
  const body = declarationBody(code, { transport: 'SEA', ...overrides });
  const res = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  await audit(res.body.id);
  return { id: res.body.id as string, body };
};
const record = (id: string, outcome: 'PASS' | 'FAIL') =>
  call(officers, 'POST /declarations/{id}/steps/{kind}', {
    principal: haInspector,
    params: { id, kind: 'ORIGIN_INSPECTION' },
    body: { outcome },
  });
const effectiveness = (query?: Record<string, string>) =>
  call(rulesets, 'GET /rulesets/{version}/effectiveness', {
    principal: rulesOfficer,
    params: { version: String(version) },
    ...(query ? { query } : {}),
  });

beforeAll(async () => {
  await seed();
  code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Effective Rules Co', registeredBureau: 'SD', creditLevel: 'A' },
  });
  const created = await call(rulesets, 'POST /rulesets', { principal: rulesOfficer, body: ruleSet });
  version = created.body.version;
  compiled = compileRuleSet(ruleSet, version);
});

describe('GET /rulesets/{version}/effectiveness', () => {
  it('counts fired / inspected / failed per rule and the random baseline, exactly, across redelivery, repeats and amendment', async () => {
    const empty = await effectiveness();
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      version,
      from: null,
      to: null,
      rules: ruleSet.rules.map((r) => ({
        ruleId: r.id,
        description: r.description,
        fired: 0,
        inspected: 0,
        failed: 0,
        failRate: null,
        liftOverRandom: null,
        followUp: { checked: 0, failed: 0, failRate: null },
      })),
      random: { inspected: 0, failed: 0, failRate: null, followUp: { checked: 0, failed: 0, failRate: null } },
    });

    const laptops = [await submit(), await submit(), await submit()];
    const tables = [await submit({ lines: furniture }), await submit({ lines: furniture }), await submit({ lines: furniture })];
    for (const { id } of laptops) expect((await read(id)).status).toBe('INSPECTION_REQUIRED');
    // Sampling at 0.99 is a draw: count what the draw did, not what it probably did.
    const decided = await Promise.all(tables.map(async ({ id }) => read(id)));
    const sampledTables = tables.filter((_, i) => decided[i].decision.sampled);
    expect(sampledTables.length).toBeGreaterThan(0);

    // A redelivered audit, and an amendment of an inspected laptop (audited again): counted once each.
    expect(await audit(laptops[0]!.id)).toEqual({ outcome: 'already-audited' });
    const amended = await call(declarations, 'PUT /declarations/{id}', {
      principal: enterprise(code),
      params: { id: laptops[1]!.id },
      body: { ...laptops[1]!.body, amendmentReason: 'corrected quantity' },
    });
    expect(amended.status).toBe(202);
    await audit(laptops[1]!.id);

    expect((await record(laptops[0]!.id, 'FAIL')).status).toBe(200);
    expect((await record(laptops[0]!.id, 'FAIL')).status).toBe(409); // a repeat counts nothing
    expect((await record(laptops[1]!.id, 'PASS')).status).toBe(200);
    expect((await record(sampledTables[0]!.id, 'FAIL')).status).toBe(200);
    // Released after its pass, the laptop is checked after release (postRelease 1), and fails.
    const followUp = await call(officers, 'POST /declarations/{id}/steps/{kind}', {
      principal: haInspector,
      params: { id: laptops[1]!.id, kind: 'POST_RELEASE_CHECK' },
      body: { outcome: 'FAIL' },
    });
    expect(followUp.body.release.followUp.status).toBe('FAILED');

    const res = await effectiveness();
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.rules.map((r: { ruleId: string }) => [r.ruleId, r]));
    expect(byId['R-LAPTOP']).toMatchObject({
      fired: 3,
      inspected: 3,
      failed: 1,
      failRate: 0.3333,
      followUp: { checked: 1, failed: 1, failRate: 1 },
    });
    expect(byId['R-INVOICE']).toMatchObject({ fired: 6, inspected: 3 + sampledTables.length, failed: 2 });
    expect(byId['R-NEVER']).toMatchObject({ fired: 0, inspected: 0, failed: 0, failRate: null });
    expect(res.body.random).toEqual({
      inspected: sampledTables.length,
      failed: 1,
      failRate: Math.round((1 / sampledTables.length) * 10_000) / 10_000,
      followUp: { checked: 1, failed: 1, failRate: 1 },
    });
    expect(byId['R-LAPTOP'].liftOverRandom).toBe(Math.round((0.3333 / res.body.random.failRate) * 100) / 100);

    // By creation day: today holds them all, a day before holds none.
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await effectiveness({ from: today, to: today })).body.rules[0]).toMatchObject({ fired: 3 });
    expect((await effectiveness({ to: yesterday })).body.rules[0]).toMatchObject({ fired: 0 });
  });

  it('answers 400 for a bad range, 404 for an unknown version, 403 for officers without rules', async () => {
    expect((await effectiveness({ from: '2026-12-02', to: '2026-12-01' })).status).toBe(400);
    expect((await effectiveness({ from: 'yesterday' })).body.errors[0].path).toBe('from');
    const unknown = await call(rulesets, 'GET /rulesets/{version}/effectiveness', {
      principal: rulesOfficer,
      params: { version: '99999999' },
    });
    expect(unknown.status).toBe(404);
    const stats = await call(rulesets, 'GET /rulesets/{version}/effectiveness', {
      principal: officer('SD', 'stats'),
      params: { version: String(version) },
    });
    expect(stats.status).toBe(403);
  });
});
