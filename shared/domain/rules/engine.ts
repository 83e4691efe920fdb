/**
 * The audit engine of the virtual audit center (contract section 6). Pure code, no AWS:
 *
 *   const compiled = compileRuleSet(ruleSet, version);        // once per published version
 *   const decision = decide(compiled, declaration, credit);    // microseconds per declaration
 *
 * Compiling turns every condition into a closure (sets for in/nin, prefix tries for startsWith and
 * the negative lists, short-circuiting all/any), so deciding does no parsing and no lookups by name.
 * Deterministic: the same declaration, credit snapshot and version always give the same decision.
 */
import type { DeclarationInput } from '../../schemas/declaration.js';
import {
  DECLARATION_FIELDS,
  type Action,
  type Condition,
  type DeclarationField,
  type LineCondition,
  type LineField,
  type Operator,
  type RuleSetInput,
  type Scalar,
} from '../../schemas/ruleset.js';
import type { Decision, Hit, Route, StepKind } from '../declaration.js';
import { creditMeasures, type CreditSnapshot, type SamplingTable } from './measures.js';
import { PrefixSet } from './prefix-set.js';
import { isSampled } from './sampling.js';

/** What the engine reads of a declaration. */
export type AuditDeclaration = Pick<
  DeclarationInput,
  | 'direction' | 'declaredAt' | 'portBureau' | 'port' | 'inspectionBureau' | 'releaseBureau' | 'transport'
  | 'originCountry' | 'destinationCountry' | 'enterpriseId' | 'containers' | 'lines' | 'documents'
> & { id: string };

type Line = AuditDeclaration['lines'][number];
type Context = {
  d: AuditDeclaration;
  credit: CreditSnapshot;
  totalValueUsd: number;
  docTypes: Set<string>;
};
type Predicate<T> = (x: T) => boolean;

type CompiledRule = { id: string; description: string; when: Predicate<Context>; then: Action[] };

export type CompiledRuleSet = {
  version: number;
  sampling: SamplingTable;
  negativeLists: { EXPORT: PrefixSet; IMPORT: PrefixSet };
  rules: CompiledRule[];
};

// ---- compiling ---------------------------------------------------------------------------------

function compare(op: Operator, value: Scalar | Scalar[]): Predicate<unknown> {
  switch (op) {
    case 'eq':
      return (v) => v === value;
    case 'ne':
      return (v) => v !== value;
    case 'in': {
      const set = new Set(value as Scalar[]);
      return (v) => set.has(v as Scalar);
    }
    case 'nin': {
      const set = new Set(value as Scalar[]);
      return (v) => !set.has(v as Scalar);
    }
    case 'gt':
      return (v) => typeof v === 'number' && v > (value as number);
    case 'gte':
      return (v) => typeof v === 'number' && v >= (value as number);
    case 'lt':
      return (v) => typeof v === 'number' && v < (value as number);
    case 'lte':
      return (v) => typeof v === 'number' && v <= (value as number);
    case 'startsWith': {
      const list = Array.isArray(value) ? (value as string[]) : [value as string];
      if (list.length === 1) {
        const prefix = list[0]!;
        return (v) => typeof v === 'string' && v.startsWith(prefix);
      }
      const set = new PrefixSet(list);
      return (v) => typeof v === 'string' && set.has(v);
    }
  }
}

function declarationField(field: DeclarationField): (c: Context) => unknown {
  switch (field) {
    case 'creditLevel':
      return (c) => c.credit.level;
    case 'blacklisted':
      return (c) => c.credit.blacklisted;
    case 'totalValueUsd':
      return (c) => c.totalValueUsd;
    case 'lineCount':
      return (c) => c.d.lines.length;
    case 'containerCount':
      return (c) => c.d.containers?.length ?? 0;
    default:
      return (c) => c.d[field];
  }
}

function combine<T>(kind: 'all' | 'any', parts: Predicate<T>[]): Predicate<T> {
  if (parts.length === 1) return parts[0]!;
  if (kind === 'all') {
    return (x) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i]!(x)) return false;
      return true;
    };
  }
  return (x) => {
    for (let i = 0; i < parts.length; i++) if (parts[i]!(x)) return true;
    return false;
  };
}

export function compileLineCondition(c: LineCondition): Predicate<Line> {
  if ('all' in c) return combine('all', c.all.map(compileLineCondition));
  if ('any' in c) return combine('any', c.any.map(compileLineCondition));
  if ('not' in c) {
    const inner = compileLineCondition(c.not);
    return (l) => !inner(l);
  }
  const test = compare(c.op, c.value);
  const field: LineField = c.field;
  return (l) => test(l[field]);
}

export function compileCondition(c: Condition): Predicate<Context> {
  if ('all' in c) return combine('all', c.all.map(compileCondition));
  if ('any' in c) return combine('any', c.any.map(compileCondition));
  if ('not' in c) {
    const inner = compileCondition(c.not);
    return (x) => !inner(x);
  }
  if ('anyLine' in c) {
    const line = compileLineCondition(c.anyLine);
    return (x) => {
      const lines = x.d.lines;
      for (let i = 0; i < lines.length; i++) if (line(lines[i]!)) return true;
      return false;
    };
  }
  if ('missingDocument' in c) {
    const type = c.missingDocument;
    return (x) => !x.docTypes.has(type);
  }
  if (!(c.field in DECLARATION_FIELDS)) throw new Error(`unknown field ${c.field}`);
  const get = declarationField(c.field);
  const test = compare(c.op, c.value);
  return (x) => test(get(x));
}

export function compileRuleSet(input: RuleSetInput, version: number): CompiledRuleSet {
  return {
    version,
    sampling: { ...input.sampling },
    negativeLists: { EXPORT: new PrefixSet(input.negativeLists.export), IMPORT: new PrefixSet(input.negativeLists.import) },
    rules: input.rules.map((r) => ({ id: r.id, description: r.description, when: compileCondition(r.when), then: r.then })),
  };
}

// ---- deciding ----------------------------------------------------------------------------------

const EFFECT: Record<string, string> = {
  requireDocuments: 'REQUIRE_DOCUMENTS',
  inspect: 'INSPECT',
  disinfect: 'DISINFECT',
  samplingRate: 'RAISE_SAMPLING',
  return: 'RETURN',
};

/** Negative-list matches of a declaration: which lines, by which prefix. */
export function negativeListMatches(rs: CompiledRuleSet, d: Pick<AuditDeclaration, 'direction' | 'lines'>): { line: number; hsCode: string; prefix: string }[] {
  const list = rs.negativeLists[d.direction];
  const out: { line: number; hsCode: string; prefix: string }[] = [];
  if (list.size === 0) return out;
  for (let i = 0; i < d.lines.length; i++) {
    const hs = d.lines[i]!.hsCode;
    const len = list.longestMatch(hs);
    if (len > 0) out.push({ line: i, hsCode: hs, prefix: hs.slice(0, len) });
  }
  return out;
}

export function decide(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): Decision {
  let totalValueUsd = 0;
  for (let i = 0; i < d.lines.length; i++) totalValueUsd += d.lines[i]!.valueUsd;
  const docTypes = new Set<string>();
  if (d.documents) for (const doc of d.documents) docTypes.add(doc.type);
  const ctx: Context = { d, credit, totalValueUsd, docTypes };

  const hits: Hit[] = [];
  // Words for the enterprise: why it was returned, or why it must be inspected.
  const returnReasons: string[] = [];
  const reasons: string[] = [];
  const ruleSteps: { kind: StepKind; bureau: string }[] = [];
  let raisedRate = 0;
  let returned = false;

  for (const rule of rs.rules) {
    if (!rule.when(ctx)) continue;
    const effects: string[] = [];
    const details: string[] = [rule.description];
    for (const action of rule.then) {
      if ('requireDocuments' in action) {
        const missing = action.requireDocuments.filter((t) => !docTypes.has(t));
        effects.push(EFFECT.requireDocuments!);
        if (missing.length) {
          returned = true;
          details.push(`missing required document${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
          returnReasons.push(`${rule.id}: missing required document${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        } else details.push(`required documents present: ${action.requireDocuments.join(', ')}`);
      } else if ('inspect' in action) {
        effects.push(`INSPECT_${action.inspect}`);
        const step = inspectionStep(action.inspect, d);
        ruleSteps.push(step);
        details.push(`${step.kind} at ${step.bureau}`);
        reasons.push(`${rule.id}: ${step.kind} at ${step.bureau} (${rule.description})`);
      } else if ('disinfect' in action) {
        effects.push(EFFECT.disinfect!);
        ruleSteps.push({ kind: 'PORT_DISINFECTION', bureau: d.portBureau });
        details.push(`PORT_DISINFECTION at ${d.portBureau}`);
        reasons.push(`${rule.id}: preventive disinfection at ${d.portBureau}`);
      } else if ('samplingRate' in action) {
        effects.push(EFFECT.samplingRate!);
        if (action.samplingRate > raisedRate) raisedRate = action.samplingRate;
        details.push(`sampling raised to ${action.samplingRate}`);
      } else {
        effects.push(EFFECT.return!);
        returned = true;
        details.push(`returned: ${action.return}`);
        returnReasons.push(`${rule.id}: ${action.return}`);
      }
    }
    hits.push({ ruleId: rule.id, effect: effects.join('+'), detail: details.join('; ') });
  }

  const negative = negativeListMatches(rs, d);
  const onNegativeList = negative.length > 0;
  const measures = creditMeasures(credit, rs.sampling);
  const outside = !measures.regionalIntegration;
  for (const m of negative) reasons.unshift(`line ${m.line + 1} (HS ${m.hsCode}) is on the ${d.direction.toLowerCase()} negative list (prefix ${m.prefix})`);
  if (credit.blacklisted) reasons.unshift('the enterprise is blacklisted: every declaration is inspected');
  else if (credit.level === 'D') reasons.unshift('credit level D: every declaration is inspected');

  let route: Route;
  const steps: { kind: StepKind; bureau: string }[] = [];
  const mandatory = onNegativeList || credit.blacklisted;
  if (d.direction === 'EXPORT') {
    if (mandatory) {
      route = 'EXPORT_ORIGIN_AND_PORT';
      steps.push({ kind: 'ORIGIN_INSPECTION', bureau: d.inspectionBureau }, { kind: 'PORT_VERIFICATION', bureau: d.portBureau });
    } else route = 'EXPORT_DIRECT';
  } else if (onNegativeList) {
    route = 'IMPORT_PORT';
    steps.push({ kind: 'PORT_INSPECTION', bureau: d.portBureau });
  } else route = 'IMPORT_DESTINATION';

  const samplingRate = mandatory ? 1 : Math.max(measures.samplingRate, raisedRate);
  const sampled = mandatory || isSampled(d.id, rs.version, samplingRate);
  if (sampled && (route === 'EXPORT_DIRECT' || route === 'IMPORT_DESTINATION')) {
    steps.push({ kind: route === 'EXPORT_DIRECT' ? 'ORIGIN_INSPECTION' : 'DESTINATION_INSPECTION', bureau: d.inspectionBureau });
    if (!mandatory && !outside) reasons.push(`selected for inspection by sampling at rate ${samplingRate}`);
  }
  for (const s of ruleSteps) if (!steps.some((x) => x.kind === s.kind && x.bureau === s.bureau)) steps.push(s);

  const mode = returned ? 'RETURNED' : steps.length > 0 ? 'INSPECTION' : 'DOCUMENT_RELEASE';
  return {
    ruleSetVersion: rs.version,
    creditLevel: credit.level,
    blacklisted: credit.blacklisted,
    route,
    sampled,
    samplingRate,
    mode,
    steps: mode === 'RETURNED' ? [] : steps,
    releaseBureau: outside ? d.portBureau : d.releaseBureau,
    hits,
    reasons: mode === 'RETURNED' ? returnReasons : mode === 'INSPECTION' ? reasons : [],
  };
}

/**
 * Where an `inspect` action sends the goods. ORIGIN and DESTINATION both mean the inland end of the
 * journey (the declaration's inspectionBureau: origin for exports, destination for imports); PORT
 * means the port bureau (a port check for exports, a port inspection for imports).
 */
function inspectionStep(place: 'ORIGIN' | 'PORT' | 'DESTINATION', d: AuditDeclaration): { kind: StepKind; bureau: string } {
  if (place === 'PORT') return { kind: d.direction === 'EXPORT' ? 'PORT_VERIFICATION' : 'PORT_INSPECTION', bureau: d.portBureau };
  return { kind: d.direction === 'EXPORT' ? 'ORIGIN_INSPECTION' : 'DESTINATION_INSPECTION', bureau: d.inspectionBureau };
}
