/**
 * The pathological rule set shape of issue 9 item 6: rules with long `in` lists, `values`
 * distinct values in all (a 1 MiB set holds about 120,000), 60 per rule, each rule gated on the
 * direction. Used by the compile-time bench line and the linear-build unit test.
 */
import type { RuleSetInput } from '../../shared/schemas/ruleset.js';

export function manyValuesRuleSet(values: number): RuleSetInput {
  const perRule = 60;
  return {
    description: `${values} in values`,
    negativeLists: { export: [], import: [] },
    sampling: { AA: 0, A: 0, B: 0, C: 0, D: 1 },
    rules: Array.from({ length: Math.ceil(values / perRule) }, (_, r) => ({
      id: `V${r}`,
      description: 'many values',
      when: {
        all: [
          { field: 'direction', op: 'eq', value: r % 2 ? 'IMPORT' : 'EXPORT' },
          { field: 'port', op: 'in', value: Array.from({ length: perRule }, (_, k) => `P${r * perRule + k}`) },
        ],
      },
      then: [{ samplingRate: 0.5 }],
    })),
  };
}
