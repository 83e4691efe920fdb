/**
 * The "hand-written straight-line code" baseline of issue 8 item 8: for a given rule set, the code
 * a careful programmer would write by hand, one `if` per rule, with no engine and no index:
 * literals inline, cheap declaration tests before line loops, each `anyLine` a small loop function
 * with `||` chains of `startsWith` (a Set or the domain's PrefixSet for long lists), the total
 * value computed once with the domain's definition, the negative lists as the domain's digit
 * tries (PrefixSet). Since the benchmark's rules come from a seed, a template writes that code
 * (`emitHandwritten`) instead of a person; `source` can be printed to read it.
 * It reports fired rules and negative-list lines like the peers; assembleDecision makes the decision.
 */
import { totalValueUsd } from '../../shared/domain/declaration.js';
import { PrefixSet } from '../../shared/domain/rules/prefix-set.js';
import type { Condition, LineCondition, Operator, RuleSetInput, Scalar } from '../../shared/schemas/ruleset.js';
import type { Peer } from './peers.js';

const lit = (v: Scalar) => JSON.stringify(v);
const INLINE_LIST = 6;

class Emitter {
  readonly constants: unknown[] = [];
  readonly helpers: string[] = [];

  private constant(v: unknown): string {
    this.constants.push(v);
    return `K[${this.constants.length - 1}]`;
  }

  private compare(ref: string, op: Operator, value: Scalar | Scalar[]): string {
    const list = Array.isArray(value) ? value : [value];
    switch (op) {
      case 'eq':
        return `${ref} === ${lit(value as Scalar)}`;
      case 'ne':
        return `${ref} !== ${lit(value as Scalar)}`;
      case 'in':
      case 'nin': {
        const test =
          list.length <= INLINE_LIST
            ? `(${list.map((v) => `${ref} === ${lit(v)}`).join(' || ')})`
            : `${this.constant(new Set(list))}.has(${ref})`;
        return op === 'in' ? test : `!${test}`;
      }
      case 'gt':
        return `${ref} > ${lit(value as number)}`;
      case 'gte':
        return `${ref} >= ${lit(value as number)}`;
      case 'lt':
        return `${ref} < ${lit(value as number)}`;
      case 'lte':
        return `${ref} <= ${lit(value as number)}`;
      case 'startsWith':
        return list.length <= INLINE_LIST * 2
          ? `(typeof ${ref} === 'string' && (${list.map((p) => `${ref}.startsWith(${lit(p)})`).join(' || ')}))`
          : `(typeof ${ref} === 'string' && ${this.constant(new PrefixSet(list as string[]))}.has(${ref}))`;
    }
  }

  line(c: LineCondition): string {
    if ('all' in c) return `(${c.all.map((x) => this.line(x)).join(' && ')})`;
    if ('any' in c) return `(${c.any.map((x) => this.line(x)).join(' || ')})`;
    if ('not' in c) return `!(${this.line(c.not)})`;
    return this.compare(`l.${c.field}`, c.op, c.value);
  }

  private static readonly REF: Record<string, string> = {
    creditLevel: 'credit.level',
    blacklisted: 'credit.blacklisted',
    totalValueUsd: 'total',
    lineCount: 'lines.length',
    containerCount: 'containers',
  };

  /** Line loops go last in a conjunction: a programmer tests the cheap fields first. */
  condition(c: Condition): string {
    const heavy = (x: Condition): boolean =>
      'anyLine' in x || ('all' in x && x.all.some(heavy)) || ('any' in x && x.any.some(heavy)) || ('not' in x && heavy(x.not));
    if ('all' in c) return `(${[...c.all.filter((x) => !heavy(x)), ...c.all.filter(heavy)].map((x) => this.condition(x)).join(' && ')})`;
    if ('any' in c) return `(${[...c.any.filter((x) => !heavy(x)), ...c.any.filter(heavy)].map((x) => this.condition(x)).join(' || ')})`;
    if ('not' in c) return `!${this.condition(c.not)}`;
    if ('anyLine' in c) {
      const name = `someLine${this.helpers.length}`;
      this.helpers.push(
        `function ${name}(lines) {\n  for (let i = 0; i < lines.length; i++) {\n    const l = lines[i];\n    if (${this.line(c.anyLine)}) return true;\n  }\n  return false;\n}`,
      );
      return `${name}(lines)`;
    }
    if ('missingDocument' in c) return `!hasDocument(d, ${lit(c.missingDocument)})`;
    return `(${this.compare(Emitter.REF[c.field] ?? `d.${c.field}`, c.op, c.value)})`;
  }
}

/** The straight-line source for a rule set: `evaluate(d, credit) => {fired, negativeLines}`. */
export function emitHandwritten(rs: RuleSetInput): { source: string; constants: unknown[] } {
  const e = new Emitter();
  // One small function per rule (as a person would write them, and so that V8 optimises each;
  // a single 200-rule function is past what it optimises).
  const ruleFunctions = rs.rules.map(
    (r, i) => `// ${r.id}: ${r.description}\nfunction rule${i}(d, credit, lines, total, containers) {\n  return ${e.condition(r.when)};\n}`,
  );
  const body = rs.rules.map((_, i) => `  if (rule${i}(d, credit, lines, total, containers)) fired.push(${i});`).join('\n');
  const source = `${e.helpers.join('\n')}
${ruleFunctions.join('\n')}
function hasDocument(d, type) {
  const docs = d.documents;
  if (docs) for (let i = 0; i < docs.length; i++) if (docs[i].type === type) return true;
  return false;
}
return function evaluate(d, credit) {
  const lines = d.lines;
  const total = totalValueUsd(d);
  const containers = d.containers ? d.containers.length : 0;
  const fired = [];
${body}
  const list = d.direction === 'EXPORT' ? NEGATIVE_EXPORT : NEGATIVE_IMPORT;
  const negativeLines = [];
  for (let i = 0; i < lines.length; i++) if (list.has(lines[i].hsCode)) negativeLines.push(i);
  return { fired, negativeLines };
};`;
  return { source, constants: e.constants };
}

export function handwrittenPeer(rs: RuleSetInput): Peer {
  const { source, constants } = emitHandwritten(rs);
  const evaluate = new Function('K', 'totalValueUsd', 'NEGATIVE_EXPORT', 'NEGATIVE_IMPORT', source)(
    constants,
    totalValueUsd,
    new PrefixSet(rs.negativeLists.export),
    new PrefixSet(rs.negativeLists.import),
  ) as Peer['evaluate'];
  return { name: 'hand-written', evaluate };
}
