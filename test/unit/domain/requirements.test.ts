import { describe, expect, it } from 'vitest';
import defaultRuleSet from '../../../config/default-ruleset.json' with { type: 'json' };
import { withDocumentTypes } from '../../../shared/api/document-types.js';
import { buildOpenApi } from '../../../shared/api/openapi.js';
import { allRoutes } from '../../../shared/api/routes.js';
import { documentRequirements, documentTypesOf, predictDecision } from '../../../shared/domain/requirements.js';
import { compileRuleSet, decide } from '../../../shared/domain/rules/engine.js';
import { isSampled } from '../../../shared/domain/rules/sampling.js';
import { ruleSetInput } from '../../../shared/schemas/ruleset.js';
import { auditDraft as draft, line } from '../../support/audit-declarations.js';

const rules = ruleSetInput.parse(defaultRuleSet);
const rs = compileRuleSet(rules, 4);
const b = { level: 'B' as const, blacklisted: false };

describe('GET /requirements: document rules and negative lists, no risk rules', () => {
  const req = documentRequirements(rules, 4);
  it('lists exactly the rules that require documents, with directions and HS prefixes an enterprise can match', () => {
    expect(req.documentRules.map((r) => r.ruleId)).toEqual([
      'IMP-QUARANTINE-PERMIT',
      'IMP-FOOD-HEALTH-CERT',
      'EXP-DANGEROUS-PACKAGING',
      'EXP-FOOD-PRODUCER',
    ]);
    expect(req.documentRules[0]).toMatchObject({
      documentTypes: ['ENTRY_QUARANTINE_PERMIT'],
      directions: ['IMPORT'],
      hsPrefixes: expect.arrayContaining(['01', '14']),
    });
    expect(req.documentRules[2]).toMatchObject({ directions: ['EXPORT'], documentTypes: ['DANGEROUS_GOODS_PACKAGING_CERT'] });
  });

  it('never shows sampling raises, inspections, disinfection or returns', () => {
    const text = JSON.stringify(req);
    for (const hidden of ['HIGH-VALUE', 'ROAD-BORDER-SAMPLING', 'IMP-LOGS-DISINFECT', 'IMP-USED-MACHINERY', 'samplingRate', 'disinfect'])
      expect(text).not.toContain(hidden);
  });

  it('shows a mixed rule with its documents only', () => {
    const mixed = documentRequirements(
      {
        ...rules,
        rules: [
          {
            id: 'MIX',
            description: 'd',
            when: { field: 'transport', op: 'eq', value: 'AIR' },
            then: [{ requireDocuments: ['X'] }, { samplingRate: 0.9 }],
          },
        ],
      },
      5,
    );
    expect(mixed.documentRules).toEqual([
      {
        ruleId: 'MIX',
        description: 'd',
        documentTypes: ['X'],
        directions: ['EXPORT', 'IMPORT'],
        hsPrefixes: null,
        when: { field: 'transport', op: 'eq', value: 'AIR' },
      },
    ]);
    expect(JSON.stringify(mixed)).not.toContain('0.9');
  });

  it('gives both negative lists with what they mean', () => {
    expect(req.negativeLists.export.hsPrefixes).toContain('0302'.slice(0, 2));
    expect(req.negativeLists.import.means).toContain('PORT_INSPECTION');
    expect(req.negativeLists.export.means).toContain('PORT_VERIFICATION');
  });

  it('names every document type, including those only tested for presence', () => {
    expect(documentTypesOf(rules)).toEqual([
      'DANGEROUS_GOODS_PACKAGING_CERT',
      'ENTRY_QUARANTINE_PERMIT',
      'HEALTH_CERTIFICATE',
      'PRODUCER_RECORD',
      'USED_MACHINERY_PSI',
    ]);
  });
});

describe('POST /declarations/check: the audit decision without the sampling draw', () => {
  it('predicts RETURNED with the missing documents, whatever the draw', () => {
    const p = predictDecision(rs, draft({ lines: [line('1601000000')] }), b);
    expect(p.mode).toBe('RETURNED');
    expect(p.missingDocuments).toEqual([{ ruleId: 'EXP-FOOD-PRODUCER', documentTypes: ['PRODUCER_RECORD'] }]);
    expect(p.ifSelected).toBeNull();
  });

  it('predicts the mandatory route and steps of a negative-list line; sampling can change nothing', () => {
    const p = predictDecision(rs, draft({ lines: [line('9503000000')] }), b);
    expect(p).toMatchObject({ route: 'EXPORT_ORIGIN_AND_PORT', mode: 'INSPECTION', samplingRate: 1, ifSelected: null });
    expect(p.steps.map((s) => s.kind)).toEqual(['ORIGIN_INSPECTION', 'PORT_VERIFICATION']);
  });

  it('predicts a document release unless sampled, with the rate and the step selection would add, and no draw', () => {
    const p = predictDecision(rs, draft(), b);
    expect(p).toMatchObject({ mode: 'DOCUMENT_RELEASE', steps: [], samplingRate: 0.1 });
    expect(p.ifSelected).toEqual({ probability: 0.1, mode: 'INSPECTION', addedSteps: [{ kind: 'ORIGIN_INSPECTION', bureau: 'HA' }] });
    expect(p).not.toHaveProperty('sampled');
  });

  it('agrees with the audit for every real draw: what the audit decides is the prediction or its ifSelected', () => {
    const body = draft({ direction: 'IMPORT', portBureau: 'XJ', port: 'AKU', transport: 'ROAD', inspectionBureau: 'SN' });
    const p = predictDecision(rs, body, b);
    const seen = { selected: 0, not: 0 };
    for (let i = 0; i < 400; i++) {
      const id = `dcl_${String(i).padStart(26, '0')}`;
      const audit = decide(rs, { ...body, id }, b);
      if (isSampled(id, rs.version, p.samplingRate)) {
        seen.selected++;
        expect(audit.mode).toBe(p.ifSelected!.mode);
        expect(audit.steps).toEqual([...p.steps, ...p.ifSelected!.addedSteps]);
      } else {
        seen.not++;
        expect({ mode: audit.mode, steps: audit.steps, route: audit.route, reasons: audit.reasons }).toEqual({
          mode: p.mode,
          steps: p.steps,
          route: p.route,
          reasons: p.reasons,
        });
      }
    }
    expect(p.samplingRate).toBe(0.2); // ROAD-BORDER-SAMPLING raises B's 0.1
    expect(seen.selected).toBeGreaterThan(0);
    expect(seen.not).toBeGreaterThan(0);
  });

  it('level D and blacklisted: inspected every time, released at the port', () => {
    const p = predictDecision(rs, draft(), { level: 'D', blacklisted: false });
    expect(p).toMatchObject({ mode: 'INSPECTION', samplingRate: 1, ifSelected: null, releaseBureau: 'SD' });
    expect(predictDecision(rs, draft(), { level: 'A', blacklisted: true }).route).toBe('EXPORT_ORIGIN_AND_PORT');
  });
});

describe('document types in the OpenAPI document', () => {
  const served = withDocumentTypes(buildOpenApi(allRoutes), documentTypesOf(rules), 4) as any;
  it('are an enum from the rule set, used by the requirements and offered for a declaration’s documents', () => {
    expect(served.components.schemas.DocumentType.enum).toEqual(documentTypesOf(rules));
    expect(served.components.schemas.DocumentType.description).toContain('version 4');
    expect(served.components.schemas.DocumentTypeName.anyOf[0]).toEqual({ $ref: '#/components/schemas/DocumentType' });
    // Still any type: the contract keeps documents[].type a string.
    expect(served.components.schemas.DocumentTypeName.anyOf[1]).toMatchObject({ type: 'string', maxLength: 64 });
    expect(JSON.stringify(served.paths['/requirements'].get)).toContain('Requirements');
  });
});
