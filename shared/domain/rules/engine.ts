/**
 * The audit engine of the virtual audit center (contract section 6). Pure code, no AWS:
 *
 *   const compiled = compileRuleSet(ruleSet, version);        // once per published version
 *   const decision = decide(compiled, declaration, credit);    // microseconds per declaration
 *
 * Compiling generates JavaScript source for every condition (one function per rule, built with
 * `new Function` from the schema's field names and JSON-escaped literals only; sets for in/nin and
 * prefix tries for startsWith passed in as constants; cheap conjuncts first), and an index from
 * field values and HS prefixes to the rules that can hold (one trie walk per line also answers the
 * negative lists), so deciding does no parsing and no lookups by name.
 * Deterministic: the same declaration, credit snapshot and version always give the same decision.
 */
import type { DeclarationInput } from '../../schemas/declaration.js';
import {
  DECLARATION_FIELDS,
  LINE_FIELDS,
  type Action,
  type Condition,
  type DeclarationField,
  type LineCondition,
  type Operator,
  type RuleSetInput,
  type Scalar,
} from '../../schemas/ruleset.js';
import { totalValueUsd, type Decision, type Hit, type Route, type StepKind } from '../declaration.js';
import { creditMeasures, type CreditSnapshot, type SamplingTable } from './measures.js';
import { PrefixSet } from './prefix-set.js';
import { isSampled } from './sampling.js';

/** What the engine reads of a declaration. */
export type AuditDeclaration = Pick<
  DeclarationInput,
  | 'direction'
  | 'declaredAt'
  | 'portBureau'
  | 'port'
  | 'inspectionBureau'
  | 'releaseBureau'
  | 'transport'
  | 'originCountry'
  | 'destinationCountry'
  | 'enterpriseId'
  | 'containers'
  | 'lines'
  | 'documents'
> & { id: string };

type Context = {
  d: AuditDeclaration;
  credit: CreditSnapshot;
  totalValueUsd: number;
  /** Document types present (a handful: an array beats a Set here). */
  docTypes: string[];
};
type Predicate<T> = (x: T) => boolean;

type CompiledRule = { id: string; description: string; when: Predicate<Context>; then: Action[]; effect: string };

export type CompiledRuleSet = {
  version: number;
  sampling: SamplingTable;
  /** Follow-up checks after release per credit level (contract section 15; all 0 when the set has none). */
  postRelease: SamplingTable;
  negativeLists: { EXPORT: PrefixSet; IMPORT: PrefixSet };
  rules: CompiledRule[];
  index: RuleIndex;
};

/**
 * Which rules can fire for a declaration at all, from the `eq`/`in` tests on plain fields at the
 * top of each rule (a rule `all: [direction eq IMPORT, ...]` cannot fire on an export). Per indexed
 * field: value → bitset of the rules that allow it; rules that do not test the field allow any
 * value. Deciding ANDs one bitset per field and evaluates only the rules left.
 */
type RuleIndex = {
  words: number;
  fields: { get: (c: Context) => unknown; byValue: Map<unknown, Uint32Array>; unconstrained: Uint32Array }[];
  /** Ranges from top-level gt/gte/lt/lte on numeric fields, per field: a rule out of range is dropped. */
  ranges: { get: (c: Context) => unknown; entries: { rule: number; lo: number; loIncl: boolean; hi: number; hiIncl: boolean }[] }[];
  /**
   * One digit trie per HS code walk: the negative lists' prefixes (flag per direction) and the
   * prefixes of rules with a top-level `anyLine: hsCode startsWith [...]` (their bits).
   */
  lineTrie: HsNode | undefined;
  hasHsRules: boolean;
  hsUnconstrained: Uint32Array;
  scratch: Uint32Array;
  lineScratch: Uint32Array;
};
type HsNode = { bits?: Uint32Array; negative: number; kids: (HsNode | undefined)[] };
const NEGATIVE_FLAG = { EXPORT: 1, IMPORT: 2 } as const;
const newHsNode = (): HsNode => ({ negative: 0, kids: new Array(10) });

const NUMERIC: readonly DeclarationField[] = ['totalValueUsd', 'lineCount', 'containerCount'];

const INDEXABLE: readonly DeclarationField[] = [
  'direction',
  'transport',
  'creditLevel',
  'declaredAt',
  'portBureau',
  'port',
  'inspectionBureau',
  'releaseBureau',
  'originCountry',
  'destinationCountry',
];

/** The tests a rule needs all of: its top-level `all`, with nested `all`s flattened into it. */
function conjunctsOf(when: Condition): Condition[] {
  return 'all' in when ? when.all.flatMap(conjunctsOf) : [when];
}

/** The values a rule allows per field, from its top-level conjuncts (undefined: unconstrained). */
function allowedValues(when: Condition): Map<DeclarationField, Set<unknown>> {
  const conjuncts = conjunctsOf(when);
  const allowed = new Map<DeclarationField, Set<unknown>>();
  for (const c of conjuncts) {
    if (!('field' in c) || !INDEXABLE.includes(c.field) || (c.op !== 'eq' && c.op !== 'in')) continue;
    const values = new Set<unknown>(c.op === 'eq' ? [c.value] : (c.value as Scalar[]));
    const before = allowed.get(c.field);
    allowed.set(c.field, before ? new Set([...before].filter((v) => values.has(v))) : values);
  }
  return allowed;
}

function buildIndex(rules: readonly { when: Condition }[], negativeLists: RuleSetInput['negativeLists']): RuleIndex {
  const words = Math.max(1, Math.ceil(rules.length / 32));
  const setBit = (bits: Uint32Array, i: number) => (bits[i >>> 5]! |= 1 << (i & 31));
  const constraints = rules.map((r) => allowedValues(r.when));

  const ranges: RuleIndex['ranges'] = NUMERIC.map((field) => ({ get: declarationField(field), entries: [] }));
  rules.forEach((r, rule) => {
    NUMERIC.forEach((field, f) => {
      const range = { rule, lo: -Infinity, loIncl: true, hi: Infinity, hiIncl: true };
      let constrained = false;
      for (const c of conjunctsOf(r.when)) {
        if (!('field' in c) || c.field !== field || typeof c.value !== 'number') continue;
        if (c.op === 'gt' || c.op === 'gte') {
          constrained = true;
          if (c.value > range.lo || (c.value === range.lo && c.op === 'gt')) Object.assign(range, { lo: c.value, loIncl: c.op === 'gte' });
        } else if (c.op === 'lt' || c.op === 'lte') {
          constrained = true;
          if (c.value < range.hi || (c.value === range.hi && c.op === 'lt')) Object.assign(range, { hi: c.value, hiIncl: c.op === 'lte' });
        }
      }
      if (constrained) ranges[f]!.entries.push(range);
    });
  });

  let lineTrie: HsNode | undefined;
  let hasHsRules = false;
  const hsUnconstrained = new Uint32Array(words);
  const insert = (prefix: string): HsNode => {
    let node = (lineTrie ??= newHsNode());
    for (let i = 0; i < prefix.length; i++) node = node.kids[prefix.charCodeAt(i) - 48] ??= newHsNode();
    return node;
  };
  for (const direction of ['EXPORT', 'IMPORT'] as const) {
    for (const prefix of negativeLists[direction === 'EXPORT' ? 'export' : 'import']) insert(prefix).negative |= NEGATIVE_FLAG[direction];
  }
  rules.forEach((r, rule) => {
    const prefixes = conjunctsOf(r.when).flatMap((c) =>
      'anyLine' in c && 'field' in c.anyLine && c.anyLine.field === 'hsCode' && c.anyLine.op === 'startsWith'
        ? [[c.anyLine.value].flat() as string[]]
        : [],
    );
    if (prefixes.length === 0 || prefixes[0]!.some((p) => !/^[0-9]+$/.test(p))) {
      setBit(hsUnconstrained, rule);
      return;
    }
    hasHsRules = true;
    for (const prefix of prefixes[0]!) {
      const node = insert(prefix);
      setBit((node.bits ??= new Uint32Array(words)), rule);
    }
  });
  const fields: RuleIndex['fields'] = [];
  for (const field of INDEXABLE) {
    if (!constraints.some((c) => c.has(field))) continue;
    const unconstrained = new Uint32Array(words);
    const values = new Set<unknown>();
    constraints.forEach((c, i) => {
      const allowed = c.get(field);
      if (!allowed) unconstrained[i >>> 5]! |= 1 << (i & 31);
      else for (const v of allowed) values.add(v);
    });
    const byValue = new Map<unknown, Uint32Array>();
    for (const v of values) {
      const bits = Uint32Array.from(unconstrained);
      constraints.forEach((c, i) => {
        if (c.get(field)?.has(v)) bits[i >>> 5]! |= 1 << (i & 31);
      });
      byValue.set(v, bits);
    }
    fields.push({ get: declarationField(field), byValue, unconstrained });
  }
  return {
    words,
    fields,
    ranges: ranges.filter((r) => r.entries.length > 0),
    lineTrie,
    hasHsRules,
    hsUnconstrained,
    scratch: new Uint32Array(words),
    lineScratch: new Uint32Array(words),
  };
}

// ---- compiling ---------------------------------------------------------------------------------

/**
 * Conditions are compiled to JavaScript source, one function per rule, so V8 sees straight-line
 * code instead of a tree of closures. Only field names from the schema's fixed lists and
 * JSON-escaped literals reach the source; sets and prefix tries are passed in as constants.
 */
class Generator {
  readonly constants: unknown[] = [];

  private constant(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  private compare(ref: string, op: Operator, value: Scalar | Scalar[]): string {
    const lit = (v: Scalar) => JSON.stringify(v);
    switch (op) {
      case 'eq':
        return `(${ref} === ${lit(value as Scalar)})`;
      case 'ne':
        return `(${ref} !== ${lit(value as Scalar)})`;
      case 'in':
        return `${this.constant(new Set(value as Scalar[]))}.has(${ref})`;
      case 'nin':
        return `!${this.constant(new Set(value as Scalar[]))}.has(${ref})`;
      case 'gt':
        return `(${ref} > ${lit(value as number)})`;
      case 'gte':
        return `(${ref} >= ${lit(value as number)})`;
      case 'lt':
        return `(${ref} < ${lit(value as number)})`;
      case 'lte':
        return `(${ref} <= ${lit(value as number)})`;
      case 'startsWith': {
        const list = Array.isArray(value) ? (value as string[]) : [value as string];
        if (list.length === 1) return `(typeof ${ref} === 'string' && ${ref}.startsWith(${lit(list[0]!)}))`;
        return `(typeof ${ref} === 'string' && ${this.constant(new PrefixSet(list))}.has(${ref}))`;
      }
    }
  }

  line(c: LineCondition): string {
    if ('all' in c) return `(${c.all.map((x) => this.line(x)).join(' && ')})`;
    if ('any' in c) return `(${c.any.map((x) => this.line(x)).join(' || ')})`;
    if ('not' in c) return `!${this.line(c.not)}`;
    if (!(c.field in LINE_FIELDS)) throw new Error(`unknown line field ${c.field}`);
    return this.compare(`l.${c.field}`, c.op, c.value);
  }

  condition(c: Condition): string {
    if ('all' in c)
      return `(${[...c.all]
        .sort((a, b) => cost(a) - cost(b))
        .map((x) => this.condition(x))
        .join(' && ')})`;
    if ('any' in c)
      return `(${[...c.any]
        .sort((a, b) => cost(a) - cost(b))
        .map((x) => this.condition(x))
        .join(' || ')})`;
    if ('not' in c) return `!${this.condition(c.not)}`;
    if ('anyLine' in c) {
      const some = new Function(
        'K',
        `return (lines) => { for (let i = 0; i < lines.length; i++) { const l = lines[i]; if (${this.line(c.anyLine)}) return true; } return false; };`,
      );
      return `${this.constant(some(this.constants))}(x.d.lines)`;
    }
    if ('missingDocument' in c) return `!x.docTypes.includes(${JSON.stringify(c.missingDocument)})`;
    if (!(c.field in DECLARATION_FIELDS)) throw new Error(`unknown field ${c.field}`);
    return this.compare(FIELD_REF[c.field], c.op, c.value);
  }
}

/** Where each condition field lives in the evaluation context. */
const FIELD_REF: Record<DeclarationField, string> = {
  direction: 'x.d.direction',
  declaredAt: 'x.d.declaredAt',
  portBureau: 'x.d.portBureau',
  port: 'x.d.port',
  inspectionBureau: 'x.d.inspectionBureau',
  releaseBureau: 'x.d.releaseBureau',
  transport: 'x.d.transport',
  originCountry: 'x.d.originCountry',
  destinationCountry: 'x.d.destinationCountry',
  enterpriseId: 'x.d.enterpriseId',
  creditLevel: 'x.credit.level',
  blacklisted: 'x.credit.blacklisted',
  totalValueUsd: 'x.totalValueUsd',
  lineCount: 'x.d.lines.length',
  containerCount: '(x.d.containers ? x.d.containers.length : 0)',
};

function declarationField(field: DeclarationField): (c: Context) => unknown {
  return new Function('x', `return ${FIELD_REF[field]};`) as (c: Context) => unknown;
}

/**
 * Rough evaluation cost, used to test cheap conjuncts/disjuncts first (all/any are pure, so their
 * order does not change the result, only how soon it is known).
 */
function cost(c: Condition): number {
  if ('all' in c) return c.all.reduce((s, x) => s + cost(x), 0);
  if ('any' in c) return c.any.reduce((s, x) => s + cost(x), 0);
  if ('not' in c) return cost(c.not);
  if ('anyLine' in c) return 20;
  return 1;
}

export function compileCondition(c: Condition): Predicate<Context> {
  const generator = new Generator();
  const source = generator.condition(c);
  return new Function('K', `return (x) => ${source};`)(generator.constants) as Predicate<Context>;
}

export function compileRuleSet(input: RuleSetInput, version: number): CompiledRuleSet {
  return {
    version,
    sampling: { ...input.sampling },
    postRelease: { AA: 0, A: 0, B: 0, C: 0, D: 0, ...input.postRelease },
    negativeLists: { EXPORT: new PrefixSet(input.negativeLists.export), IMPORT: new PrefixSet(input.negativeLists.import) },
    rules: input.rules.map((r) => ({
      id: r.id,
      description: r.description,
      when: compileCondition(r.when),
      then: r.then,
      // What a hit says it does is fixed per rule: computed once here, not per decision.
      effect: r.then.map((a) => ('inspect' in a ? `INSPECT_${a.inspect}` : EFFECT[Object.keys(a)[0]!]!)).join('+'),
    })),
    index: buildIndex(input.rules, input.negativeLists),
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

/** Indexes of the lines of a declaration that are on its direction's negative list. */
export function negativeListLines(rs: CompiledRuleSet, d: Pick<AuditDeclaration, 'direction' | 'lines'>): number[] {
  const list = rs.negativeLists[d.direction];
  const out: number[] = [];
  if (list.size === 0) return out;
  for (let i = 0; i < d.lines.length; i++) if (list.has(d.lines[i]!.hsCode)) out.push(i);
  return out;
}

function contextOf(d: AuditDeclaration, credit: CreditSnapshot): Context {
  const docTypes: string[] = [];
  if (d.documents) for (const doc of d.documents) docTypes.push(doc.type);
  return { d, credit, totalValueUsd: totalValueUsd(d), docTypes };
}

/** Indexes of the rules whose condition holds, in rule order. */
export function firedRules(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): number[] {
  return evaluate(rs, d, credit);
}

/**
 * Fired rules, and (into `negativeLines`) the lines on the negative list, from one walk of each
 * line's HS code through the shared trie.
 */
function evaluate(
  rs: CompiledRuleSet,
  d: AuditDeclaration,
  credit: CreditSnapshot,
  negativeLines?: number[],
  ctx = contextOf(d, credit),
): number[] {
  const { words, fields, ranges, lineTrie, hasHsRules, scratch: candidates } = rs.index;
  candidates.fill(0xffffffff);
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const bits = field.byValue.get(field.get(ctx)) ?? field.unconstrained;
    for (let w = 0; w < words; w++) candidates[w]! &= bits[w]!;
  }
  for (let f = 0; f < ranges.length; f++) {
    const { get, entries } = ranges[f]!;
    const v = get(ctx) as number;
    for (let r = 0; r < entries.length; r++) {
      const range = entries[r]!;
      const inside = (range.loIncl ? v >= range.lo : v > range.lo) && (range.hiIncl ? v <= range.hi : v < range.hi);
      if (!inside) candidates[range.rule >>> 5]! &= ~(1 << (range.rule & 31));
    }
  }
  if (lineTrie) {
    // Rules that need a line under one of their HS prefixes stay only if some line is; on the
    // way, each line learns whether it is on its direction's negative list.
    const flag = NEGATIVE_FLAG[d.direction];
    const allowed = rs.index.lineScratch;
    allowed.set(rs.index.hsUnconstrained);
    const lines = d.lines;
    for (let l = 0; l < lines.length; l++) {
      const hs = lines[l]!.hsCode;
      let node: HsNode | undefined = lineTrie;
      let negative = false;
      for (let i = 0; i < hs.length && node; i++) {
        const digit = hs.charCodeAt(i) - 48;
        node = digit >= 0 && digit <= 9 ? node.kids[digit] : undefined;
        if (!node) break;
        if (node.negative & flag) negative = true;
        if (node.bits) for (let w = 0; w < words; w++) allowed[w]! |= node.bits[w]!;
      }
      if (negative && negativeLines) negativeLines.push(l);
    }
    if (hasHsRules) for (let w = 0; w < words; w++) candidates[w]! &= allowed[w]!;
  }
  const fired: number[] = [];
  const rules = rs.rules;
  for (let w = 0; w < words; w++) {
    let word = candidates[w]!;
    while (word !== 0) {
      const bit = 31 - Math.clz32(word & -word);
      word &= word - 1;
      const i = (w << 5) + bit;
      if (i < rules.length && rules[i]!.when(ctx)) fired.push(i);
    }
  }
  return fired;
}

/** The decision: which rules fired and which lines are on the negative list decide it all. */
export function decide(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): Decision {
  const negativeLines: number[] = [];
  const ctx = contextOf(d, credit);
  const fired = evaluate(rs, d, credit, negativeLines, ctx);
  return assembleDecision(rs, d, credit, fired, negativeLines, ctx.docTypes);
}

/**
 * Turns fired rules and negative-list lines into the decision (routes, steps, sampling, lanes,
 * hits, reasons). Split from the evaluation so that other rule engines can be measured against
 * this one on exactly the evaluation (bench/audit.ts).
 */
export function assembleDecision(
  rs: CompiledRuleSet,
  d: AuditDeclaration,
  credit: CreditSnapshot,
  fired: readonly number[],
  negativeLines: readonly number[],
  docTypes: readonly string[] = (d.documents ?? []).map((doc) => doc.type),
  /** Instead of the sampling draw (a prediction before filing has no declaration id to draw with). */
  sampledInstead?: boolean,
): Decision {
  const hits: Hit[] = [];
  // Words for the enterprise: why it was returned, or why it must be inspected.
  const returnReasons: string[] = [];
  const reasons: string[] = [];
  const ruleSteps: { kind: StepKind; bureau: string }[] = [];
  let raisedRate = 0;
  let returned = false;

  for (const index of fired) {
    const rule = rs.rules[index]!;
    let detail = rule.description;
    for (const action of rule.then) {
      if ('requireDocuments' in action) {
        const missing = action.requireDocuments.filter((t) => !docTypes.includes(t));
        if (missing.length) {
          returned = true;
          detail += `; missing required document${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`;
          returnReasons.push(`${rule.id}: missing required document${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        } else detail += `; required documents present: ${action.requireDocuments.join(', ')}`;
      } else if ('inspect' in action) {
        const step = inspectionStep(action.inspect, d);
        ruleSteps.push(step);
        detail += `; ${step.kind} at ${step.bureau}`;
        reasons.push(`${rule.id}: ${step.kind} at ${step.bureau} (${rule.description})`);
      } else if ('disinfect' in action) {
        ruleSteps.push({ kind: 'PORT_DISINFECTION', bureau: d.portBureau });
        detail += `; PORT_DISINFECTION at ${d.portBureau}`;
        reasons.push(`${rule.id}: preventive disinfection at ${d.portBureau}`);
      } else if ('samplingRate' in action) {
        if (action.samplingRate > raisedRate) raisedRate = action.samplingRate;
        detail += `; sampling raised to ${action.samplingRate}`;
      } else {
        returned = true;
        detail += `; returned: ${action.return}`;
        returnReasons.push(`${rule.id}: ${action.return}`);
      }
    }
    hits.push({ ruleId: rule.id, effect: rule.effect, detail });
  }

  const onNegativeList = negativeLines.length > 0;
  const measures = creditMeasures(credit, rs.sampling);
  const outside = !measures.regionalIntegration;
  for (let i = negativeLines.length - 1; i >= 0; i--) {
    const line = negativeLines[i]!;
    reasons.unshift(`line ${line + 1} (HS ${d.lines[line]!.hsCode}) is on the ${d.direction.toLowerCase()} negative list`);
  }
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
  const drawn = sampledInstead !== undefined && samplingRate > 0 && samplingRate < 1;
  const sampled = mandatory || (drawn ? sampledInstead : isSampled(d.id, rs.version, samplingRate));
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
