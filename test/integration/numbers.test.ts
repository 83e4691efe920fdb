/**
 * Property, against DynamoDB Local: every declaration body the schema accepts can be stored
 * (intake transaction with its counters), audited (decision, certificate with the lines as
 * numbers) and counted (statistics read back exactly), and no accepted body makes a later write at
 * the same bureau fail. The probe that found this sent `valueUsd: 1e-40` and broke intake at QH.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as stats } from '../../functions/http/stats.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { seed } from '../../functions/seed.js';
import { toCents } from '../../shared/schemas/numbers.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

// No other integration test declares at QH: the deltas are this file's alone.
const PLACE = { declaredAt: 'QH', portBureau: 'QH', port: 'XNN', inspectionBureau: 'GS', releaseBureau: 'GS' } as const;
const statsOfficer = officer('SD', 'stats');
const qhRow = async () => {
  const res = await call(stats, 'GET /stats', { principal: statsOfficer, query: { groupBy: 'declaredAt', direction: 'EXPORT' } });
  expect(res.status).toBe(200);
  return res.body.rows.find((r: { bureau: string }) => r.bureau === 'QH');
};
const audit = (id: string) =>
  auditWorker({ Records: [{ messageId: id, body: JSON.stringify({ declarationId: id }) }] } as never, lambdaContext);

const hostileNumber = fc.oneof(
  fc.double(),
  fc.double({ min: -1, max: 1e11, noNaN: true }),
  fc.double({ min: 0, max: 1e-5, noNaN: true }),
  fc.constantFrom(5e-324, 2.2250738585072014e-308, 1e-40, 1e-131, 1e-200, 1e308, -0, 0, 0.1, 0.2, 1.005, 0.000001, 1e10, 9999999999.99),
  fc.integer({ min: 0, max: 10 ** 12 }).chain((n) => fc.integer({ min: 0, max: 12 }).map((d) => n / 10 ** d)),
);
// Mostly numbers that should pass (whole cents, micro-quantities up to the limits), so that many bodies get through.
const someNumber = fc.oneof(
  { arbitrary: hostileNumber, weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 10 ** 12 }).map((c) => c / 100), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 10 ** 15 }).map((m) => m / 10 ** 6), weight: 4 },
);

let code: string;
beforeAll(async () => {
  await seed();
  code = newCreditCode();
  // Level D: every declaration is inspected or released, and documents are checked: all paths write numbers.
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Numbers Co', registeredBureau: 'QH', creditLevel: 'AA' },
  });
});

describe('numbers (property, against DynamoDB Local)', () => {
  it('every accepted body is stored, audited and counted; the rest are 400s naming the field', async () => {
    const before = await qhRow();
    let accepted = 0;
    let cents = 0;
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(someNumber, someNumber), { minLength: 1, maxLength: 3 }), async (pairs) => {
        const body = declarationBody(code, {
          ...PLACE,
          lines: pairs.map(([quantity, valueUsd]) => ({ hsCode: '8471300000', description: 'laptops', quantity, unit: 'PCS', valueUsd })),
        });
        const res = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
        expect([202, 400], JSON.stringify(res.body)).toContain(res.status);
        if (res.status === 400) {
          expect(res.body.errors.every((e: { path: string }) => /^lines\[\d\]\.(quantity|valueUsd)$/.test(e.path))).toBe(true);
          return;
        }
        accepted++;
        lines += pairs.length;
        cents += pairs.reduce((s, [, v]) => s + toCents(v), 0);
        expect((await audit(res.body.id)).batchItemFailures).toEqual([]);
        const d = await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id: res.body.id } });
        expect(d.body.status).not.toBe('ACCEPTED');
        expect(d.body.lines.map((l: { quantity: number }) => l.quantity)).toEqual(pairs.map(([q]) => q));
      }),
      { numRuns: 60 },
    );
    expect(accepted).toBeGreaterThan(5);
    // Counted exactly (cents), and a later ordinary write at the same bureau still succeeds.
    const after = await qhRow();
    expect((after?.declarations ?? 0) - (before?.declarations ?? 0)).toBe(accepted);
    expect((after?.lines ?? 0) - (before?.lines ?? 0)).toBe(lines);
    expect(Math.round(((after?.valueUsd ?? 0) - (before?.valueUsd ?? 0)) * 100)).toBe(cents);
    const later = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code, PLACE) });
    expect(later.status).toBe(202);
  });

  it('the probe: 64 declarations of 1e-40 are refused and intake at QH keeps working', async () => {
    for (let i = 0; i < 4; i++) {
      const bad = declarationBody(code, {
        ...PLACE,
        lines: [{ hsCode: '8471300000', description: 'x', quantity: 1, unit: 'PCS', valueUsd: 1e-40 }],
      });
      expect((await call(declarations, 'POST /declarations', { principal: enterprise(code), body: bad })).status).toBe(400);
    }
    const tiny = declarationBody(code, {
      ...PLACE,
      lines: [{ hsCode: '8471300000', description: 'x', quantity: 5e-324, unit: 'PCS', valueUsd: 1 }],
    });
    expect((await call(declarations, 'POST /declarations', { principal: enterprise(code), body: tiny })).status).toBe(400);
    const ok = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code, PLACE) });
    expect(ok.status).toBe(202);
  });
});
