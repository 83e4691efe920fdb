import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as stats } from '../../functions/http/stats.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { seed } from '../../functions/seed.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { enableMetering, meterSnapshot, resetMeter } from '../../shared/adapters/metering.js';
import { ruleSetStore } from '../../shared/adapters/ruleset-store.js';

// Bureaus no other integration test declares at, so the deltas below are this file's alone.
const PLACE = { declaredAt: 'NX', portBureau: 'NM', port: 'ERL', inspectionBureau: 'SN', releaseBureau: 'SN' } as const;
const statsOfficer = officer('SD', 'stats');
const rowOf = async (groupBy: string, bureau: string, direction = 'EXPORT') => {
  const res = await call(stats, 'GET /stats', { principal: statsOfficer, query: { groupBy, direction } });
  expect(res.status).toBe(200);
  return res.body.rows.find((r: { bureau: string }) => r.bureau === bureau);
};
/** The three views' rows of this file's bureaus. */
const views = async () => ({
  declared: await rowOf('declaredAt', 'NX'),
  inspected: await rowOf('inspectedAt', 'SN'),
  destination: await rowOf('destination', 'NM'),
});
const registerAtNX = async (name: string, creditLevel: string) => {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', { principal: admin, body: { creditCode: code, name, registeredBureau: 'NX', creditLevel } });
  return code;
};
const audit = (id: string) =>
  auditWorker({ Records: [{ messageId: id, body: JSON.stringify({ declarationId: id }) }] } as never, lambdaContext);

beforeAll(async () => {
  await seed();
});

describe('GET /stats', () => {
  it('counts by declaration place, inspection place and destination, exactly once per declaration', async () => {
    const before = await views();
    const code = await registerAtNX('Stats Co', 'D');
    const lines = [
      { hsCode: '8471300000', description: 'laptops', quantity: 3, unit: 'PCS', valueUsd: 1000.5 },
      { hsCode: '8528720000', description: 'monitors', quantity: 2, unit: 'PCS', valueUsd: 250.25 },
    ];
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await call(declarations, 'POST /declarations', {
        principal: enterprise(code),
        body: declarationBody(code, { ...PLACE, lines }),
      });
      ids.push(res.body.id);
    }
    for (const id of ids) {
      await audit(id);
      await audit(id); // a redelivery must not count again
    }
    const after = await views();
    for (const view of ['declared', 'inspected', 'destination'] as const) {
      expect(after[view].declarations - before[view].declarations, view).toBe(2);
      expect(after[view].lines - before[view].lines, view).toBe(4);
      expect(after[view].valueUsd - before[view].valueUsd, view).toBeCloseTo(2501.5, 2);
      // Level D: always inspected, never released on documents.
      expect(after[view].inspected - before[view].inspected, view).toBe(2);
      expect(after[view].documentReleased - before[view].documentReleased, view).toBe(0);
    }
  });

  it("counts an audit batch's declarations exactly once each, committed in one transaction with their counters merged", async () => {
    const code = await registerAtNX('Stats Batch Co', 'AA');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code, PLACE) });
      ids.push(res.body.id);
    }
    const before = await views();
    await ruleSetStore.activeCompiled(); // the version's body is cached per container: only the pointer is read per batch
    enableMetering();
    try {
      resetMeter();
      const records = ids.map((id) => ({ messageId: id, body: JSON.stringify({ declarationId: id }) }));
      expect((await auditWorker({ Records: records } as never, lambdaContext)).batchItemFailures).toEqual([]);
      // One transaction for the four (one each before the pack).
      expect(meterSnapshot().dynamodb.calls.TransactWriteItems).toBe(1);
    } finally {
      enableMetering(false);
    }
    const after = await views();
    for (const view of ['declared', 'inspected', 'destination'] as const) {
      const decided = after[view].documentReleased - before[view].documentReleased + (after[view].inspected - before[view].inspected);
      expect(decided, view).toBe(4);
      expect(after[view].declarations - before[view].declarations, view).toBe(0); // counted at intake, not again
    }
    for (const id of ids) {
      const d = (await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id } })).body;
      expect(d.status).not.toBe('ACCEPTED');
      expect(d.timeline).toHaveLength(2); // filed, audited: once
    }
  });

  it('is for officers with the stats role, and validates its query', async () => {
    expect((await call(stats, 'GET /stats', { principal: officer('SD', 'credit'), query: { groupBy: 'declaredAt' } })).status).toBe(403);
    expect((await call(stats, 'GET /stats', { principal: enterprise(newCreditCode()), query: { groupBy: 'declaredAt' } })).status).toBe(
      403,
    );
    const bad = await call(stats, 'GET /stats', { principal: statsOfficer, query: { groupBy: 'colour', from: 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['from', 'groupBy']);
    const all = await call(stats, 'GET /stats', {
      principal: statsOfficer,
      query: { groupBy: 'inspectedAt', from: '2026-01-01', to: '2026-12-31T23:59:59Z' },
    });
    expect(all.body.rows).toHaveLength(10);
    expect(all.body.rows.map((r: { bureau: string }) => r.bureau).sort()).toEqual([
      'GS',
      'HA',
      'NM',
      'NX',
      'QH',
      'SC',
      'SD',
      'SN',
      'SX',
      'XJ',
    ]);
    for (const row of all.body.rows) expect(Object.keys(row.releaseSeconds).sort()).toEqual(['p50', 'p95']);
  });
});
