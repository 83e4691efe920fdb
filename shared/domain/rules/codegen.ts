/**
 * Compiles rule conditions to JavaScript source, the tests of 32 rules per function (`chunk`), so
 * V8 sees straight-line code instead of a tree of closures or a call per rule. Only field names from the schema's fixed lists and
 * JSON-escaped literals reach the source; sets and prefix sets are passed in as constants (`K`).
 *
 * `anyLine` tests become line *atoms*, numbered per rule set: ∃line (A ∨ B) is ∃line A ∨ ∃line B,
 * so an `any` inside `anyLine` splits into several atoms, and identical line conditions share one.
 *  - An atom whose conjunction has `hsCode startsWith [digit prefixes]` is **indexed**: its
 *    prefixes go into the rule set's one HS trie, and the per-line walk (engine.ts) checks the rest
 *    of the conjunction (its residual, same line) only on the lines under one of its prefixes. By
 *    the time a rule is tested, the atom's answer is one array read.
 *  - Any other atom is **scanned**: a generated loop over the lines, run only when a candidate
 *    rule reaches it, remembered for the rest of the decision.
 * A decision's atom answers live in the context's Int32Arrays keyed by a per-decision stamp, so
 * nothing is cleared or allocated per decision.
 */
import {
  DECLARATION_FIELDS,
  LINE_FIELDS,
  type Condition,
  type DeclarationField,
  type LineCondition,
  type Operator,
  type Scalar,
} from '../../schemas/ruleset.js';
import type { AuditContext } from './context.js';
import { HsTrieBuilder, minimalPrefixes } from './hs-trie.js';
import { PrefixSet } from './prefix-set.js';

/** Tests the candidate rules of one bitset word (bit k = rule base + k), appending fired ones. */
export type RuleChunk = (x: AuditContext, word: number, fired: Int32Array, n: number) => number;
/** Source characters of conditions inlined into one chunk function, at most. */
const CHUNK_SOURCE = 12_000;
export type LineTest = (atom: number, line: unknown) => boolean;

export type Atom = {
  /** Digit prefixes (minimal), for an indexed atom. */
  prefixes?: string[];
  /** The rest of an indexed atom's conjunction, tested on the line that reached a prefix. */
  residual?: LineCondition;
};

/** Where each condition field lives in the evaluation context. */
export const FIELD_REF: Record<DeclarationField, string> = {
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

const lit = (v: Scalar) => JSON.stringify(v);

/** The conjuncts of a condition: its `all`, nested `all`s flattened. */
export function conjunctsOf<C extends Condition | LineCondition>(c: C): C[] {
  return 'all' in c ? (c.all as C[]).flatMap((x) => conjunctsOf(x)) : [c];
}
const disjunctsOf = (c: LineCondition): LineCondition[] => ('any' in c ? c.any.flatMap(disjunctsOf) : [c]);

export class Generator {
  readonly constants: unknown[] = [];
  readonly atoms: Atom[] = [];
  private readonly atomByKey = new Map<string, number>();
  private readonly costs = new Map<object, number>();
  /** Whether some condition reads totalValueUsd (else deciding never sums the lines). */
  usesTotalValue = false;
  work = 0;

  private constant(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  private compare(ref: string, op: Operator, value: Scalar | Scalar[]): string {
    this.work += Array.isArray(value) ? value.length + 1 : 1;
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
      default:
        // The schema admits only the operators above; a rule set that reached here by another
        // path must not compile to a test that silently answers undefined (false).
        throw new Error(`unknown operator ${String(op)}`);
    }
  }

  /** Source testing line `l`. */
  line(c: LineCondition): string {
    this.work++;
    if ('all' in c) return `(${c.all.map((x) => this.line(x)).join(' && ')})`;
    if ('any' in c) return `(${c.any.map((x) => this.line(x)).join(' || ')})`;
    if ('not' in c) return `!${this.line(c.not)}`;
    if (!Object.hasOwn(LINE_FIELDS, c.field)) throw new Error(`unknown line field ${c.field}`);
    return this.compare(`l.${c.field}`, c.op, c.value);
  }

  /** The atom numbers of an `anyLine` test (one per disjunct), creating atoms as needed. */
  atomsOf(c: LineCondition): number[] {
    return disjunctsOf(c).map((part) => {
      const key = JSON.stringify(part);
      this.work += 1 + (key.length >>> 4);
      let atom = this.atomByKey.get(key);
      if (atom === undefined) {
        atom = this.atoms.length;
        this.atoms.push(indexedForm(part) ?? {});
        this.atomByKey.set(key, atom);
        this.scanned.set(atom, part);
      }
      return atom;
    });
  }
  /** Line conditions of scanned atoms (indexed ones are tested in the trie walk). */
  private readonly scanned = new Map<number, LineCondition>();

  condition(c: Condition): string {
    this.work++;
    if ('all' in c)
      return `(${this.byCost(c.all)
        .map((x) => this.condition(x))
        .join(' && ')})`;
    if ('any' in c)
      return `(${this.byCost(c.any)
        .map((x) => this.condition(x))
        .join(' || ')})`;
    if ('not' in c) return `!${this.condition(c.not)}`;
    if ('anyLine' in c)
      return `(${this.atomsOf(c.anyLine)
        .map((a) => {
          if (this.atoms[a]!.prefixes) return `(x.atomTrue[${a}] === x.stamp)`;
          return `(x.atomKnown[${a}] === x.stamp ? x.atomTrue[${a}] === x.stamp : ${this.scanner(a)}(x))`;
        })
        .join(' || ')})`;
    if ('missingDocument' in c) return `!x.docTypes.includes(${JSON.stringify(c.missingDocument)})`;
    if (!Object.hasOwn(DECLARATION_FIELDS, c.field)) throw new Error(`unknown field ${c.field}`);
    if (c.field === 'totalValueUsd') this.usesTotalValue = true;
    return this.compare(FIELD_REF[c.field], c.op, c.value);
  }

  private readonly scanners = new Map<number, string>();
  /** A generated loop over the lines for a scanned atom, remembering its answer for the decision. */
  private scanner(atom: number): string {
    let ref = this.scanners.get(atom);
    if (ref === undefined) {
      const test = this.line(this.scanned.get(atom)!);
      const scan = new Function(
        'K',
        `return (x) => { const s = x.stamp; x.atomKnown[${atom}] = s; const lines = x.d.lines;
          for (let i = 0; i < lines.length; i++) { const l = lines[i]; if (${test}) { x.atomTrue[${atom}] = s; return true; } }
          return false; };`,
      )(this.constants);
      ref = this.constant(scan);
      this.scanners.set(atom, ref);
    }
    return ref;
  }

  /**
   * One function answering every indexed atom's residual for a line: a switch on the atom number
   * (one call site, one function for V8 to optimise, instead of a call per atom's own closure).
   */
  residualTest(): LineTest {
    const cases: string[] = [];
    this.atoms.forEach((atom, a) => {
      if (atom.residual) cases.push(`case ${a}: return ${this.line(atom.residual)};`);
    });
    return new Function('K', `return (a, l) => { switch (a) { ${cases.join(' ')} } return true; };`)(this.constants) as LineTest;
  }

  /**
   * Rough evaluation cost, used to test cheap conjuncts/disjuncts first (all/any are pure, so their
   * order does not change the result, only how soon it is known). Memoised per node: linear.
   */
  private cost(c: Condition): number {
    let found = this.costs.get(c);
    if (found !== undefined) return found;
    if ('all' in c) found = c.all.reduce((s, x) => s + this.cost(x), 0);
    else if ('any' in c) found = c.any.reduce((s, x) => s + this.cost(x), 0);
    else if ('not' in c) found = this.cost(c.not);
    else if ('anyLine' in c) found = disjunctsOf(c.anyLine).every((p) => indexedForm(p)) ? 1 : 20;
    else found = 1;
    this.costs.set(c, found);
    return found;
  }
  private byCost(list: Condition[]): Condition[] {
    return list
      .map((c, i) => ({ c, i, cost: this.cost(c) }))
      .sort((a, b) => a.cost - b.cost || a.i - b.i)
      .map((e) => e.c);
  }

  /**
   * The rules of one bitset word (up to 32, numbered from `base`) as one function: each candidate
   * rule's test inline, in rule order, writing the fired ones into `fired` from `n` and returning
   * the new count. Straight-line code with no call per rule (as a person would write it), but
   * past a source budget a rule gets a function of its own, so that no chunk grows beyond what V8
   * optimises.
   */
  chunk(conditions: readonly Condition[], base: number): RuleChunk {
    let inline = 0;
    const tests = conditions.map((c, k) => {
      const source = this.condition(c);
      let test = source;
      if (inline + source.length > CHUNK_SOURCE)
        test = `${this.constant(new Function('K', `return (x) => ${source};`)(this.constants))}(x)`;
      else inline += source.length;
      return `if ((word >>> ${k}) & 1 && ${test}) fired[n++] = ${base + k};`;
    });
    return new Function('K', `return (x, word, fired, n) => {\n${tests.join('\n')}\nreturn n; };`)(this.constants) as RuleChunk;
  }

  /** The trie-ready prefixes of every indexed atom. */
  addAtomsTo(trie: HsTrieBuilder): void {
    this.atoms.forEach((atom, a) => atom.prefixes?.forEach((p) => trie.addAtom(p, a)));
  }

  /**
   * The atoms of which at least one must hold for the condition to hold (all indexed), or
   * undefined when there is no such set: lets the index drop a rule when none of them held.
   */
  lineRequirement(c: Condition): number[] | undefined {
    if ('anyLine' in c) {
      const atoms = this.atomsOf(c.anyLine);
      return atoms.every((a) => this.atoms[a]!.prefixes) ? atoms : undefined;
    }
    if ('all' in c) {
      for (const x of c.all) {
        const found = this.lineRequirement(x);
        if (found) return found;
      }
      return undefined;
    }
    if ('any' in c) {
      const parts: number[] = [];
      for (const x of c.any) {
        const found = this.lineRequirement(x);
        if (!found) return undefined;
        parts.push(...found);
      }
      return [...new Set(parts)];
    }
    return undefined;
  }
}

/**
 * A line conjunction with an `hsCode startsWith` of digit prefixes, as trie prefixes plus the
 * residual (the other conjuncts), or undefined when it has none.
 */
function indexedForm(part: LineCondition): Atom | undefined {
  const conjuncts = conjunctsOf(part);
  const at = conjuncts.findIndex(
    (c) =>
      'field' in c &&
      c.field === 'hsCode' &&
      c.op === 'startsWith' &&
      [c.value].flat().every((p) => typeof p === 'string' && HsTrieBuilder.indexable(p)),
  );
  if (at < 0) return undefined;
  const prefixes = minimalPrefixes([(conjuncts[at] as { value: Scalar | Scalar[] }).value].flat() as string[]);
  const rest = conjuncts.filter((_, i) => i !== at);
  return { prefixes, ...(rest.length ? { residual: rest.length === 1 ? rest[0]! : { all: rest } } : {}) };
}
