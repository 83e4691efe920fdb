/**
 * Compile time of rule sets (part of `npm run bench:audit`): the two benchmark workloads and the
 * pathological shape of issue 9 item 6 (rules with long `in` lists, 30,000 to 120,000 distinct
 * values: the index build was O(values × rules)). Prints ms (best of 3) and the build's counted
 * work; both should grow linearly with the values.
 */
import { performance } from 'node:perf_hooks';
import { compileRuleSet } from '../../shared/domain/rules/engine.js';
import type { RuleSetInput } from '../../shared/schemas/ruleset.js';
import { generateIndependentWorkload } from './independent-workload.js';
import { generateWorkload } from './workload.js';
import { manyValuesRuleSet } from './many-values.js';

function best(rs: RuleSetInput): { ms: number; work: number } {
  let ms = Infinity;
  let work = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    work = compileRuleSet(rs, 1).index.buildWork;
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, work };
}

const rows: [string, RuleSetInput][] = [
  ['standard workload (240 rules, 4,000 prefixes)', generateWorkload(0).ruleSet],
  ['independent workload (200 rules, 4,000 prefixes)', generateIndependentWorkload(0).ruleSet],
  ...[30_000, 60_000, 120_000].map((v): [string, RuleSetInput] => [
    `${v.toLocaleString('en')} distinct in values (${Math.ceil(v / 60)} rules)`,
    manyValuesRuleSet(v),
  ]),
];
console.log('| rule set | compile ms (best of 3) | counted build work |');
console.log('|---|---:|---:|');
for (const [name, rs] of rows) {
  const { ms, work } = best(rs);
  console.log(`| ${name} | ${ms.toFixed(1)} | ${work.toLocaleString('en')} |`);
}
