import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { declarationLine } from '../../../shared/schemas/declaration.js';
import { hasAtMostDecimals, MAX_LINE_VALUE_USD, sumCents, toCents } from '../../../shared/schemas/numbers.js';
import { ruleSetInput } from '../../../shared/schemas/ruleset.js';
import defaultRuleSet from '../../../config/default-ruleset.json' with { type: 'json' };

const line = (quantity: number, valueUsd: number) => ({ hsCode: '8471300000', description: 'x', quantity, unit: 'PCS', valueUsd });
const accepts = (quantity: number, valueUsd: number) => declarationLine.safeParse(line(quantity, valueUsd)).success;

/** What DynamoDB can store as a number: finite, 0 or magnitude 1e-130..1e126, at most 38 significant digits. */
function dynamoStorable(v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if (v === 0) return true;
  const a = Math.abs(v);
  if (a < 1e-130 || a >= 1e126) return false;
  const digits = String(a).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
  return digits.length <= 38 && !String(a).includes('e'); // exponent notation is what breaks, below 1e-6
}

describe('numbers a client sends', () => {
  it('refuses the values an independent probe broke intake with', () => {
    expect(accepts(1, 1e-40)).toBe(false); // counters ADD it: "precision up to 38 digits"
    expect(accepts(5e-324, 1)).toBe(false); // certificate: "Number underflow"
    expect(accepts(1e-200, 1)).toBe(false);
    expect(accepts(1, 1e-131)).toBe(false);
    expect(accepts(1, 1e308)).toBe(false);
    expect(accepts(1, 0.001)).toBe(false); // money in whole cents
    expect(accepts(0.0000001, 1)).toBe(false); // quantity to 6 decimals
    expect(accepts(1, MAX_LINE_VALUE_USD + 0.01)).toBe(false);
  });

  it('accepts ordinary amounts, cents, -0 and the smallest quantity', () => {
    expect(accepts(1, 0)).toBe(true);
    expect(accepts(1, -0)).toBe(true);
    expect(accepts(0.000001, 0.01)).toBe(true);
    expect(accepts(200, 90000)).toBe(true);
    expect(accepts(2.5, 1234567.89)).toBe(true);
    expect(accepts(1, MAX_LINE_VALUE_USD)).toBe(true);
  });

  it('names the field and the limit', () => {
    const result = declarationLine.safeParse(line(1, 0.001));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['valueUsd'], message: expect.stringContaining('2 decimals') });
  });

  it('property: every accepted quantity and value is a DynamoDB number, and money is exact in cents', () => {
    const anyNumber = fc.oneof(
      fc.double(),
      fc.double({ min: 0, max: 1e13, noNaN: true }),
      fc.double({ min: 0, max: 1e-5, noNaN: true }),
      fc.constantFrom(5e-324, 1e-40, 1e-131, 1e-200, 1e308, -0, 0, 0.1, 0.3, 1.005, 12.34, 1e10, 1e-6, 1e-7, 123456.789),
      fc.integer({ min: 0, max: 10 ** 9 }).chain((n) => fc.integer({ min: 0, max: 9 }).map((d) => n / 10 ** d)),
    );
    fc.assert(
      fc.property(anyNumber, anyNumber, (q, v) => {
        if (!accepts(q, v)) return;
        expect(dynamoStorable(q), `quantity ${q}`).toBe(true);
        expect(dynamoStorable(v), `valueUsd ${v}`).toBe(true);
        expect(Number.isSafeInteger(toCents(v))).toBe(true);
        expect(toCents(v) / 100).toBe(v === 0 ? 0 : v);
      }),
      { numRuns: 5_000 },
    );
  });

  it('sums money exactly in cents (0.1 + 0.2 is 0.30)', () => {
    expect(sumCents([0.1, 0.2])).toBe(30);
    expect(sumCents(Array(500).fill(MAX_LINE_VALUE_USD))).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(hasAtMostDecimals(4.35, 2)).toBe(true);
    expect(hasAtMostDecimals(1.005, 2)).toBe(false);
  });

  it('bounds rule set rates to 6 decimals (a rate is stored in every decision)', () => {
    const base = structuredClone(defaultRuleSet);
    expect(ruleSetInput.safeParse(base).success).toBe(true);
    base.sampling.B = 5e-324;
    expect(ruleSetInput.safeParse(base).success).toBe(false);
  });
});
