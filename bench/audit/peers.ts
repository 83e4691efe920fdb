/**
 * The same rules in three other engines, expressed as faithfully as each allows. Each peer decides
 * which rules fire; the negative lists are a linear `startsWithAny` (what a user of these engines
 * would register as a custom operator); Clearway's `assembleDecision` turns both into the decision,
 * so the engines are compared on exactly the evaluation they replace and must agree to the byte.
 */
import type { AuditDeclaration } from '../../shared/domain/rules/engine.js';
import type { CreditSnapshot } from '../../shared/domain/rules/measures.js';
import type { Condition, LineCondition, RuleSetInput, Scalar } from '../../shared/schemas/ruleset.js';

export type Evaluation = { fired: number[]; negativeLines: number[] };
export type Peer = { name: string; evaluate(d: AuditDeclaration, c: CreditSnapshot): Evaluation | Promise<Evaluation> };

const startsWithAny = (s: unknown, list: readonly string[]) => typeof s === 'string' && list.some((p) => s.startsWith(p));

function facts(d: AuditDeclaration, c: CreditSnapshot) {
  let totalValueUsd = 0;
  for (const l of d.lines) totalValueUsd += l.valueUsd;
  return {
    ...d,
    port: d.port ?? null,
    creditLevel: c.level,
    blacklisted: c.blacklisted,
    totalValueUsd,
    lineCount: d.lines.length,
    containerCount: d.containers?.length ?? 0,
    docTypes: (d.documents ?? []).map((x) => x.type),
    lines: d.lines.map((l) => ({ ...l, originCountry: l.originCountry ?? null })),
  };
}

function negativeLinesOf(rs: RuleSetInput, d: AuditDeclaration): number[] {
  const list = d.direction === 'EXPORT' ? rs.negativeLists.export : rs.negativeLists.import;
  const out: number[] = [];
  d.lines.forEach((l, i) => startsWithAny(l.hsCode, list) && out.push(i));
  return out;
}
const asList = (v: Scalar | Scalar[]) => (Array.isArray(v) ? v : [v]);

// ---- json-logic-engine -------------------------------------------------------------------------

export async function jsonLogicPeer(rs: RuleSetInput): Promise<Peer> {
  const { LogicEngine } = await import('json-logic-engine');
  const engine = new LogicEngine();
  engine.addMethod('startsWithAny', ([s, list]: [unknown, string[]]) => startsWithAny(s, list), { deterministic: true });
  const cmp = (field: string, op: string, value: Scalar | Scalar[]): unknown => {
    const v = { var: field };
    switch (op) {
      case 'eq':
        return { '===': [v, value] };
      case 'ne':
        return { '!==': [v, value] };
      case 'in':
        return { in: [v, value] };
      case 'nin':
        return { '!': { in: [v, value] } };
      case 'gt':
        return { '>': [v, value] };
      case 'gte':
        return { '>=': [v, value] };
      case 'lt':
        return { '<': [v, value] };
      case 'lte':
        return { '<=': [v, value] };
      default:
        return { startsWithAny: [v, asList(value)] };
    }
  };
  const line = (c: LineCondition): unknown =>
    'all' in c
      ? { and: c.all.map(line) }
      : 'any' in c
        ? { or: c.any.map(line) }
        : 'not' in c
          ? { '!': line(c.not) }
          : cmp(c.field, c.op, c.value);
  const cond = (c: Condition): unknown =>
    'all' in c
      ? { and: c.all.map(cond) }
      : 'any' in c
        ? { or: c.any.map(cond) }
        : 'not' in c
          ? { '!': cond(c.not) }
          : 'anyLine' in c
            ? { some: [{ var: 'lines' }, line(c.anyLine)] }
            : 'missingDocument' in c
              ? { '!': { in: [c.missingDocument, { var: 'docTypes' }] } }
              : cmp(c.field, c.op, c.value);
  const rules = rs.rules.map((r) => engine.build(cond(r.when)) as (data: unknown) => unknown);
  return {
    name: 'json-logic-engine',
    evaluate(d, c) {
      const data = facts(d, c);
      const fired: number[] = [];
      for (let i = 0; i < rules.length; i++) if (rules[i]!(data)) fired.push(i);
      return { fired, negativeLines: negativeLinesOf(rs, d) };
    },
  };
}

// ---- json-rules-engine -------------------------------------------------------------------------

const OPS: Record<string, string> = {
  eq: 'equal',
  ne: 'notEqual',
  in: 'in',
  nin: 'notIn',
  gt: 'greaterThan',
  gte: 'greaterThanInclusive',
  lt: 'lessThan',
  lte: 'lessThanInclusive',
  startsWith: 'startsWithAny',
};

/** json-rules-engine cannot quantify over an array: a line condition is interpreted by this operator. */
function lineHolds(c: LineCondition, l: Record<string, unknown>): boolean {
  if ('all' in c) return c.all.every((x) => lineHolds(x, l));
  if ('any' in c) return c.any.some((x) => lineHolds(x, l));
  if ('not' in c) return !lineHolds(c.not, l);
  const v = l[c.field];
  switch (c.op) {
    case 'eq':
      return v === c.value;
    case 'ne':
      return v !== c.value;
    case 'in':
      return (c.value as Scalar[]).includes(v as Scalar);
    case 'nin':
      return !(c.value as Scalar[]).includes(v as Scalar);
    case 'gt':
      return typeof v === 'number' && v > (c.value as number);
    case 'gte':
      return typeof v === 'number' && v >= (c.value as number);
    case 'lt':
      return typeof v === 'number' && v < (c.value as number);
    case 'lte':
      return typeof v === 'number' && v <= (c.value as number);
    default:
      return startsWithAny(v, asList(c.value) as string[]);
  }
}

export async function jsonRulesPeer(rs: RuleSetInput): Promise<Peer> {
  const { Engine } = await import('json-rules-engine');
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator('startsWithAny', (fact: unknown, list: string[]) => startsWithAny(fact, list));
  engine.addOperator(
    'anyLine',
    (lines: Record<string, unknown>[], c: LineCondition) => Array.isArray(lines) && lines.some((l) => lineHolds(c, l)),
  );
  const leaf = (c: Condition): unknown => {
    if ('all' in c) return { all: c.all.map(leaf) };
    if ('any' in c) return { any: c.any.map(leaf) };
    if ('not' in c) return { not: leaf(c.not) };
    if ('anyLine' in c) return { fact: 'lines', operator: 'anyLine', value: c.anyLine };
    if ('missingDocument' in c) return { fact: 'docTypes', operator: 'doesNotContain', value: c.missingDocument };
    return { fact: c.field, operator: OPS[c.op], value: c.op === 'startsWith' ? asList(c.value) : c.value };
  };
  rs.rules.forEach((r, i) => {
    const top = leaf(r.when) as Record<string, unknown>;
    const conditions = 'all' in top || 'any' in top || 'not' in top ? top : { all: [top] };
    engine.addRule({ conditions: conditions as never, event: { type: String(i) }, priority: 1 });
  });
  return {
    name: 'json-rules-engine',
    async evaluate(d, c) {
      const { events } = await engine.run(facts(d, c));
      return { fired: events.map((e) => Number(e.type)).sort((a, b) => a - b), negativeLines: negativeLinesOf(rs, d) };
    },
  };
}

// ---- @gorules/zen-engine -----------------------------------------------------------------------

const quote = (v: Scalar) => (typeof v === 'string' ? `'${v}'` : String(v));
const zenList = (v: Scalar | Scalar[]) => `[${asList(v).map(quote).join(', ')}]`;
function zenCmp(ref: string, op: string, value: Scalar | Scalar[]): string {
  switch (op) {
    case 'eq':
      return `${ref} == ${quote(value as Scalar)}`;
    case 'ne':
      return `${ref} != ${quote(value as Scalar)}`;
    case 'in':
      return `${ref} in ${zenList(value)}`;
    case 'nin':
      return `not(${ref} in ${zenList(value)})`;
    case 'gt':
      return `${ref} > ${value}`;
    case 'gte':
      return `${ref} >= ${value}`;
    case 'lt':
      return `${ref} < ${value}`;
    case 'lte':
      return `${ref} <= ${value}`;
    default:
      return `(${asList(value)
        .map((p) => `startsWith(${ref} ?? '', ${quote(p)})`)
        .join(' or ')})`;
  }
}
const zenLine = (c: LineCondition): string =>
  'all' in c
    ? `(${c.all.map(zenLine).join(' and ')})`
    : 'any' in c
      ? `(${c.any.map(zenLine).join(' or ')})`
      : 'not' in c
        ? `not(${zenLine(c.not)})`
        : zenCmp(`#.${c.field}`, c.op, c.value);
const zenCond = (c: Condition): string =>
  'all' in c
    ? `(${c.all.map(zenCond).join(' and ')})`
    : 'any' in c
      ? `(${c.any.map(zenCond).join(' or ')})`
      : 'not' in c
        ? `not(${zenCond(c.not)})`
        : 'anyLine' in c
          ? `some(lines, ${zenLine(c.anyLine)})`
          : 'missingDocument' in c
            ? `not(contains(docTypes, '${c.missingDocument}'))`
            : zenCmp(c.field, c.op, c.value);

export async function zenPeer(rs: RuleSetInput): Promise<Peer> {
  const { ZenEngine } = await import('@gorules/zen-engine');
  const graph = {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'in', position: { x: 0, y: 0 } },
      {
        id: 'rules',
        type: 'expressionNode',
        name: 'rules',
        position: { x: 1, y: 0 },
        content: { expressions: rs.rules.map((r, i) => ({ id: `e${i}`, key: `r${i}`, value: zenCond(r.when) })) },
      },
      { id: 'out', type: 'outputNode', name: 'out', position: { x: 2, y: 0 } },
    ],
    edges: [
      { id: 'a', sourceId: 'in', targetId: 'rules', type: 'edge' },
      { id: 'b', sourceId: 'rules', targetId: 'out', type: 'edge' },
    ],
  };
  const engine = new ZenEngine();
  const decision = engine.createDecision(Buffer.from(JSON.stringify(graph)));
  return {
    name: '@gorules/zen-engine',
    async evaluate(d, c) {
      const { result } = await decision.evaluate(facts(d, c));
      const fired: number[] = [];
      for (let i = 0; i < rs.rules.length; i++) if ((result as Record<string, unknown>)[`r${i}`] === true) fired.push(i);
      return { fired, negativeLines: negativeLinesOf(rs, d) };
    },
  };
}
