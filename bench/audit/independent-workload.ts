/**
 * A second audit workload, shaped like the independent measurement of issue 8 item 8 and NOT like
 * the rules the engine's index was first tuned on: 200 rules, most of them combining an HS prefix
 * with a value, quantity, unit or origin of the SAME line, sums over the lines (totalValueUsd,
 * lineCount) with and without HS tests, few top-level gates (so the plain-field index prunes
 * little), nested all/any/not, and 4,000 negative-list prefixes. Generated from a fixed seed.
 */
import type { AuditDeclaration } from '../../shared/domain/rules/engine.js';
import type { CreditSnapshot } from '../../shared/domain/rules/measures.js';
import type { Action, Condition, LineCondition, RuleSetInput } from '../../shared/schemas/ruleset.js';
import { bureauCodes, region } from '../../shared/region.js';
import { rng, type Workload } from './workload.js';

export const INDEPENDENT_SEED = 8_008;

const COUNTRIES = ['CN', 'KZ', 'RU', 'MN', 'UZ', 'DE', 'PL', 'NL', 'US', 'JP', 'KR', 'VN'];
const UNITS = ['KG', 'PCS', 'SET', 'L', 'T'];
const DOC_TYPES = ['INVOICE', 'PACKING_LIST', 'ORIGIN_CERT', 'HEALTH_CERTIFICATE', 'PHYTOSANITARY_CERTIFICATE'];
const TRANSPORTS = ['SEA', 'AIR', 'RAIL', 'ROAD'] as const;
const LEVELS = ['AA', 'A', 'B', 'C', 'D'] as const;
/** Lines concentrate on these chapters (as real trade does), so HS tests meet lines often. */
const HOT_CHAPTERS = ['02', '03', '08', '10', '39', '44', '61', '62', '72', '84', '85', '87', '90', '94', '95'];
const CHAPTERS = Array.from({ length: 97 }, (_, i) => String(i + 1).padStart(2, '0'));

type R = ReturnType<typeof rng>;
const chapter = (r: R) => (r.next() < 0.7 ? r.pick(HOT_CHAPTERS) : r.pick(CHAPTERS));
/** Rule prefixes: mostly headings (4 digits), some subheadings (6). */
const rulePrefix = (r: R) => chapter(r) + r.digits(r.pick([2, 2, 2, 4]));
const hsStartsWith = (r: R): LineCondition => ({
  field: 'hsCode',
  op: 'startsWith',
  value: Array.from({ length: r.int(1, 10) }, () => rulePrefix(r)),
});

/** A test on the same line as the HS test: value, quantity, unit or origin. */
function lineValue(r: R): LineCondition {
  switch (r.int(0, 5)) {
    case 0:
    case 1:
      return { field: 'valueUsd', op: r.pick(['gt', 'gte'] as const), value: r.int(5, 200) * 1000 };
    case 2:
      return { field: 'quantity', op: r.pick(['gt', 'lte'] as const), value: r.int(10, 5000) };
    case 3:
      return { field: 'unit', op: r.pick(['eq', 'ne'] as const), value: r.pick(UNITS) };
    case 4:
      return { field: 'originCountry', op: 'in', value: r.some(COUNTRIES, r.int(1, 3)) };
    default:
      return { not: { field: 'valueUsd', op: 'lt', value: r.int(1, 50) * 1000 } };
  }
}

/** HS prefix and line values on the same line, the HS test not always first. */
function sameLine(r: R): LineCondition {
  const parts = [hsStartsWith(r), lineValue(r), ...(r.next() < 0.3 ? [lineValue(r)] : [])];
  if (r.next() < 0.4) parts.reverse();
  return { all: parts };
}

function sums(r: R): Condition {
  switch (r.int(0, 2)) {
    case 0:
      return { field: 'totalValueUsd', op: r.pick(['gt', 'gte'] as const), value: r.int(2, 40) * 50_000 };
    case 1:
      return { field: 'lineCount', op: 'gte', value: r.int(3, 15) };
    default:
      return { field: 'totalValueUsd', op: 'lt', value: r.int(1, 20) * 10_000 };
  }
}

function gate(r: R): Condition {
  switch (r.int(0, 2)) {
    case 0:
      return { field: 'direction', op: 'eq', value: r.pick(['EXPORT', 'IMPORT']) };
    case 1:
      return { field: 'transport', op: 'in', value: r.some(TRANSPORTS, 2) };
    default:
      return { field: 'originCountry', op: 'in', value: r.some(COUNTRIES, 3) };
  }
}

function condition(r: R): Condition {
  const k = r.next();
  let when: Condition;
  if (k < 0.4) when = { anyLine: sameLine(r) };
  else if (k < 0.55) when = { all: [sums(r), { anyLine: sameLine(r) }] };
  else if (k < 0.65) when = { anyLine: { any: [sameLine(r), sameLine(r)] } };
  else if (k < 0.73) when = { all: [sums(r), { anyLine: hsStartsWith(r) }] };
  else if (k < 0.83)
    // Line values without an HS test.
    when = { anyLine: { all: [lineValue(r), lineValue(r), { field: 'valueUsd', op: 'gte', value: r.int(240, 249) * 1000 }] } };
  else if (k < 0.92)
    when = {
      all: [
        {
          any: [
            { anyLine: sameLine(r) },
            { all: [{ field: 'totalValueUsd', op: 'gt', value: r.int(25, 40) * 100_000 }, { missingDocument: r.pick(DOC_TYPES) }] },
          ],
        },
        { not: { field: 'creditLevel', op: 'in', value: r.some(LEVELS, 2) } },
      ],
    };
  else when = { not: { any: [{ anyLine: { not: lineValue(r) } }, sums(r), { field: 'containerCount', op: 'lt', value: 1 }] } };
  // A quarter of the rules carry a gate on a plain field; the rest must be evaluated on lines.
  return r.next() < 0.25 ? { all: [gate(r), when] } : when;
}

function action(r: R): Action {
  const kind = r.int(0, 19);
  if (kind < 10) return { samplingRate: Math.round(r.next() * 40) / 100 };
  if (kind < 11) return { requireDocuments: r.some(DOC_TYPES, 1) };
  if (kind < 16) return { inspect: r.pick(['ORIGIN', 'PORT', 'DESTINATION'] as const) };
  if (kind < 19) return { disinfect: true };
  return { return: 'generated return reason' };
}

export function generateIndependentWorkload(declarationCount = 100_000, ruleCount = 200, seed = INDEPENDENT_SEED): Workload {
  const r = rng(seed);
  const rules = Array.from({ length: ruleCount }, (_, i) => ({
    id: `I${String(i).padStart(3, '0')}`,
    description: `independent rule ${i}`,
    when: condition(r),
    then: Array.from({ length: r.int(1, 2) }, () => action(r)),
  }));
  const negativePrefix = () => r.pick(CHAPTERS) + r.digits(r.int(2, 6));
  const ruleSet: RuleSetInput = {
    description: 'independent benchmark',
    negativeLists: { export: Array.from({ length: 2000 }, negativePrefix), import: Array.from({ length: 2000 }, negativePrefix) },
    sampling: { AA: 0.01, A: 0.03, B: 0.1, C: 0.3, D: 1 },
    rules,
  };
  const declarations: AuditDeclaration[] = [];
  const credits: CreditSnapshot[] = [];
  for (let i = 0; i < declarationCount; i++) {
    const port = r.pick(region.bureaus);
    declarations.push({
      id: `dcl_INDEP${String(i).padStart(21, '0')}`,
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
      containers: Array.from({ length: r.int(0, 3) }, (_, j) => `INDU${String(i * 10 + j).padStart(7, '0')}`),
      lines: Array.from({ length: r.int(1, 20) }, () => ({
        hsCode: chapter(r) + r.digits(8),
        description: 'goods',
        quantity: r.int(1, 10_000),
        unit: r.pick(UNITS),
        valueUsd: r.int(1, 250_000),
        ...(r.next() < 0.6 ? { originCountry: r.pick(COUNTRIES) } : {}),
      })),
      documents: r.some(DOC_TYPES, r.int(2, 6)).map((type, j) => ({ type, number: `D${j}` })),
    });
    credits.push({ level: r.pick(LEVELS), blacklisted: r.next() < 0.01 });
  }
  return { ruleSet, declarations, credits };
}
