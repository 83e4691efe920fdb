/**
 * A reference interpreter of rule conditions, written straight from docs/rules.md and nothing
 * else: no index, no generated code, no trie, no shared helpers but the domain's definition of the
 * total value. The engine's indexed, compiled evaluation must give exactly its answers.
 */
import { totalValueUsd } from '../../../../shared/domain/declaration.js';
import type { AuditDeclaration } from '../../../../shared/domain/rules/engine.js';
import type { CreditSnapshot } from '../../../../shared/domain/rules/measures.js';
import type { Condition, LineCondition, Operator, RuleSetInput, Scalar } from '../../../../shared/schemas/ruleset.js';

function compare(actual: unknown, op: Operator, value: Scalar | Scalar[]): boolean {
  switch (op) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'in':
      return (value as Scalar[]).includes(actual as Scalar);
    case 'nin':
      return !(value as Scalar[]).includes(actual as Scalar);
    case 'gt':
      return (actual as number) > (value as number);
    case 'gte':
      return (actual as number) >= (value as number);
    case 'lt':
      return (actual as number) < (value as number);
    case 'lte':
      return (actual as number) <= (value as number);
    case 'startsWith':
      return typeof actual === 'string' && (Array.isArray(value) ? value : [value]).some((p) => actual.startsWith(p as string));
  }
}

function lineHolds(c: LineCondition, line: AuditDeclaration['lines'][number]): boolean {
  if ('all' in c) return c.all.every((x) => lineHolds(x, line));
  if ('any' in c) return c.any.some((x) => lineHolds(x, line));
  if ('not' in c) return !lineHolds(c.not, line);
  return compare((line as Record<string, unknown>)[c.field], c.op, c.value);
}

function field(d: AuditDeclaration, credit: CreditSnapshot, name: string): unknown {
  switch (name) {
    case 'creditLevel':
      return credit.level;
    case 'blacklisted':
      return credit.blacklisted;
    case 'totalValueUsd':
      return totalValueUsd(d);
    case 'lineCount':
      return d.lines.length;
    case 'containerCount':
      return d.containers?.length ?? 0;
    default:
      return (d as Record<string, unknown>)[name];
  }
}

export function holds(c: Condition, d: AuditDeclaration, credit: CreditSnapshot): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, d, credit));
  if ('any' in c) return c.any.some((x) => holds(x, d, credit));
  if ('not' in c) return !holds(c.not, d, credit);
  if ('anyLine' in c) return d.lines.some((l) => lineHolds(c.anyLine, l));
  if ('missingDocument' in c) return !(d.documents ?? []).some((doc) => doc.type === c.missingDocument);
  return compare(field(d, credit, c.field), c.op, c.value);
}

/** Rules that fire, in rule order, and lines on the declaration's negative list. */
export function referenceEvaluation(rs: RuleSetInput, d: AuditDeclaration, credit: CreditSnapshot) {
  const fired = rs.rules.flatMap((r, i) => (holds(r.when, d, credit) ? [i] : []));
  const list = d.direction === 'EXPORT' ? rs.negativeLists.export : rs.negativeLists.import;
  const negativeLines = d.lines.flatMap((l, i) => (list.some((p) => l.hsCode.startsWith(p)) ? [i] : []));
  return { fired, negativeLines };
}
