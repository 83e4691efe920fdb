import { describe, expect, it } from 'vitest';
import { decodeJsonBody, fieldErrors } from '../../../shared/http/body.js';
import { ruleSetInput } from '../../../shared/schemas/ruleset.js';

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

describe('pathological but valid rule sets (issue 9 item 6)', () => {
  const base = () => structuredClone(valid);
  const nest = (form: 'not' | 'all', depth: number) => {
    let c: unknown = { field: 'direction', op: 'eq', value: 'EXPORT' };
    for (let i = 0; i < depth; i++) c = form === 'not' ? { not: c } : { all: [c] };
    return c;
  };
  it('refuses conditions nested 1,000 (not) or 600 (all) deep with a 400 naming the limit, not a stack overflow', () => {
    for (const [form, depth] of [
      ['not', 1000],
      ['all', 600],
    ] as const) {
      const body = JSON.stringify({
        ...base(),
        rules: [{ id: 'deep', description: 'd', when: nest(form, depth), then: [{ inspect: 'PORT' }] }],
      });
      expect(() => decodeJsonBody(body, false)).toThrow(/limit is 64/);
    }
  });
  it('refuses nesting past the condition depth limit that fits the body limit', () => {
    const set = { ...base(), rules: [{ id: 'deep', description: 'd', when: nest('not', 20), then: [{ inspect: 'PORT' }] }] };
    const result = ruleSetInput.safeParse(set);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).toContain('the limit is 16');
  });
  it('refuses more list values in total than the limit', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(10, '0'));
    const rules = Array.from({ length: 6 }, (_, i) => ({
      id: `r${i}`,
      description: 'd',
      when: { anyLine: { field: 'hsCode', op: 'in', value: values } },
      then: [{ inspect: 'PORT' }],
    }));
    const result = ruleSetInput.safeParse({ ...base(), rules });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).toContain('the limit is 50000');
  });
});
