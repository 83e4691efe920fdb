/**
 * Differential test: the compiled, indexed engine against the reference interpreter (reference.ts)
 * over random rule sets and declarations from a seeded fast-check run. Small alphabets (HS digits
 * 0,1,2,9; two units; a few values with cents) make prefixes, same-line conjunctions, sums and
 * negative lists meet often, so every path of the index is taken: same-line HS + value tests,
 * `any` inside `anyLine` (several atoms), HS tests nested under all/any/not, non-digit prefixes
 * (not indexable), sums over lines with cents, missing documents, gates with eq/in on plain fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleDecision, compileRuleSet, decide, firedRules, negativeListLines } from '../../../../shared/domain/rules/engine.js';
import type { AuditDeclaration } from '../../../../shared/domain/rules/engine.js';
import type { CreditSnapshot } from '../../../../shared/domain/rules/measures.js';
import type { Condition, LineCondition, RuleSetInput } from '../../../../shared/schemas/ruleset.js';
import { referenceEvaluation } from './reference.js';

const hsDigits = fc.constantFrom('0', '1', '2', '9');
const digitString = (min: number, max: number) => fc.array(hsDigits, { minLength: min, maxLength: max }).map((d) => d.join(''));
/** Mostly digit prefixes (indexed in the trie); sometimes one that is not (tested by a line scan). */
const rulePrefix = fc.oneof({ weight: 9, arbitrary: digitString(1, 4) }, { weight: 1, arbitrary: fc.constantFrom('A', '1A', '0-') });
const hsCode = fc.oneof({ weight: 19, arbitrary: digitString(2, 8) }, { weight: 1, arbitrary: fc.constantFrom('12A4', 'X1', '') });
const UNITS = ['KG', 'PCS'] as const;
const COUNTRIES = ['CN', 'KZ', 'DE'] as const;
const BUREAUS = ['SD', 'HA', 'SN'] as const;
const amount = fc.constantFrom(0, 0.1, 0.2, 0.3, 1, 5, 10, 99.99, 100, 1000);
const some = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

const hsTest: fc.Arbitrary<LineCondition> = fc.record({
  field: fc.constant('hsCode' as const),
  op: fc.constant('startsWith' as const),
  value: fc.oneof(rulePrefix, fc.array(rulePrefix, { minLength: 1, maxLength: 4 })),
});
const lineLeaf: fc.Arbitrary<LineCondition> = fc.oneof(
  hsTest,
  fc.record({ field: fc.constant('hsCode' as const), op: fc.constantFrom('eq' as const, 'ne' as const), value: digitString(2, 4) }),
  fc.record({
    field: fc.constantFrom('valueUsd' as const, 'quantity' as const),
    op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const, 'eq' as const, 'ne' as const),
    value: amount,
  }),
  fc.record({
    field: fc.constantFrom('valueUsd' as const, 'quantity' as const),
    op: fc.constantFrom('in' as const, 'nin' as const),
    value: some([0, 1, 5, 10]),
  }),
  fc.record({ field: fc.constant('unit' as const), op: fc.constantFrom('eq' as const, 'ne' as const), value: fc.constantFrom(...UNITS) }),
  fc.record({ field: fc.constant('originCountry' as const), op: fc.constantFrom('in' as const, 'nin' as const), value: some(COUNTRIES) }),
);
const { line } = fc.letrec<{ line: LineCondition }>((tie) => ({
  line: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'line' },
    { weight: 4, arbitrary: lineLeaf },
    // The shape the index is for: an HS prefix and a value on the same line, HS test anywhere in it.
    { weight: 3, arbitrary: fc.tuple(hsTest, tie('line')).map(([hs, other]): LineCondition => ({ all: [other, hs] })) },
    { weight: 1, arbitrary: fc.array(tie('line'), { minLength: 1, maxLength: 3 }).map((all): LineCondition => ({ all })) },
    { weight: 1, arbitrary: fc.array(tie('line'), { minLength: 1, maxLength: 3 }).map((any): LineCondition => ({ any })) },
    { weight: 1, arbitrary: tie('line').map((not): LineCondition => ({ not })) },
  ),
}));

const declarationLeaf: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 4, arbitrary: line.map((anyLine): Condition => ({ anyLine })) },
  fc.record({
    field: fc.constant('direction' as const),
    op: fc.constantFrom('eq' as const, 'ne' as const),
    value: fc.constantFrom('EXPORT', 'IMPORT'),
  }),
  fc
    .record({
      field: fc.constantFrom('transport' as const, 'creditLevel' as const),
      op: fc.constantFrom('eq' as const, 'in' as const, 'nin' as const),
      value: fc.constantFrom('SEA', 'ROAD', 'A', 'C', 'D'),
    })
    .map((c): Condition => (c.op === 'eq' ? c : { ...c, value: [c.value as string] })),
  fc
    .record({
      field: fc.constantFrom('portBureau' as const, 'declaredAt' as const, 'port' as const),
      op: fc.constantFrom('eq' as const, 'in' as const, 'ne' as const),
      value: some(BUREAUS),
    })
    .map((c): Condition => (c.op === 'in' ? c : { ...c, value: (c.value as string[])[0]! })),
  fc.record({
    field: fc.constant('enterpriseId' as const),
    op: fc.constant('startsWith' as const),
    value: fc.constantFrom('91', ['93', '9']),
  }),
  fc.record({ field: fc.constant('blacklisted' as const), op: fc.constantFrom('eq' as const, 'ne' as const), value: fc.boolean() }),
  // Sums over lines (cents-exact), line and container counts.
  fc.record({
    field: fc.constantFrom('totalValueUsd' as const, 'lineCount' as const, 'containerCount' as const),
    op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const, 'eq' as const),
    value: fc.constantFrom(0, 0.3, 0.6, 1, 2, 3, 10.3, 100, 1000),
  }),
  fc.record({ missingDocument: fc.constantFrom('INVOICE', 'PERMIT') }),
);
const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'condition' },
    { weight: 4, arbitrary: declarationLeaf },
    { weight: 2, arbitrary: fc.array(tie('condition'), { minLength: 1, maxLength: 4 }).map((all): Condition => ({ all })) },
    { weight: 1, arbitrary: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }).map((any): Condition => ({ any })) },
    { weight: 1, arbitrary: tie('condition').map((not): Condition => ({ not })) },
  ),
}));

const ruleSet: fc.Arbitrary<RuleSetInput> = fc
  .record({
    conditions: fc.array(condition, { minLength: 1, maxLength: 40 }),
    exportList: fc.array(digitString(2, 4), { maxLength: 6 }),
    importList: fc.array(digitString(2, 4), { maxLength: 6 }),
  })
  .map(({ conditions, exportList, importList }) => ({
    description: 'random',
    negativeLists: { export: exportList, import: importList },
    sampling: { AA: 0.01, A: 0.03, B: 0.1, C: 0.3, D: 1 },
    rules: conditions.map((when, i) => ({
      id: `r${i}`,
      description: `rule ${i}`,
      when,
      then: [i % 3 === 0 ? { inspect: 'PORT' as const } : i % 3 === 1 ? { requireDocuments: ['PERMIT'] } : { samplingRate: 0.5 }],
    })),
  }));

const declarationLine = fc.record(
  {
    hsCode,
    description: fc.constant('x'),
    quantity: amount,
    unit: fc.constantFrom(...UNITS),
    valueUsd: amount,
    originCountry: fc.constantFrom(...COUNTRIES),
  },
  { requiredKeys: ['hsCode', 'description', 'quantity', 'unit', 'valueUsd'] },
);
const declaration: fc.Arbitrary<AuditDeclaration> = fc
  .record(
    {
      id: fc.constantFrom('dcl_a', 'dcl_b', 'dcl_c'),
      enterpriseId: fc.constantFrom('9135', '9300', '8800'),
      direction: fc.constantFrom('EXPORT' as const, 'IMPORT' as const),
      declaredAt: fc.constantFrom(...BUREAUS),
      portBureau: fc.constantFrom(...BUREAUS),
      port: fc.constantFrom(...BUREAUS),
      inspectionBureau: fc.constantFrom(...BUREAUS),
      releaseBureau: fc.constantFrom(...BUREAUS),
      transport: fc.constantFrom('SEA' as const, 'ROAD' as const, 'AIR' as const),
      originCountry: fc.constantFrom(...COUNTRIES),
      destinationCountry: fc.constantFrom(...COUNTRIES),
      containers: fc.array(fc.constant('ABCU1234565'), { maxLength: 3 }),
      lines: fc.array(declarationLine, { minLength: 1, maxLength: 8 }),
      documents: fc.array(fc.record({ type: fc.constantFrom('INVOICE', 'PERMIT'), number: fc.constant('1') }), { maxLength: 2 }),
    },
    {
      requiredKeys: [
        'id',
        'enterpriseId',
        'direction',
        'declaredAt',
        'portBureau',
        'inspectionBureau',
        'releaseBureau',
        'transport',
        'originCountry',
        'destinationCountry',
        'lines',
      ],
    },
  )
  .map((d) => d as AuditDeclaration);
const credit: fc.Arbitrary<CreditSnapshot> = fc.record({
  level: fc.constantFrom('AA' as const, 'A' as const, 'B' as const, 'C' as const, 'D' as const),
  blacklisted: fc.boolean(),
});

describe('engine vs reference interpreter (seeded property test)', () => {
  it('fires exactly the rules the reference fires and finds exactly its negative-list lines, for any rule set', () => {
    let fired = 0;
    let decisions = 0;
    fc.assert(
      fc.property(ruleSet, fc.array(fc.tuple(declaration, credit), { minLength: 1, maxLength: 12 }), (rs, cases) => {
        const compiled = compileRuleSet(rs, 3);
        for (const [d, c] of cases) {
          const expected = referenceEvaluation(rs, d, c);
          // Twice, interleaved with the other entry points: scratch buffers carry nothing over.
          expect(firedRules(compiled, d, c)).toEqual(expected.fired);
          expect(negativeListLines(compiled, d)).toEqual(expected.negativeLines);
          expect(decide(compiled, d, c)).toEqual(assembleDecision(compiled, d, c, expected.fired, expected.negativeLines));
          expect(firedRules(compiled, d, c)).toEqual(expected.fired);
          fired += expected.fired.length;
          decisions++;
        }
      }),
      { seed: 20261202, numRuns: 300 },
    );
    // The generator is not degenerate: rules do fire (and not all of them).
    expect(fired).toBeGreaterThan(decisions);
  });
});
