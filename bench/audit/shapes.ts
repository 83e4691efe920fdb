/**
 * Part of `npm run bench:audit`: is the engine at least half as fast as hand-written code on ANY
 * rule set of the benchmark's size, not only on the two workloads? Seven 200-rule shapes chosen to
 * deny the engine its index (cheap tests it cannot index, rules that nearly all fire, line scans
 * without HS tests, negated line tests) or to lean on it (gated HS rules, HS-only rules), each
 * decided by the engine and by hand-written straight-line code (handwritten.ts) over the same
 * 10,000 declarations of the independent workload, interleaved in one process so that both see
 * the same machine load; best of 5 passes each. Prints the ratio engine / hand-written per shape
 * and checks that both fire the same rules.
 */
import { performance } from 'node:perf_hooks';
import { assembleDecision, compileRuleSet, decide, firedRules } from '../../shared/domain/rules/engine.js';
import type { Condition, RuleSetInput } from '../../shared/schemas/ruleset.js';
import { handwrittenPeer } from './handwritten.js';
import { generateIndependentWorkload } from './independent-workload.js';
import { rng } from './workload.js';

const N = 10_000;
const { ruleSet: base, declarations, credits } = generateIndependentWorkload(N);
const r = rng(5);
const COUNTRIES = ['CN', 'KZ', 'RU', 'MN', 'UZ', 'DE', 'PL', 'NL', 'US', 'JP', 'KR', 'VN'];
const shape = (when: () => Condition): RuleSetInput => ({
  ...base,
  rules: Array.from({ length: 200 }, (_, i) => ({
    id: `S${i}`,
    description: `shape rule ${i}`,
    when: when(),
    then: [{ samplingRate: 0.2 }],
  })),
});
const shapes: Record<string, RuleSetInput> = {
  'cheap, not indexable (ne, nin, startsWith on enterpriseId)': shape(() => ({
    all: [
      { field: 'transport', op: 'ne', value: r.pick(['SEA', 'AIR']) },
      { field: 'originCountry', op: 'nin', value: r.some(COUNTRIES, 6) },
      { field: 'enterpriseId', op: 'startsWith', value: `91${r.digits(2)}` },
    ],
  })),
  'nearly every rule fires (cheap any)': shape(() => ({
    any: [
      { field: 'transport', op: 'ne', value: r.pick(['SEA', 'AIR']) },
      { field: 'totalValueUsd', op: 'gt', value: 5 },
    ],
  })),
  'line scans without HS (value + unit on one line)': shape(() => ({
    anyLine: {
      all: [
        { field: 'valueUsd', op: 'gt', value: r.int(200, 249) * 1000 },
        { field: 'unit', op: 'eq', value: r.pick(['KG', 'PCS']) },
      ],
    },
  })),
  'negated line tests (not anyLine any[quantity, HS])': shape(() => ({
    not: {
      anyLine: {
        any: [
          { field: 'quantity', op: 'lt', value: r.int(1, 100) },
          { field: 'hsCode', op: 'startsWith', value: r.digits(2) },
        ],
      },
    },
  })),
  'gated HS rules (direction, transport, 2 headings)': shape(() => ({
    all: [
      { field: 'direction', op: 'eq', value: r.pick(['EXPORT', 'IMPORT']) },
      { field: 'transport', op: 'eq', value: r.pick(['SEA', 'AIR', 'RAIL', 'ROAD']) },
      { anyLine: { field: 'hsCode', op: 'startsWith', value: [r.digits(4), r.digits(4)] } },
    ],
  })),
  'HS only (8 headings per rule)': shape(() => ({
    anyLine: { field: 'hsCode', op: 'startsWith', value: Array.from({ length: 8 }, () => r.digits(4)) },
  })),
  'same-line HS + value, no gates': shape(() => ({
    anyLine: {
      all: [
        { field: 'hsCode', op: 'startsWith', value: Array.from({ length: 6 }, () => `${r.pick(['84', '85', '39', '61'])}${r.digits(2)}`) },
        { field: 'valueUsd', op: 'gte', value: r.int(10, 200) * 1000 },
      ],
    },
  })),
};

console.log(
  '| 200-rule shape | hits/decision | engine decisions/s | hand-written decisions/s | engine / hand-written | same rules fired |',
);
console.log('|---|---:|---:|---:|---:|:---:|');
let worst = Infinity;
for (const [name, rs] of Object.entries(shapes)) {
  const compiled = compileRuleSet(rs, 1);
  const hand = handwrittenPeer(rs);
  let hits = 0;
  let same = true;
  for (let i = 0; i < N; i++) {
    const fired = firedRules(compiled, declarations[i]!, credits[i]!);
    const theirs = hand.evaluate(declarations[i]!, credits[i]!) as { fired: number[] };
    hits += fired.length;
    if (fired.join() !== theirs.fired.join()) same = false;
  }
  const passes = {
    engine: () => {
      for (let i = 0; i < N; i++) decide(compiled, declarations[i]!, credits[i]!);
    },
    hand: () => {
      for (let i = 0; i < N; i++) {
        const e = hand.evaluate(declarations[i]!, credits[i]!) as { fired: number[]; negativeLines: number[] };
        assembleDecision(compiled, declarations[i]!, credits[i]!, e.fired, e.negativeLines);
      }
    },
  };
  const best = { engine: 0, hand: 0 };
  for (let round = 0; round < 6; round++)
    for (const k of ['engine', 'hand'] as const) {
      const t = performance.now();
      passes[k]();
      if (round > 0) best[k] = Math.max(best[k], (N / (performance.now() - t)) * 1000);
    }
  const ratio = best.engine / best.hand;
  worst = Math.min(worst, ratio);
  console.log(
    `| ${name} | ${(hits / N).toFixed(1)} | ${Math.round(best.engine).toLocaleString('en')} | ${Math.round(best.hand).toLocaleString('en')} | ${ratio.toFixed(2)} | ${same ? 'yes' : 'NO'} |`,
  );
  if (!same) process.exitCode = 1;
}
console.log(`\nworst shape: engine / hand-written = ${worst.toFixed(2)} (target >= 0.5: ${worst >= 0.5 ? 'met' : 'NOT met'})`);
