import { describe, expect, it } from 'vitest';
import { compileCondition, compileRuleSet, firedRules, type AuditDeclaration } from '../../../../shared/domain/rules/engine.js';
import { generateWorkload } from '../../../../bench/audit/workload.js';
import type { RuleSetInput } from '../../../../shared/schemas/ruleset.js';

describe('rule index', () => {
  it('never drops a rule that holds: indexed evaluation equals evaluating every rule', () => {
    const { ruleSet, declarations, credits } = generateWorkload(3000, 240, 7);
    const rs = compileRuleSet(ruleSet, 1);
    const each = ruleSet.rules.map((r) => compileCondition(r.when));
    let fired = 0;
    for (let i = 0; i < declarations.length; i++) {
      const d = declarations[i]!;
      const ctx = {
        d,
        credit: credits[i]!,
        totalValueUsd: d.lines.reduce((s, l) => s + l.valueUsd, 0),
        docTypes: (d.documents ?? []).map((x) => x.type),
      };
      const naive = each.flatMap((when, r) => (when(ctx as never) ? [r] : []));
      expect(firedRules(rs, d, credits[i]!)).toEqual(naive);
      fired += naive.length;
    }
    expect(fired).toBeGreaterThan(1000);
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
