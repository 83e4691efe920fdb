/**
 * What an enterprise can know before filing (issue 12 item 4), from the active rule set:
 *
 * - `documentRequirements`: the rules that require documents (which HS prefixes and directions
 *   need which document types) and the two negative lists (which lines are inspected every time).
 *   Rules that do not require documents (sampling raises, inspections, disinfection, returns) are
 *   risk analysis and are NOT listed; a rule that requires documents and also does something else
 *   is listed with its documents only.
 * - `predictDecision`: the decision the audit would give a draft body now, minus the sampling draw.
 *   The draw is keyed by the declaration id, which the platform assigns at filing, so it cannot be
 *   predicted and is not revealed: the prediction says the rate and what selection would add.
 *
 * Pure: rule set and credit in, plain data out.
 */
import type { Condition, RuleSetInput } from '../schemas/ruleset.js';
import type { Decision } from './declaration.js';
import { assembleDecision, firedRules, negativeListLines, type AuditDeclaration, type CompiledRuleSet } from './rules/engine.js';
import type { CreditSnapshot } from './rules/measures.js';

export type DocumentRule = {
  ruleId: string;
  description: string;
  documentTypes: string[];
  /** Directions the rule applies to (from its top-level `direction` test); both when it has none. */
  directions: ('EXPORT' | 'IMPORT')[];
  /** HS prefixes of which at least one line must start with one (from its top-level `anyLine`); null: any goods. */
  hsPrefixes: string[] | null;
  /** The rule's full condition, for conditions beyond direction and HS prefix. */
  when: Condition;
};

export type Requirements = {
  ruleSetVersion: number;
  /** Every document type the rule set names (required, or tested for presence). */
  documentTypes: string[];
  documentRules: DocumentRule[];
  negativeLists: {
    export: { hsPrefixes: string[]; means: string };
    import: { hsPrefixes: string[]; means: string };
  };
};

/** Document types a rule set names: in `requireDocuments` and in `missingDocument` tests. */
export function documentTypesOf(rs: Pick<RuleSetInput, 'rules'>): string[] {
  const types = new Set<string>();
  const walk = (c: Condition): void => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else if ('missingDocument' in c) types.add(c.missingDocument);
  };
  for (const rule of rs.rules) {
    walk(rule.when);
    for (const action of rule.then) if ('requireDocuments' in action) action.requireDocuments.forEach((t) => types.add(t));
  }
  return [...types].sort();
}

const conjuncts = (c: Condition): Condition[] => ('all' in c ? c.all.flatMap(conjuncts) : [c]);

function directionsOf(when: Condition): ('EXPORT' | 'IMPORT')[] {
  let allowed: Set<string> = new Set(['EXPORT', 'IMPORT']);
  for (const c of conjuncts(when)) {
    if (!('field' in c) || c.field !== 'direction') continue;
    const values =
      c.op === 'eq'
        ? [c.value]
        : c.op === 'in'
          ? [c.value].flat()
          : c.op === 'ne'
            ? ['EXPORT', 'IMPORT'].filter((v) => v !== c.value)
            : null;
    if (values) allowed = new Set([...allowed].filter((v) => values.includes(v)));
  }
  return (['EXPORT', 'IMPORT'] as const).filter((d) => allowed.has(d));
}

function hsPrefixesOf(when: Condition): string[] | null {
  for (const c of conjuncts(when)) {
    if ('anyLine' in c && 'field' in c.anyLine && c.anyLine.field === 'hsCode') {
      if (c.anyLine.op === 'startsWith') return ([c.anyLine.value].flat() as string[]).slice().sort();
      if (c.anyLine.op === 'eq') return [String(c.anyLine.value)];
      if (c.anyLine.op === 'in') return ([c.anyLine.value].flat() as string[]).map(String).sort();
    }
  }
  return null;
}

export function documentRequirements(rs: RuleSetInput, version: number): Requirements {
  const documentRules: DocumentRule[] = [];
  for (const rule of rs.rules) {
    const documentTypes = rule.then.flatMap((a) => ('requireDocuments' in a ? a.requireDocuments : []));
    if (documentTypes.length === 0) continue;
    documentRules.push({
      ruleId: rule.id,
      description: rule.description,
      documentTypes: [...new Set(documentTypes)],
      directions: directionsOf(rule.when),
      hsPrefixes: hsPrefixesOf(rule.when),
      when: rule.when,
    });
  }
  return {
    ruleSetVersion: version,
    documentTypes: documentTypesOf(rs),
    documentRules,
    negativeLists: {
      export: {
        hsPrefixes: [...rs.negativeLists.export].sort(),
        means:
          'an export with a line under one of these prefixes is inspected every time: ORIGIN_INSPECTION at the inspection bureau and PORT_VERIFICATION at the port bureau (route EXPORT_ORIGIN_AND_PORT)',
      },
      import: {
        hsPrefixes: [...rs.negativeLists.import].sort(),
        means:
          'an import with a line under one of these prefixes is inspected every time: PORT_INSPECTION at the port bureau (route IMPORT_PORT)',
      },
    },
  };
}

export type Prediction = {
  ruleSetVersion: number;
  creditLevel: Decision['creditLevel'];
  blacklisted: boolean;
  route: Decision['route'];
  /** What the audit gives when the sampling draw does not select the declaration. */
  mode: Decision['mode'];
  steps: Decision['steps'];
  releaseBureau: string;
  samplingRate: number;
  /** What selection by sampling (probability `samplingRate`) would change; null when it can change nothing. */
  ifSelected: { probability: number; mode: Decision['mode']; addedSteps: Decision['steps'] } | null;
  missingDocuments: { ruleId: string; documentTypes: string[] }[];
  hits: Decision['hits'];
  reasons: string[];
};

/**
 * The audit's decision for a draft now, without the sampling draw. `draft` carries a placeholder id
 * (nothing is drawn with it).
 */
export function predictDecision(rs: CompiledRuleSet, draft: Omit<AuditDeclaration, 'id'>, credit: CreditSnapshot): Prediction {
  const d: AuditDeclaration = { ...draft, id: 'draft' };
  const fired = firedRules(rs, d, credit);
  const negative = negativeListLines(rs, d);
  const notSelected = assembleDecision(rs, d, credit, fired, negative, undefined, false);
  const selected = assembleDecision(rs, d, credit, fired, negative, undefined, true);
  const present = new Set((d.documents ?? []).map((doc) => doc.type));
  const missingDocuments = fired.flatMap((i) => {
    const rule = rs.rules[i]!;
    const missing = rule.then.flatMap((a) => ('requireDocuments' in a ? a.requireDocuments.filter((t) => !present.has(t)) : []));
    return missing.length ? [{ ruleId: rule.id, documentTypes: [...new Set(missing)] }] : [];
  });
  const key = (s: { kind: string; bureau: string }) => `${s.kind}@${s.bureau}`;
  const certain = new Set(notSelected.steps.map(key));
  const addedSteps = selected.steps.filter((s) => !certain.has(key(s)));
  const canChange =
    notSelected.mode !== 'RETURNED' && notSelected.samplingRate < 1 && notSelected.samplingRate > 0 && addedSteps.length > 0;
  return {
    ruleSetVersion: rs.version,
    creditLevel: notSelected.creditLevel,
    blacklisted: notSelected.blacklisted,
    route: notSelected.route,
    mode: notSelected.mode,
    steps: notSelected.steps,
    releaseBureau: notSelected.releaseBureau,
    samplingRate: notSelected.samplingRate,
    ifSelected: canChange ? { probability: notSelected.samplingRate, mode: selected.mode, addedSteps } : null,
    missingDocuments,
    hits: notSelected.hits,
    // The sampling sentence appears only in a selected decision; the not-selected reasons are exact.
    reasons: notSelected.reasons,
  };
}

/** What a prediction does and does not promise, sent with every answer of POST /declarations/check. */
export const PREDICTION_LIMITS = {
  predicted: [
    'route, mandatory steps and release bureau under the active rule set and your credit as they are now',
    'RETURNED and its reasons (missing required documents, returning rules)',
    'the sampling rate and which step selection by sampling would add',
  ],
  notPredicted: [
    'whether sampling selects the declaration: the draw is keyed by the declaration id, assigned at filing',
    'changes before the audit: a rule set published or a credit change after this check applies to the filed declaration',
    'officers’ overrides and inspection results',
  ],
} as const;
