import { describe, expect, it } from 'vitest';
import defaultRuleSet from '../../../../config/default-ruleset.json' with { type: 'json' };
import { compileRuleSet, decide, type AuditDeclaration } from '../../../../shared/domain/rules/engine.js';
import { isSampled, samplingDraw } from '../../../../shared/domain/rules/sampling.js';
import { PrefixSet } from '../../../../shared/domain/rules/prefix-set.js';
import { ruleSetInput, type RuleSetInput } from '../../../../shared/schemas/ruleset.js';
import { timeOrderedId } from '../../../../shared/domain/ids.js';
import { auditDraft, line } from '../../../support/audit-declarations.js';

const base: RuleSetInput = {
  description: 'test',
  negativeLists: { export: ['0302', '9503'], import: ['01', '4403'] },
  sampling: { AA: 0, A: 0, B: 0, C: 0.3, D: 1 },
  rules: [],
};
const aa = { level: 'AA' as const, blacklisted: false };
let n = 0;
function decl(overrides: Partial<AuditDeclaration> = {}): AuditDeclaration {
  return { id: `dcl_${String(n++).padStart(26, '0')}`, ...auditDraft(overrides) };
}

describe('routes (contract section 6)', () => {
  const rs = compileRuleSet(base, 7);
  it('EXPORT without negative-list lines, not blacklisted, not sampled: EXPORT_DIRECT, released on documents at the chosen bureau', () => {
    expect(decide(rs, decl(), aa)).toMatchObject({
      route: 'EXPORT_DIRECT',
      mode: 'DOCUMENT_RELEASE',
      steps: [],
      releaseBureau: 'SN',
      sampled: false,
      ruleSetVersion: 7,
    });
  });
  it('EXPORT with a negative-list line: origin inspection and port verification, both mandatory', () => {
    const d = decide(rs, decl({ lines: [line('8471300000'), line('0302110000')] }), aa);
    expect(d).toMatchObject({ route: 'EXPORT_ORIGIN_AND_PORT', mode: 'INSPECTION', sampled: true, samplingRate: 1 });
    expect(d.steps).toEqual([
      { kind: 'ORIGIN_INSPECTION', bureau: 'HA' },
      { kind: 'PORT_VERIFICATION', bureau: 'SD' },
    ]);
    expect(d.reasons[0]).toBe('line 2 (HS 0302110000) is on the export negative list');
  });
  it('EXPORT by a blacklisted enterprise: origin and port, released at the port bureau', () => {
    const d = decide(rs, decl(), { level: 'AA', blacklisted: true });
    expect(d).toMatchObject({ route: 'EXPORT_ORIGIN_AND_PORT', releaseBureau: 'SD', blacklisted: true, samplingRate: 1 });
  });
  it('IMPORT with a negative-list line: IMPORT_PORT, port inspection', () => {
    const d = decide(rs, decl({ direction: 'IMPORT', lines: [line('0101210000')] }), aa);
    expect(d).toMatchObject({ route: 'IMPORT_PORT', steps: [{ kind: 'PORT_INSPECTION', bureau: 'SD' }] });
  });
  it('IMPORT otherwise: IMPORT_DESTINATION, destination inspection only when sampled', () => {
    expect(decide(rs, decl({ direction: 'IMPORT' }), aa)).toMatchObject({ route: 'IMPORT_DESTINATION', mode: 'DOCUMENT_RELEASE' });
    const d = decide(rs, decl({ direction: 'IMPORT' }), { level: 'D', blacklisted: false });
    expect(d).toMatchObject({
      route: 'IMPORT_DESTINATION',
      mode: 'INSPECTION',
      steps: [{ kind: 'DESTINATION_INSPECTION', bureau: 'HA' }],
      releaseBureau: 'SD',
      samplingRate: 1,
    });
  });
  it('level D is outside regional integration: every step 100%, released at the port bureau', () => {
    const d = decide(rs, decl(), { level: 'D', blacklisted: false });
    expect(d).toMatchObject({
      route: 'EXPORT_DIRECT',
      sampled: true,
      samplingRate: 1,
      releaseBureau: 'SD',
      steps: [{ kind: 'ORIGIN_INSPECTION', bureau: 'HA' }],
    });
  });
  it('uses the sampling rate of the credit level', () => {
    expect(decide(rs, decl(), { level: 'C', blacklisted: false }).samplingRate).toBe(0.3);
  });
});

describe('rules', () => {
  const rules: RuleSetInput['rules'] = [
    {
      id: 'permit',
      description: 'animal products need a permit',
      when: { anyLine: { field: 'hsCode', op: 'startsWith', value: ['02', '03'] } },
      then: [{ requireDocuments: ['PERMIT'] }],
    },
    {
      id: 'big',
      description: 'big consignments',
      when: { field: 'totalValueUsd', op: 'gte', value: 1_000_000 },
      then: [{ samplingRate: 1 }],
    },
    {
      id: 'logs',
      description: 'logs by sea are disinfected',
      when: { all: [{ field: 'transport', op: 'eq', value: 'SEA' }, { anyLine: { field: 'hsCode', op: 'startsWith', value: '4403' } }] },
      then: [{ disinfect: true }],
    },
    {
      id: 'kz-road',
      description: 'no road to KZ today',
      when: {
        all: [
          { field: 'transport', op: 'eq', value: 'ROAD' },
          { field: 'destinationCountry', op: 'in', value: ['KZ'] },
        ],
      },
      then: [{ return: 'road border closed' }],
    },
    {
      id: 'port-check',
      description: 'credit C exports get a port check',
      when: {
        all: [
          { field: 'direction', op: 'eq', value: 'EXPORT' },
          { field: 'creditLevel', op: 'in', value: ['C'] },
        ],
      },
      then: [{ inspect: 'PORT' }],
    },
    { id: 'no-invoice', description: 'no invoice', when: { missingDocument: 'INVOICE' }, then: [{ samplingRate: 0.05 }] },
  ];
  const rs = compileRuleSet({ ...base, rules }, 3);

  it('lists every rule that fired, in rule order, with effect and detail', () => {
    const d = decide(rs, decl({ lines: [line('0201100000', 2_000_000)], documents: [{ type: 'PERMIT', number: 'P1' }] }), aa);
    expect(d.hits.map((h) => h.ruleId)).toEqual(['permit', 'big', 'no-invoice']);
    expect(d.hits[0]).toEqual({
      ruleId: 'permit',
      effect: 'REQUIRE_DOCUMENTS',
      detail: 'animal products need a permit; required documents present: PERMIT',
    });
    expect(d).toMatchObject({ samplingRate: 1, sampled: true, mode: 'INSPECTION' });
  });
  it('returns a declaration with a missing required document, with the reason', () => {
    const d = decide(rs, decl({ lines: [line('0302000000')], documents: [{ type: 'INVOICE', number: '1' }] }), aa);
    expect(d).toMatchObject({ mode: 'RETURNED', steps: [], reasons: ['permit: missing required document PERMIT'] });
  });
  it('returns on a return rule', () => {
    expect(decide(rs, decl({ transport: 'ROAD' }), aa)).toMatchObject({ mode: 'RETURNED', reasons: ['kz-road: road border closed'] });
  });
  it('adds port disinfection and rule inspections as mandatory steps', () => {
    const d = decide(rs, decl({ direction: 'IMPORT', lines: [line('4403110000')], documents: [{ type: 'INVOICE', number: '1' }] }), aa);
    expect(d.steps).toEqual([
      { kind: 'PORT_INSPECTION', bureau: 'SD' },
      { kind: 'PORT_DISINFECTION', bureau: 'SD' },
    ]);
    const c = decide(rs, decl({ documents: [{ type: 'INVOICE', number: '1' }] }), { level: 'C', blacklisted: false });
    expect(c.steps).toContainEqual({ kind: 'PORT_VERIFICATION', bureau: 'SD' });
  });
  it('evaluates ne, nin, not, any, lt and line fields', () => {
    const more = compileRuleSet(
      {
        ...base,
        rules: [
          {
            id: 'a',
            description: 'a',
            when: {
              any: [
                { field: 'port', op: 'ne', value: 'QDP' },
                { field: 'originCountry', op: 'nin', value: ['CN'] },
              ],
            },
            then: [{ samplingRate: 0.5 }],
          },
          { id: 'b', description: 'b', when: { not: { field: 'lineCount', op: 'lt', value: 2 } }, then: [{ samplingRate: 0.5 }] },
          {
            id: 'c',
            description: 'c',
            when: { anyLine: { all: [{ field: 'unit', op: 'eq', value: 'KG' }, { not: { field: 'quantity', op: 'gt', value: 5 } }] } },
            then: [{ samplingRate: 0.5 }],
          },
        ],
      },
      1,
    );
    expect(decide(more, decl(), aa).hits).toEqual([]);
    expect(decide(more, decl({ port: undefined, lines: [line('1'), line('2')] }), aa).hits.map((h) => h.ruleId)).toEqual(['a', 'b', 'c']);
  });
});

describe('determinism and sampling', () => {
  it('gives the same decision for the same declaration, credit and version', () => {
    const rs = compileRuleSet(ruleSetInput.parse(defaultRuleSet), 1);
    const d = decl({ direction: 'IMPORT', lines: [line('0201100000')] });
    expect(decide(rs, d, aa)).toEqual(decide(compileRuleSet(ruleSetInput.parse(defaultRuleSet), 1), d, aa));
  });
  it('draws the same for the same id and version, and differently across versions', () => {
    expect(samplingDraw('dcl_X', 1)).toBe(samplingDraw('dcl_X', 1));
    expect(samplingDraw('dcl_X', 1)).not.toBe(samplingDraw('dcl_X', 2));
  });
  it.each([0.01, 0.03, 0.1, 0.3, 0.5])('samples a share within 3 sigma of %s over 100,000 ids', (rate) => {
    const N = 100_000;
    let sampled = 0;
    // Ids shaped like real ones, from a seeded generator, so the check is reproducible, not a 1-in-75 flake.
    let seed = 0x9e3779b9; // mulberry32
    const nextByte = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) & 0xff;
    };
    const seeded = (size: number) => Uint8Array.from({ length: size }, nextByte);
    for (let i = 0; i < N; i++) if (isSampled(`dcl_${timeOrderedId(1_763_700_000_000 + i, seeded)}`, 4, rate)) sampled++;
    const sigma = Math.sqrt(N * rate * (1 - rate));
    expect(Math.abs(sampled - N * rate)).toBeLessThan(3 * sigma);
  });
});

describe('prefix sets', () => {
  it('finds the longest prefix, digits or not', () => {
    const digits = new PrefixSet(['01', '0101', '4403']);
    expect(digits.longestMatch('0101210000')).toBe(4);
    expect(digits.longestMatch('0102000000')).toBe(2);
    expect(digits.longestMatch('9999')).toBe(0);
    const text = new PrefixSet(['AB', 'ABC']);
    expect(text.longestMatch('ABCD')).toBe(3);
    expect(text.has('XAB')).toBe(false);
  });
});

describe('default rule set', () => {
  it('is valid and has the contract sampling table', () => {
    const rs = ruleSetInput.parse(defaultRuleSet);
    expect(rs.sampling).toEqual({ AA: 0.01, A: 0.03, B: 0.1, C: 0.3, D: 1 });
    expect(rs.negativeLists.import).toContain('01');
  });
  it('asks an entry quarantine permit for imported meat, and returns it without one', () => {
    const rs = compileRuleSet(ruleSetInput.parse(defaultRuleSet), 1);
    const d = decide(
      rs,
      decl({ direction: 'IMPORT', lines: [line('0201100000')], documents: [{ type: 'HEALTH_CERTIFICATE', number: 'H' }] }),
      aa,
    );
    expect(d.mode).toBe('RETURNED');
    expect(d.reasons.join()).toContain('ENTRY_QUARANTINE_PERMIT');
  });
});
