import { describe, expect, it } from 'vitest';
import { compileRuleSet, decide, firedRules, negativeListLines, type AuditDeclaration } from '../../../../shared/domain/rules/engine.js';
import { generateWorkload } from '../../../../bench/audit/workload.js';
import { referenceEvaluation } from './reference.js';
import type { RuleSetInput } from '../../../../shared/schemas/ruleset.js';

describe('rule index', () => {
  it('never drops a rule that holds: indexed evaluation equals the reference interpreter (benchmark workload)', () => {
    const { ruleSet, declarations, credits } = generateWorkload(3000, 240, 7);
    const rs = compileRuleSet(ruleSet, 1);
    let fired = 0;
    let negative = 0;
    for (let i = 0; i < declarations.length; i++) {
      const d = declarations[i]!;
      const expected = referenceEvaluation(ruleSet, d, credits[i]!);
      expect(firedRules(rs, d, credits[i]!)).toEqual(expected.fired);
      expect(negativeListLines(rs, d)).toEqual(expected.negativeLines);
      fired += expected.fired.length;
      negative += expected.negativeLines.length;
    }
    expect(fired).toBeGreaterThan(1000);
    expect(negative).toBeGreaterThan(100);
    // And decide() agrees with itself when asked twice (its scratch buffers leave nothing behind).
    expect(decide(rs, declarations[5]!, credits[5]!)).toEqual(decide(rs, declarations[5]!, credits[5]!));
  });
});

describe('generated code', () => {
  it('treats hostile literals as data', () => {
    const nasty = "x'); globalThis.pwned = true; ('`${1}\\\\\"\u2028";
    const rules: RuleSetInput['rules'] = [
      { id: 'a', description: 'd', when: { field: 'enterpriseId', op: 'eq', value: nasty }, then: [{ samplingRate: 1 }] },
      { id: 'b', description: 'd', when: { field: 'enterpriseId', op: 'startsWith', value: nasty }, then: [{ samplingRate: 1 }] },
      { id: 'c', description: 'd', when: { missingDocument: nasty }, then: [{ samplingRate: 1 }] },
    ];
    const rs = compileRuleSet(
      { description: 'x', negativeLists: { export: [], import: [] }, sampling: { AA: 0, A: 0, B: 0, C: 0, D: 1 }, rules },
      1,
    );
    const d = {
      id: 'dcl_1',
      enterpriseId: nasty,
      direction: 'EXPORT',
      lines: [],
      documents: [{ type: nasty, number: '1' }],
    } as unknown as AuditDeclaration;
    expect(firedRules(rs, d, { level: 'B', blacklisted: false })).toEqual([0, 1]);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });
});
