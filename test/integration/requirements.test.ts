import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as rulesets } from '../../functions/http/rulesets.js';
import { handler as meta } from '../../functions/http/meta.js';
import { seed } from '../../functions/seed.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

beforeAll(async () => {
  await seed();
});

async function registered(level = 'B') {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Checker Co.', registeredBureau: 'SD', creditLevel: level },
  });
  return code;
}

describe('GET /requirements', () => {
  it('answers any principal, an enterprise included, with the active rule set’s document rules and no risk rules', async () => {
    const code = await registered();
    for (const principal of [enterprise(code), officer('QH', 'stats'), admin]) {
      const res = await call(rulesets, 'GET /requirements', { principal });
      expect(res.status).toBe(200);
      expect(res.body.documentTypes).toContain('ENTRY_QUARANTINE_PERMIT');
      expect(res.body.documentRules.every((r: { documentTypes: string[] }) => r.documentTypes.length > 0)).toBe(true);
      expect(JSON.stringify(res.body)).not.toContain('HIGH-VALUE');
    }
    // The rule sets themselves stay closed to enterprises.
    expect((await call(rulesets, 'GET /rulesets/active', { principal: enterprise(code) })).status).toBe(403);
    expect((await call(rulesets, 'GET /requirements', {})).status).toBe(401);
  });
});

describe('POST /declarations/check', () => {
  it('predicts a return for a missing document and stores nothing', async () => {
    const code = await registered();
    const body = declarationBody(code, {
      lines: [{ hsCode: '1601000000', description: 'sausages', quantity: 5, unit: 'KG', valueUsd: 50 }],
      documents: [],
    });
    const res = await call(declarations, 'POST /declarations/check', { principal: enterprise(code), body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      stored: false,
      mode: 'RETURNED',
      missingDocuments: [{ ruleId: 'EXP-FOOD-PRODUCER', documentTypes: ['PRODUCER_RECORD'] }],
    });
    expect(res.body.notPredicted.join(' ')).toContain('sampling');
    expect(res.body).not.toHaveProperty('sampled');
    // Nothing filed: the list is empty and the clientRef is still free.
    const list = await call(declarations, 'GET /declarations', { principal: enterprise(code) });
    expect(list.body.items).toEqual([]);
    expect((await call(declarations, 'POST /declarations', { principal: enterprise(code), body })).status).toBe(202);
  });

  it('uses the enterprise’s credit now: level D is inspected every time', async () => {
    const code = await registered('D');
    const res = await call(declarations, 'POST /declarations/check', { principal: enterprise(code), body: declarationBody(code) });
    expect(res.body).toMatchObject({ creditLevel: 'D', mode: 'INSPECTION', samplingRate: 1, ifSelected: null });
  });

  it('is for the enterprise itself only, and validates like a filing', async () => {
    const code = await registered();
    const other = await registered();
    expect(
      (await call(declarations, 'POST /declarations/check', { principal: enterprise(code), body: declarationBody(other) })).status,
    ).toBe(403);
    expect(
      (await call(declarations, 'POST /declarations/check', { principal: officer('SD', 'inspector'), body: declarationBody(code) })).status,
    ).toBe(403);
    const bad = await call(declarations, 'POST /declarations/check', {
      principal: enterprise(code),
      body: { ...declarationBody(code), lines: [] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('lines');
  });
});

describe('GET /openapi.json', () => {
  it('serves DocumentType as an enum from the active rule set', async () => {
    const res = await call(meta as never, 'GET /openapi.json', {});
    const types = (await call(rulesets, 'GET /requirements', { principal: admin })).body;
    expect(res.body.components.schemas.DocumentType.enum).toEqual(types.documentTypes);
    expect(res.body.components.schemas.DocumentType.description).toContain(`version ${types.ruleSetVersion}`);
  });
});
