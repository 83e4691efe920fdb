/**
 * The audit engine of the virtual audit center (contract section 6). Pure code, no AWS:
 *
 *   const compiled = compileRuleSet(ruleSet, version);        // once per version (cached by the store)
 *   const decision = decide(compiled, declaration, credit);    // microseconds per declaration
 *
 * Compiling generates JavaScript source (codegen.ts: built with `new Function` from the schema's
 * field names and JSON-escaped literals only): the rules' tests, 32 rules per function, and the
 * index's pruning as straight-line code. The index is built in time linear in the rule set's size:
 *  - per plain field tested with eq/in at the top of a rule: value → the rules that allow it;
 *  - per numeric field tested with gt/gte/lt/lte at the top of a rule: the range it allows;
 *  - one digit trie (hs-trie.ts) holding the negative lists' prefixes and every `anyLine` HS
 *    prefix of every rule, nested or not, with what else the rule asks of the SAME line.
 * Deciding walks each line's HS code through the trie once (that answers the negative lists and
 * every same-line HS test), ANDs the index's bitsets and runs only the rules that can still hold,
 * in scratch buffers owned by the compiled set: nothing is allocated but the decision itself.
 * Deterministic: the same declaration, credit snapshot and version always give the same decision.
 */
import type { Action, Condition, DeclarationField, RuleSetInput, Scalar } from '../../schemas/ruleset.js';
import type { CreditLevel } from '../../schemas/common.js';
import { totalValueUsd, type Decision, type Hit, type Route, type StepKind } from '../declaration.js';
import { FIELD_REF, Generator, conjunctsOf, type LineTest, type RuleChunk } from './codegen.js';
import { newContext, type AuditContext, type AuditDeclaration } from './context.js';
import { HsTrieBuilder, NEGATIVE_FLAG, type HsTrie } from './hs-trie.js';
import { creditMeasures, type CreditMeasures, type CreditSnapshot, type SamplingTable } from './measures.js';
import { isSampled } from './sampling.js';

export type { AuditDeclaration } from './context.js';

type CompiledRule = { id: string; description: string; then: Action[]; effect: string };

export type CompiledRuleSet = {
  version: number;
  sampling: SamplingTable;
  /** Follow-up checks after release per credit level (contract section 15; all 0 when the set has none). */
  postRelease: SamplingTable;
  rules: CompiledRule[];
  /** The rules' generated tests, one function per 32 rules (bitset word). */
  chunks: RuleChunk[];
  index: RuleIndex;
  /** Credit measures per level and blacklisting, computed once (creditMeasures is the one definition). */
  measures: Record<CreditLevel, { listed: CreditMeasures; clear: CreditMeasures }>;
  scratch: Scratch;
};

/** Which rules can hold for a declaration, as bitsets over rule numbers (32 per word). */
export type RuleIndex = {
  words: number;
  fields: FieldIndex[];
  ranges: RangeIndex[];
  prefilter: Prefilter;
  trie: HsTrie | undefined;
  /** Per atom: 1 when the walk must test a residual on the line that reached its prefix. */
  hasResidual: Uint8Array;
  residual: LineTest;
  /** Rules that hold only if one of their indexed atoms holds; the rules needing atom a are atomRuleIds[atomRuleStart[a]..]. */
  lineRequired: Uint32Array;
  atomRuleStart: Int32Array;
  atomRuleIds: Int32Array;
  usesTotalValue: boolean;
  /** Elementary steps the build took: linear in the rule set's size (test/unit/domain/rules). */
  buildWork: number;
};

/**
 * One plain field: the rules that do not test it (`unconstrained`) and, per value, the rules that
 * allow it. Small fields keep a ready bitset per value (unconstrained | allowing); big ones (a
 * long `in` list) keep the list of allowing rules, so the build stays linear in the input.
 */
type FieldIndex = {
  field: DeclarationField;
  unconstrained: Uint32Array;
  dense: Map<unknown, Uint32Array> | undefined;
  sparse: Map<unknown, Int32Array> | undefined;
};
type RangeIndex = { field: DeclarationField; rules: Int32Array; lo: Float64Array; hi: Float64Array; incl: Uint8Array };

type Scratch = {
  context: AuditContext;
  candidates: Uint32Array;
  mask: Uint32Array;
  lineAllowed: Uint32Array;
  fired: Int32Array;
  firedCount: number;
  negative: Int32Array;
  negativeCount: number;
};

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
/** Past this many bitset words per field (values × words), per-value rule lists instead. */
const DENSE_WORDS = 1 << 16;
const LO_INCL = 1;
const HI_INCL = 2;

const setBit = (bits: Uint32Array, i: number) => (bits[i >>> 5]! |= 1 << (i & 31));

/**
 * The index's pruning as generated straight-line code: per indexed field one lookup and one AND
 * per word, per range one comparison with literal bounds. (A loop over the index with a getter
 * per field costs more than all of it.)
 */
function prefilterOf(fields: readonly FieldIndex[], ranges: readonly RangeIndex[], words: number, mask: Uint32Array): Prefilter {
  const constants: unknown[] = [mask];
  const constant = (v: unknown) => `K[${constants.push(v) - 1}]`;
  const and = (bits: string) =>
    words <= 8
      ? Array.from({ length: words }, (_, w) => `c[${w}] &= ${bits}[${w}];`).join(' ')
      : `for (let w = 0; w < ${words}; w++) c[w] &= ${bits}[w];`;
  const lines: string[] = ['let b;'];
  for (const f of fields) {
    const unconstrained = constant(f.unconstrained);
    if (f.dense) lines.push(`b = ${constant(f.dense)}.get(${FIELD_REF[f.field]}) ?? ${unconstrained}; ${and('b')}`);
    else
      lines.push(
        `{ const a = ${constant(f.sparse)}.get(${FIELD_REF[f.field]});`,
        `  if (a === undefined) b = ${unconstrained}; else { b = K[0]; b.set(${unconstrained}); for (let k = 0; k < a.length; k++) b[a[k] >>> 5] |= 1 << (a[k] & 31); }`,
        `  ${and('b')} }`,
      );
  }
  for (const r of ranges) {
    lines.push(`{ const v = ${FIELD_REF[r.field]};`);
    for (let k = 0; k < r.rules.length; k++) {
      const rule = r.rules[k]!;
      const tests: string[] = [];
      if (r.lo[k]! !== -Infinity) tests.push(`v ${r.incl[k]! & LO_INCL ? '>=' : '>'} ${JSON.stringify(r.lo[k])}`);
      if (r.hi[k]! !== Infinity) tests.push(`v ${r.incl[k]! & HI_INCL ? '<=' : '<'} ${JSON.stringify(r.hi[k])}`);
      if (tests.length === 0) continue; // no finite bound: nothing to drop
      lines.push(`  if (!(${tests.join(' && ')})) c[${rule >>> 5}] &= ${~(1 << (rule & 31))};`);
    }
    lines.push('}');
  }
  return new Function('K', `return (x, c) => {\n${lines.join('\n')}\n};`)(constants) as Prefilter;
}
type Prefilter = (x: AuditContext, candidates: Uint32Array) => void;

/** The values a rule allows per field, from its top-level eq/in conjuncts (absent: unconstrained). */
function allowedValues(conjuncts: readonly Condition[], work: { n: number }): Map<DeclarationField, Set<unknown>> {
  const allowed = new Map<DeclarationField, Set<unknown>>();
  for (const c of conjuncts) {
    if (!('field' in c) || !INDEXABLE.includes(c.field) || (c.op !== 'eq' && c.op !== 'in')) continue;
    const values: readonly unknown[] = c.op === 'eq' ? [c.value] : (c.value as Scalar[]);
    work.n += values.length + 1;
    const before = allowed.get(c.field);
    if (!before) allowed.set(c.field, new Set(values));
    else {
      const both = new Set<unknown>();
      for (const v of values) if (before.has(v)) both.add(v);
      allowed.set(c.field, both);
    }
  }
  return allowed;
}

function buildFieldIndex(constraints: Map<DeclarationField, Set<unknown>>[], words: number, work: { n: number }): FieldIndex[] {
  const fields: FieldIndex[] = [];
  for (const field of INDEXABLE) {
    const unconstrained = new Uint32Array(words);
    const byValue = new Map<unknown, number[]>();
    let constrained = false;
    constraints.forEach((c, rule) => {
      const allowed = c.get(field);
      work.n++;
      if (!allowed) return void setBit(unconstrained, rule);
      constrained = true;
      for (const v of allowed) {
        let rules = byValue.get(v);
        if (!rules) byValue.set(v, (rules = []));
        rules.push(rule);
        work.n++;
      }
    });
    if (!constrained) continue;
    const index: FieldIndex = { field, unconstrained, dense: undefined, sparse: undefined };
    if (byValue.size * words <= DENSE_WORDS) {
      index.dense = new Map();
      for (const [v, rules] of byValue) {
        const bits = Uint32Array.from(unconstrained);
        for (const r of rules) setBit(bits, r);
        index.dense.set(v, bits);
        work.n += words + rules.length;
      }
    } else {
      index.sparse = new Map();
      for (const [v, rules] of byValue) {
        index.sparse.set(v, Int32Array.from(rules));
        work.n += rules.length;
      }
    }
    fields.push(index);
  }
  return fields;
}

/** Ranges from top-level gt/gte/lt/lte on numeric fields: a rule out of range is dropped. */
function buildRanges(conjunctLists: readonly Condition[][], work: { n: number }): RangeIndex[] {
  const out: RangeIndex[] = [];
  for (const field of NUMERIC) {
    const rules: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    const incl: number[] = [];
    conjunctLists.forEach((conjuncts, rule) => {
      let l = -Infinity;
      let h = Infinity;
      let flags = LO_INCL | HI_INCL;
      let constrained = false;
      for (const c of conjuncts) {
        work.n++;
        if (!('field' in c) || c.field !== field || typeof c.value !== 'number') continue;
        if (c.op === 'gt' || c.op === 'gte') {
          constrained = true;
          if (c.value > l || (c.value === l && c.op === 'gt')) {
            l = c.value;
            flags = c.op === 'gte' ? flags | LO_INCL : flags & ~LO_INCL;
          }
        } else if (c.op === 'lt' || c.op === 'lte') {
          constrained = true;
          if (c.value < h || (c.value === h && c.op === 'lt')) {
            h = c.value;
            flags = c.op === 'lte' ? flags | HI_INCL : flags & ~HI_INCL;
          }
        }
      }
      if (!constrained) return;
      rules.push(rule);
      lo.push(l);
      hi.push(h);
      incl.push(flags);
    });
    if (rules.length)
      out.push({
        field,
        rules: Int32Array.from(rules),
        lo: Float64Array.from(lo),
        hi: Float64Array.from(hi),
        incl: Uint8Array.from(incl),
      });
  }
  return out;
}

const EFFECT: Record<string, string> = {
  requireDocuments: 'REQUIRE_DOCUMENTS',
  inspect: 'INSPECT',
  disinfect: 'DISINFECT',
  samplingRate: 'RAISE_SAMPLING',
  return: 'RETURN',
};

export function compileRuleSet(input: RuleSetInput, version: number): CompiledRuleSet {
  const work = { n: 0 };
  const generator = new Generator();
  const rules: CompiledRule[] = input.rules.map((r) => ({
    id: r.id,
    description: r.description,
    then: r.then,
    // What a hit says it does is fixed per rule: computed once here, not per decision.
    effect: r.then.map((a) => ('inspect' in a ? `INSPECT_${a.inspect}` : EFFECT[Object.keys(a)[0]!]!)).join('+'),
  }));
  const words = Math.max(1, Math.ceil(rules.length / 32));
  const chunks = Array.from({ length: words }, (_, w) =>
    generator.chunk(
      input.rules.slice(w * 32, w * 32 + 32).map((r) => r.when),
      w * 32,
    ),
  );
  const conjunctLists = input.rules.map((r) => conjunctsOf(r.when));

  const trieBuilder = new HsTrieBuilder();
  for (const p of input.negativeLists.export) trieBuilder.addNegative(p, NEGATIVE_FLAG.EXPORT);
  for (const p of input.negativeLists.import) trieBuilder.addNegative(p, NEGATIVE_FLAG.IMPORT);
  generator.addAtomsTo(trieBuilder);

  // Rules that need one of their indexed atoms: dropped unless the walk found one holding.
  const lineRequired = new Uint32Array(words);
  const atomRules: number[][] = generator.atoms.map(() => []);
  input.rules.forEach((r, rule) => {
    const atoms = generator.lineRequirement(r.when);
    if (!atoms) return;
    setBit(lineRequired, rule);
    for (const a of atoms) atomRules[a]!.push(rule);
  });
  const atomRuleStart = new Int32Array(atomRules.length + 1);
  const atomRuleIds = new Int32Array(atomRules.reduce((s, list) => s + list.length, 0));
  let at = 0;
  atomRules.forEach((list, a) => {
    atomRuleStart[a] = at;
    for (const r of list) atomRuleIds[at++] = r;
  });
  atomRuleStart[atomRules.length] = at;

  const fields = buildFieldIndex(
    conjunctLists.map((c) => allowedValues(c, work)),
    words,
    work,
  );
  const ranges = buildRanges(conjunctLists, work);
  const residual = generator.residualTest();
  const mask = new Uint32Array(words);
  const trie = trieBuilder.empty ? undefined : trieBuilder.build();
  const index: RuleIndex = {
    words,
    fields,
    ranges,
    prefilter: prefilterOf(fields, ranges, words, mask),
    trie,
    hasResidual: Uint8Array.from(generator.atoms, (a) => (a.residual ? 1 : 0)),
    residual,
    lineRequired,
    atomRuleStart,
    atomRuleIds,
    usesTotalValue: generator.usesTotalValue,
    buildWork: work.n + generator.work + trieBuilder.work + rules.length + atomRuleIds.length,
  };
  const sampling = { ...input.sampling };
  const measuresOf = (level: CreditLevel) => ({
    listed: creditMeasures({ level, blacklisted: true }, sampling),
    clear: creditMeasures({ level, blacklisted: false }, sampling),
  });
  return {
    version,
    sampling,
    postRelease: { AA: 0, A: 0, B: 0, C: 0, D: 0, ...input.postRelease },
    rules,
    chunks,
    index,
    measures: { AA: measuresOf('AA'), A: measuresOf('A'), B: measuresOf('B'), C: measuresOf('C'), D: measuresOf('D') },
    scratch: {
      context: newContext(generator.atoms.length),
      candidates: new Uint32Array(words),
      mask,
      lineAllowed: new Uint32Array(words),
      fired: new Int32Array(Math.max(1, rules.length)),
      firedCount: 0,
      negative: new Int32Array(64),
      negativeCount: 0,
    },
  };
}

// ---- deciding ----------------------------------------------------------------------------------

/** Refills the compiled set's context for this declaration. */
function prepare(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): AuditContext {
  const x = rs.scratch.context;
  x.d = d;
  x.credit = credit;
  x.totalValueUsd = rs.index.usesTotalValue ? totalValueUsd(d) : 0;
  const docTypes = x.docTypes;
  docTypes.length = 0;
  const documents = d.documents;
  if (documents) for (let i = 0; i < documents.length; i++) docTypes.push(documents[i]!.type);
  if (++x.stamp === 0x7fffffff) {
    // After 2^31 decisions: forget every stamp rather than let an old one match.
    x.atomTrue.fill(0);
    x.atomKnown.fill(0);
    x.stamp = 1;
  }
  return x;
}

/**
 * Evaluates a declaration into the scratch buffers: `fired` (rule numbers, ascending) and
 * `negative` (line numbers on the declaration's negative list).
 */
function evaluate(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): AuditContext {
  const x = prepare(rs, d, credit);
  const s = rs.scratch;
  const index = rs.index;
  const words = index.words;
  const candidates = s.candidates;
  candidates.fill(0xffffffff);

  index.prefilter(x, candidates);

  s.negativeCount = 0;
  const trie = index.trie;
  if (trie) walkLines(rs, x, trie);

  // Bits past the last rule are never tested: a chunk has a test only for its own rules.
  const fired = s.fired;
  const chunks = rs.chunks;
  let count = 0;
  for (let w = 0; w < words; w++) {
    const word = candidates[w]!;
    if (word !== 0) count = chunks[w]!(x, word, fired, count);
  }
  s.firedCount = count;
  return x;
}

/**
 * One walk of each line's HS code through the trie: records the lines on the direction's
 * negative list, marks the indexed atoms that hold (testing their residual on that same line),
 * and drops from the candidates the rules none of whose required atoms held.
 */
function walkLines(rs: CompiledRuleSet, x: AuditContext, trie: HsTrie): void {
  const s = rs.scratch;
  const index = rs.index;
  const { kids, negative: negativeFlags, atomStart, atomIds } = trie;
  const { hasResidual, residual, atomRuleStart, atomRuleIds } = index;
  const atomTrue = x.atomTrue;
  const stamp = x.stamp;
  const allowed = s.lineAllowed;
  const words = index.words;
  for (let w = 0; w < words; w++) allowed[w] = ~index.lineRequired[w]!;
  const flag = NEGATIVE_FLAG[x.d.direction];
  const lines = x.d.lines;
  if (s.negative.length < lines.length) s.negative = new Int32Array(lines.length); // grows once, to the largest declaration
  const negativeLines = s.negative;
  let negativeCount = 0;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    const hs = line.hsCode;
    let node = 0;
    let onList = false;
    for (let i = 0; i < hs.length; i++) {
      const digit = hs.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      node = kids[node * 10 + digit]!;
      if (node === 0) break;
      if (negativeFlags[node]! & flag) onList = true;
      const end = atomStart[node + 1]!;
      for (let k = atomStart[node]!; k < end; k++) {
        const a = atomIds[k]!;
        if (atomTrue[a] === stamp) continue;
        if (hasResidual[a] === 1 && !residual(a, line)) continue;
        atomTrue[a] = stamp;
        const last = atomRuleStart[a + 1]!;
        for (let r = atomRuleStart[a]!; r < last; r++) setBit(allowed, atomRuleIds[r]!);
      }
    }
    if (onList) negativeLines[negativeCount++] = l;
  }
  s.negativeCount = negativeCount;
  const candidates = s.candidates;
  for (let w = 0; w < words; w++) candidates[w]! &= allowed[w]!;
}

/** Indexes of the rules whose condition holds, in rule order. */
export function firedRules(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): number[] {
  evaluate(rs, d, credit);
  return Array.from(rs.scratch.fired.subarray(0, rs.scratch.firedCount));
}

/** Indexes of the lines of a declaration that are on its direction's negative list. */
export function negativeListLines(rs: CompiledRuleSet, d: Pick<AuditDeclaration, 'direction' | 'lines'>): number[] {
  const trie = rs.index.trie;
  if (!trie) return [];
  // Only direction and lines are read by the walk (no rule runs).
  walkLines(rs, prepare(rs, d as AuditDeclaration, { level: 'A', blacklisted: false }), trie);
  return Array.from(rs.scratch.negative.subarray(0, rs.scratch.negativeCount));
}

/** The decision: which rules fired and which lines are on the negative list decide it all. */
export function decide(rs: CompiledRuleSet, d: AuditDeclaration, credit: CreditSnapshot): Decision {
  const x = evaluate(rs, d, credit);
  const s = rs.scratch;
  return assemble(rs, d, credit, s.fired, s.firedCount, s.negative, s.negativeCount, x.docTypes, undefined);
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
  return assemble(rs, d, credit, fired, fired.length, negativeLines, negativeLines.length, docTypes, sampledInstead);
}

function assemble(
  rs: CompiledRuleSet,
  d: AuditDeclaration,
  credit: CreditSnapshot,
  fired: ArrayLike<number>,
  firedCount: number,
  negativeLines: ArrayLike<number>,
  negativeCount: number,
  docTypes: readonly string[],
  sampledInstead: boolean | undefined,
): Decision {
  const onNegativeList = negativeCount > 0;
  const measures = credit.blacklisted ? rs.measures[credit.level].listed : rs.measures[credit.level].clear;
  const outside = !measures.regionalIntegration;

  // Words for the enterprise: why it must be inspected (credit, negative list, rules, sampling) ...
  const reasons: string[] = [];
  if (credit.blacklisted) reasons.push('the enterprise is blacklisted: every declaration is inspected');
  else if (credit.level === 'D') reasons.push('credit level D: every declaration is inspected');
  for (let i = 0; i < negativeCount; i++) {
    const line = negativeLines[i]!;
    reasons.push(`line ${line + 1} (HS ${d.lines[line]!.hsCode}) is on the ${d.direction.toLowerCase()} negative list`);
  }
  // ... or why it was returned (allocated only when it is).
  let returnReasons: string[] | undefined;
  const hits: Hit[] = [];
  let raisedRate = 0;
  let ruleSteps = false;

  for (let f = 0; f < firedCount; f++) {
    const rule = rs.rules[fired[f]!]!;
    let detail = rule.description;
    const then = rule.then;
    for (let k = 0; k < then.length; k++) {
      const action = then[k]!;
      if ('requireDocuments' in action) {
        let missing: string[] | undefined;
        for (const t of action.requireDocuments) if (!docTypes.includes(t)) (missing ??= []).push(t);
        if (missing) {
          const plural = missing.length > 1 ? 's' : '';
          detail += `; missing required document${plural}: ${missing.join(', ')}`;
          (returnReasons ??= []).push(`${rule.id}: missing required document${plural} ${missing.join(', ')}`);
        } else detail += `; required documents present: ${action.requireDocuments.join(', ')}`;
      } else if ('inspect' in action) {
        ruleSteps = true;
        const { kind, bureau } = inspectionPlace(action.inspect, d);
        detail += `; ${kind} at ${bureau}`;
        reasons.push(`${rule.id}: ${kind} at ${bureau} (${rule.description})`);
      } else if ('disinfect' in action) {
        ruleSteps = true;
        detail += `; PORT_DISINFECTION at ${d.portBureau}`;
        reasons.push(`${rule.id}: preventive disinfection at ${d.portBureau}`);
      } else if ('samplingRate' in action) {
        if (action.samplingRate > raisedRate) raisedRate = action.samplingRate;
        detail += `; sampling raised to ${action.samplingRate}`;
      } else {
        detail += `; returned: ${action.return}`;
        (returnReasons ??= []).push(`${rule.id}: ${action.return}`);
      }
    }
    hits.push({ ruleId: rule.id, effect: rule.effect, detail });
  }
  const returned = returnReasons !== undefined;

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
  // The rules' own steps come after the route's, each once, in rule order.
  if (ruleSteps)
    for (let f = 0; f < firedCount; f++) {
      const then = rs.rules[fired[f]!]!.then;
      for (let k = 0; k < then.length; k++) {
        const action = then[k]!;
        if ('inspect' in action) addStep(steps, inspectionPlace(action.inspect, d));
        else if ('disinfect' in action) addStep(steps, { kind: 'PORT_DISINFECTION', bureau: d.portBureau });
      }
    }

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
    // Without steps or a return nothing above added a reason: `reasons` is the empty list then.
    reasons: mode === 'RETURNED' ? returnReasons! : reasons,
  };
}

function addStep(steps: { kind: StepKind; bureau: string }[], step: { kind: StepKind; bureau: string }): void {
  for (let i = 0; i < steps.length; i++) if (steps[i]!.kind === step.kind && steps[i]!.bureau === step.bureau) return;
  steps.push(step);
}

/**
 * Where an `inspect` action sends the goods. ORIGIN and DESTINATION both mean the inland end of the
 * journey (the declaration's inspectionBureau: origin for exports, destination for imports); PORT
 * means the port bureau (a port check for exports, a port inspection for imports).
 */
function inspectionPlace(place: 'ORIGIN' | 'PORT' | 'DESTINATION', d: AuditDeclaration): { kind: StepKind; bureau: string } {
  if (place === 'PORT') return { kind: d.direction === 'EXPORT' ? 'PORT_VERIFICATION' : 'PORT_INSPECTION', bureau: d.portBureau };
  return { kind: d.direction === 'EXPORT' ? 'ORIGIN_INSPECTION' : 'DESTINATION_INSPECTION', bureau: d.inspectionBureau };
}
