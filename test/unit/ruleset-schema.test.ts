import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../../shared/http/body.js';
import { ruleSetInput } from '../../shared/schemas/ruleset.js';

const valid = {
  description: 'x',
  negativeLists: { export: ['0101'], import: [] },
  sampling: { AA: 0.01, A: 0.03, B: 0.1, C: 0.3, D: 1 },
  rules: [] as unknown[],
};
const faults = (input: unknown) => {
  const r = ruleSetInput.safeParse(input);
  return r.success ? [] : fieldErrors(r.error);
};

describe('rule set validation', () => {
  it('accepts a valid rule set', () => expect(faults(valid)).toEqual([]));
  it('names every fault with its path at once', () => {
    const errors = faults({
      ...valid,
      negativeLists: { export: ['1'], import: ['01a'] },
      sampling: { ...valid.sampling, B: 1.5 },
      rules: [
        { id: 'r', description: 'd', when: { any: [] }, then: [{ inspect: 'PORT' }] },
        { id: 'r', description: 'd', when: { field: 'colour', op: 'eq', value: 'red' }, then: [{ inspect: 'MOON' }] },
        { id: 's', description: 'd', when: { field: 'lineCount', op: 'like', value: 1 }, then: [{ samplingRate: 2 }] },
        { id: 't', description: 'd', when: { field: 'totalValueUsd', op: 'gt', value: 'big' }, then: [{ return: 'x', disinfect: true }] },
      ],
    });
    expect(errors.map((e) => e.path).sort()).toEqual(
      [
        'negativeLists.export[0]',
        'negativeLists.import[0]',
        'sampling.B',
        'rules[0].when.any',
        'rules[1].id',
        'rules[1].when.field',
        'rules[1].then[0].inspect',
        'rules[2].when.op',
        'rules[2].then[0].samplingRate',
        'rules[3].when.value',
        'rules[3].then[0]',
      ].sort(),
    );
  });
  it('checks value types against operators', () => {
    const when = (w: unknown) => faults({ ...valid, rules: [{ id: 'a', description: 'd', when: w, then: [{ samplingRate: 0.5 }] }] });
    expect(when({ field: 'direction', op: 'in', value: 'EXPORT' })[0]!.message).toBe('in takes a list');
    expect(when({ field: 'lineCount', op: 'startsWith', value: '1' })[0]!.message).toMatch(/text fields/);
    expect(when({ anyLine: { field: 'valueUsd', op: 'eq', value: '1' } })[0]!.path).toBe('rules[0].when.anyLine.value');
    expect(when({ field: 'blacklisted', op: 'eq', value: true })).toEqual([]);
    expect(when({ field: 'direction', op: 'eq', value: 'EXPORT', anyLine: { field: 'unit', op: 'eq', value: 'KG' } })[0]!.message).toMatch(
      /exactly one/,
    );
    expect(when({ missingDocument: 'PERMIT', extra: 1 })[0]!.path).toBe('rules[0].when.extra');
  });
});
