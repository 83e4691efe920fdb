/**
 * The engine compiles rule conditions to JavaScript source (codegen.ts). Whatever a rule set holds
 * must reach that source as data, never as code: a hostile string is compared, not run; a field or
 * operator the schema does not know is refused when the rule set is compiled, even when the rule
 * set got past the schema by some other path (a cast, a stored record written by an older version).
 */
import { describe, expect, it } from 'vitest';
import { compileRuleSet, firedRules, type AuditDeclaration } from '../../../../shared/domain/rules/engine.js';
import type { RuleSetInput } from '../../../../shared/schemas/ruleset.js';
import { auditDraft, line } from '../../../support/audit-declarations.js';

const credit = { level: 'A' as const, blacklisted: false };
const declaration = (overrides: Partial<AuditDeclaration> = {}): AuditDeclaration => ({
  id: 'dcl_00000000000000000000000001',
  ...auditDraft(overrides),
});
const ruleSet = (when: unknown): RuleSetInput =>
  ({
    description: 'hostile',
    negativeLists: { export: [], import: [] },
    sampling: { AA: 0, A: 0, B: 0, C: 0, D: 0 },
    rules: [{ id: 'R1', description: 'r', when, then: [{ requireDocuments: ['X'] }] }],
  }) as RuleSetInput;

const hostileStrings = [
  '"); globalThis.__pwned = 1; ("',
  "'); globalThis.__pwned = 1; ('",
  '`${globalThis.__pwned = 1}`',
  '\u2028globalThis.__pwned = 1\u2029',
  '</script>\\"); throw 1; //',
];

describe('rule values reach the generated code as data', () => {
  it.each(hostileStrings)('a hostile string value %j is compared, never executed', (value) => {
    const rs = compileRuleSet(ruleSet({ field: 'port', op: 'eq', value }), 1);
    expect(firedRules(rs, declaration({ port: 'P1' }), credit)).toEqual([]);
    expect(firedRules(rs, declaration({ port: value }), credit)).toEqual([0]);
    expect((globalThis as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it.each(hostileStrings)('a hostile HS prefix %j on a line is compared, never executed', (value) => {
    const rs = compileRuleSet(ruleSet({ anyLine: { field: 'hsCode', op: 'startsWith', value: [value, 'zz'] } }), 1);
    expect(firedRules(rs, declaration({ lines: [line('8471300000')] }), credit)).toEqual([]);
    expect((globalThis as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

describe('unknown fields and operators are refused at compile time', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('declaration field %j (an Object.prototype name)', (field) => {
    expect(() => compileRuleSet(ruleSet({ field, op: 'eq', value: 'x' }), 1)).toThrow(/unknown field/);
  });
  it.each(['constructor', '__proto__', 'valueOf'])('line field %j', (field) => {
    expect(() => compileRuleSet(ruleSet({ anyLine: { all: [{ field, op: 'eq', value: 'x' }] } }), 1)).toThrow(
      /unknown line field/,
    );
  });
  it('an operator the schema does not know', () => {
    expect(() => compileRuleSet(ruleSet({ field: 'port', op: 'matches', value: '.*' }), 1)).toThrow(/unknown operator matches/);
  });
});
