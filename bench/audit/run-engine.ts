/**
 * One engine, one process (so no engine's JIT or GC state touches another's): decides the first
 * COUNT declarations of the seeded workload 5 times after a warm-up and prints one JSON line with
 * decisions/s (median of the 5), p50/p99 µs per declaration and hashes of the decisions.
 * Usage: run-engine.ts <engine> <count> [hash-prefix-counts,...] [standard|independent]
 * Engines: clearway, hand-written, json-logic-engine, zen, json-rules-engine.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { assembleDecision, compileRuleSet, decide } from '../../shared/domain/rules/engine.js';
import type { Decision } from '../../shared/domain/declaration.js';
import { generateWorkload } from './workload.js';
import { generateIndependentWorkload } from './independent-workload.js';
import { handwrittenPeer } from './handwritten.js';
import { jsonLogicPeer, jsonRulesPeer, zenPeer } from './peers.js';

const [engineName = 'clearway', countArg = '100000', hashCountsArg = '', workloadName = 'standard'] = process.argv.slice(2);
const count = Number(countArg);
const hashCounts = [...new Set([count, ...hashCountsArg.split(',').filter(Boolean).map(Number)])].filter((n) => n <= count);

const { ruleSet, declarations, credits } = workloadName === 'independent' ? generateIndependentWorkload(count) : generateWorkload(count);
const compileStarted = performance.now();
const rs = compileRuleSet(ruleSet, 1);
const compileMs = performance.now() - compileStarted;

type DecideFn = (i: number) => Decision | Promise<Decision>;
let decideOne: DecideFn;
let isAsync = false;
if (engineName === 'clearway') {
  decideOne = (i) => decide(rs, declarations[i]!, credits[i]!);
} else {
  const peer =
    engineName === 'hand-written'
      ? handwrittenPeer(ruleSet)
      : engineName === 'json-logic-engine'
        ? await jsonLogicPeer(ruleSet)
        : engineName === 'json-rules-engine'
          ? await jsonRulesPeer(ruleSet)
          : await zenPeer(ruleSet);
  isAsync = engineName === 'zen' || engineName === 'json-rules-engine';
  decideOne = isAsync
    ? async (i) => {
        const { fired, negativeLines } = await peer.evaluate(declarations[i]!, credits[i]!);
        return assembleDecision(rs, declarations[i]!, credits[i]!, fired, negativeLines);
      }
    : (i) => {
        const { fired, negativeLines } = peer.evaluate(declarations[i]!, credits[i]!) as { fired: number[]; negativeLines: number[] };
        return assembleDecision(rs, declarations[i]!, credits[i]!, fired, negativeLines);
      };
}

async function pass(n: number, sink?: (d: Decision, i: number) => void): Promise<number> {
  const t = performance.now();
  if (isAsync)
    for (let i = 0; i < n; i++) {
      const d = await decideOne(i);
      sink?.(d, i);
    }
  else
    for (let i = 0; i < n; i++) {
      const d = decideOne(i) as Decision;
      sink?.(d, i);
    }
  return performance.now() - t;
}

// Decisions for the identity check (a running hash; digests taken at each requested prefix).
const hash = createHash('sha256');
const hashes: Record<string, string> = {};
const lanes = { DOCUMENT_RELEASE: 0, INSPECTION: 0, RETURNED: 0 };
let hitCount = 0;
await pass(count, (d, i) => {
  hash.update(JSON.stringify(d));
  lanes[d.mode]++;
  hitCount += d.hits.length;
  if (hashCounts.includes(i + 1)) hashes[i + 1] = hash.copy().digest('hex');
});
await pass(Math.min(count, 5000)); // warm-up

const runs: number[] = [];
for (let r = 0; r < 5; r++) runs.push((count / (await pass(count))) * 1000);
const median = [...runs].sort((a, b) => a - b)[2]!;

const micros: number[] = [];
for (let i = 0; i < count; i++) {
  const t = performance.now();
  if (isAsync) await decideOne(i);
  else decideOne(i);
  micros.push((performance.now() - t) * 1000);
}
micros.sort((a, b) => a - b);
const pct = (p: number) => micros[Math.min(micros.length - 1, Math.ceil((p / 100) * micros.length) - 1)]!;

console.log(
  JSON.stringify({
    engine: engineName,
    workload: workloadName,
    count,
    compileMs: Number(compileMs.toFixed(1)),
    rules: ruleSet.rules.length,
    prefixes: ruleSet.negativeLists.export.length + ruleSet.negativeLists.import.length,
    decisionsPerSecond: Math.round(median),
    runs: runs.map(Math.round),
    p50us: Number(pct(50).toFixed(2)),
    p99us: Number(pct(99).toFixed(2)),
    hashes,
    lanes,
    hitsPerDecision: Number((hitCount / count).toFixed(2)),
  }),
);
