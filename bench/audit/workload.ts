/**
 * The audit benchmark's workload, generated from a fixed seed so every engine process sees the
 * same data: 2,000 + 2,000 negative-list prefixes, at least 200 rules using every condition kind,
 * and 100,000 declarations of 1 to 20 lines with a credit snapshot each.
 */
import type { AuditDeclaration } from '../../shared/domain/rules/engine.js';
import type { CreditSnapshot } from '../../shared/domain/rules/measures.js';
import type { Action, Condition, LineCondition, RuleSetInput } from '../../shared/schemas/ruleset.js';
import { bureauCodes, region } from '../../shared/region.js';

export const SEED = 20261121;

/** mulberry32: small, fast, seedable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const some = <T>(list: readonly T[], n: number): T[] => Array.from({ length: n }, () => pick(list));
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join('');
  return { next, int, pick, some, digits };
}

const COUNTRIES = ['CN', 'KZ', 'RU', 'MN', 'UZ', 'KG', 'TJ', 'PK', 'IR', 'TR', 'DE', 'PL', 'BY', 'NL', 'FR', 'IT', 'US', 'JP', 'KR', 'VN'];
const UNITS = ['KG', 'PCS', 'SET', 'L', 'M', 'T'];
const DOC_TYPES = [
  'INVOICE',
  'PACKING_LIST',
  'CONTRACT',
  'ORIGIN_CERT',
  'HEALTH_CERTIFICATE',
  'ENTRY_QUARANTINE_PERMIT',
  'PRODUCER_RECORD',
  'DANGEROUS_GOODS_PACKAGING_CERT',
];
const TRANSPORTS = ['SEA', 'AIR', 'RAIL', 'ROAD'] as const;
const LEVELS = ['AA', 'A', 'B', 'C', 'D'] as const;
/** HS chapters the workload's lines and rules draw from (so rules and lines meet often enough). */
const CHAPTERS = Array.from({ length: 97 }, (_, i) => String(i + 1).padStart(2, '0'));

export type Workload = { ruleSet: RuleSetInput; declarations: AuditDeclaration[]; credits: CreditSnapshot[] };

/** An HS prefix of 4 to 8 digits (chapter, heading, subheading...), as negative lists and rules use. */
function hsPrefix(r: ReturnType<typeof rng>): string {
  return r.pick(CHAPTERS) + r.digits(r.int(2, 6));
}

/** A selective line test (true for a few percent of lines). */
function lineCondition(r: ReturnType<typeof rng>, depth = 0): LineCondition {
  const kind = depth > 0 ? r.int(0, 3) : r.int(0, 5);
  switch (kind) {
    case 0:
      return {
        field: 'hsCode',
        op: 'startsWith',
        value: Array.from({ length: r.int(1, 30) }, () => r.pick(CHAPTERS) + r.digits(r.int(2, 4))),
      };
    case 1:
      return { field: 'valueUsd', op: r.pick(['gt', 'gte'] as const), value: r.int(230_000, 249_000) };
    case 2:
      return {
        all: [
          { field: 'quantity', op: r.pick(['lt', 'lte'] as const), value: r.int(2, 60) },
          { field: 'unit', op: 'eq', value: r.pick(UNITS) },
        ],
      };
    case 3:
      return {
        all: [
          { field: 'originCountry', op: 'in', value: r.some(COUNTRIES, r.int(1, 2)) },
          { field: 'unit', op: 'ne', value: r.pick(UNITS) },
          { not: { field: 'valueUsd', op: 'lt', value: 100_000 } },
        ],
      };
    case 4:
      return { any: [lineCondition(r, depth + 1), lineCondition(r, depth + 1)] };
    default:
      return { all: [lineCondition(r, depth + 1), { not: lineCondition(r, depth + 1) }] };
  }
}

/** A selective declaration test (true for roughly 2-20% of declarations). */
function specific(r: ReturnType<typeof rng>): Condition {
  switch (r.int(0, 9)) {
    case 0:
      return {
        field: r.pick(['declaredAt', 'portBureau', 'inspectionBureau', 'releaseBureau'] as const),
        op: 'in',
        value: r.some(bureauCodes, r.int(1, 2)),
      };
    case 1:
      return { field: r.pick(['originCountry', 'destinationCountry'] as const), op: 'in', value: r.some(COUNTRIES, r.int(1, 3)) };
    case 2:
      return { field: 'creditLevel', op: 'eq', value: r.pick(LEVELS) };
    case 3:
      return { field: 'totalValueUsd', op: r.pick(['gt', 'gte'] as const), value: r.int(15, 30) * 100_000 };
    case 4:
      return { field: r.pick(['lineCount', 'containerCount'] as const), op: 'gte', value: r.pick([4, 18, 19]) };
    case 5:
      return { field: 'enterpriseId', op: 'startsWith', value: r.pick(['9144', ['9131', '9132'], '911']) };
    case 6:
      return { anyLine: lineCondition(r) };
    case 7:
      return { any: [specific(r), specific(r)] };
    case 8:
      return { all: [{ missingDocument: r.pick(DOC_TYPES) }, { field: 'transport', op: 'in', value: r.some(TRANSPORTS, 1) }] };
    default:
      return { field: 'destinationCountry', op: 'eq', value: r.pick(COUNTRIES) };
  }
}

/** A loose test (true most of the time): ne, nin, not, lt/lte. */
function loose(r: ReturnType<typeof rng>): Condition {
  switch (r.int(0, 4)) {
    case 0:
      return { field: 'transport', op: 'ne', value: r.pick(TRANSPORTS) };
    case 1:
      return { field: 'originCountry', op: 'nin', value: r.some(COUNTRIES, 2) };
    case 2:
      return { not: { field: 'creditLevel', op: 'eq', value: 'D' } };
    case 3:
      return { field: 'lineCount', op: r.pick(['lt', 'lte'] as const), value: 19 };
    default:
      return { field: 'totalValueUsd', op: 'lt', value: 2_000_000 };
  }
}

function gate(r: ReturnType<typeof rng>): Condition {
  const kind = r.int(0, 2);
  if (kind === 0) return { field: 'direction', op: 'eq', value: r.pick(['EXPORT', 'IMPORT']) };
  if (kind === 1) return { field: 'transport', op: 'eq', value: r.pick(TRANSPORTS) };
  return { field: 'creditLevel', op: 'in', value: r.some(LEVELS, 2) };
}

function action(r: ReturnType<typeof rng>): Action {
  const kind = r.int(0, 19);
  if (kind < 8) return { samplingRate: Math.round(r.next() * 50) / 100 };
  if (kind < 12) return { requireDocuments: r.some(DOC_TYPES, 1) };
  if (kind < 16) return { inspect: r.pick(['ORIGIN', 'PORT', 'DESTINATION'] as const) };
  if (kind < 19) return { disinfect: true };
  return { return: 'generated return reason' };
}

export function generateWorkload(declarationCount = 100_000, ruleCount = 240, seed = SEED): Workload {
  const r = rng(seed);
  const rules = Array.from({ length: ruleCount }, (_, i) => ({
    id: `R${String(i).padStart(3, '0')}`,
    description: `generated rule ${i}`,
    // Real rules are selective: a gate (direction, transport or credit) and a specific test.
    when: { all: [gate(r), specific(r), specific(r), ...(r.next() < 0.5 ? [loose(r)] : [])] },
    then: Array.from({ length: r.int(1, 2) }, () => action(r)),
  }));
  const ruleSet: RuleSetInput = {
    description: 'benchmark',
    negativeLists: { export: Array.from({ length: 2000 }, () => hsPrefix(r)), import: Array.from({ length: 2000 }, () => hsPrefix(r)) },
    sampling: { AA: 0.01, A: 0.03, B: 0.1, C: 0.3, D: 1 },
    rules,
  };
  const bureaus = region.bureaus;
  const declarations: AuditDeclaration[] = [];
  const credits: CreditSnapshot[] = [];
  for (let i = 0; i < declarationCount; i++) {
    const port = r.pick(bureaus);
    declarations.push({
      id: `dcl_BENCH${String(i).padStart(21, '0')}`,
      enterpriseId: `91${r.digits(16)}`,
      direction: r.pick(['EXPORT', 'IMPORT'] as const),
      declaredAt: r.pick(bureauCodes),
      portBureau: port.code,
      port: r.pick(port.ports).code,
      inspectionBureau: r.pick(bureauCodes),
      releaseBureau: r.pick(bureauCodes),
      transport: r.pick(TRANSPORTS),
      originCountry: r.pick(COUNTRIES),
      destinationCountry: r.pick(COUNTRIES),
      containers: Array.from({ length: r.int(0, 4) }, (_, j) => `BNCU${String(i * 10 + j).padStart(7, '0')}`),
      lines: Array.from({ length: r.int(1, 20) }, () => ({
        hsCode: r.pick(CHAPTERS) + r.digits(8),
        description: 'goods',
        quantity: r.int(1, 10_000),
        unit: r.pick(UNITS),
        valueUsd: r.int(1, 250_000),
        ...(r.next() < 0.5 ? { originCountry: r.pick(COUNTRIES) } : {}),
      })),
      documents: r.some(DOC_TYPES, r.int(0, 5)).map((type, j) => ({ type, number: `D${j}` })),
    });
    credits.push({ level: r.pick(LEVELS), blacklisted: r.next() < 0.01 });
  }
  return { ruleSet, declarations, credits };
}
