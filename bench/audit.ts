/**
 * `npm run bench:audit`: Clearway's rule engine against hand-written straight-line code for the
 * same rules (bench/audit/handwritten.ts) and against json-logic-engine, @gorules/zen-engine and
 * json-rules-engine, on two seeded workloads, one process per engine and workload:
 *  - standard: the workload the engine was first measured on (>= 200 rules of every condition
 *    kind, 2,000 + 2,000 negative-list prefixes, declarations of 1-20 lines);
 *  - independent: the shape of issue 8 item 8 (200 rules, most combining an HS prefix with a value
 *    on the SAME line, sums over lines, few plain-field gates, 4,000 negative-list prefixes).
 * Every engine must reach identical decisions (hashes). It prints decisions/s (median of 5 runs
 * after warm-up), p50/p99 µs per declaration, the ratio engine / hand-written (target >= 0.5),
 * the same ratio on seven adversarial 200-rule shapes (bench/audit/shapes.ts) and compile times
 * (bench/audit/compile.ts). The slow peers decide a prefix of each workload
 * (sizes below) so that a run stays in minutes; their decisions are compared with Clearway's on
 * the same prefix. Override sizes with PEER_COUNTS=json-logic-engine:10000,... and
 * CLEARWAY_COUNT; WORKLOADS=independent runs one workload; PEERS=0 skips the three peers.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const COUNTS: Record<string, number> = { 'json-logic-engine': 20_000, '@gorules/zen-engine': 3_000, 'json-rules-engine': 2_000 };
for (const pair of (process.env.PEER_COUNTS ?? '').split(',').filter(Boolean)) {
  const [name, n] = pair.split(':');
  COUNTS[name!] = Number(n);
}
const PEERS = process.env.PEERS !== '0';
const CLEARWAY_COUNT = Number(process.env.CLEARWAY_COUNT ?? 100_000);
const WORKLOADS = (process.env.WORKLOADS ?? 'standard,independent').split(',').filter(Boolean);
const script = path.join(import.meta.dirname, 'audit', 'run-engine.ts');

type Result = {
  engine: string;
  workload: string;
  count: number;
  compileMs: number;
  rules: number;
  prefixes: number;
  decisionsPerSecond: number;
  runs: number[];
  p50us: number;
  p99us: number;
  hashes: Record<string, string>;
  lanes: Record<string, number>;
  hitsPerDecision: number;
};
const run = (engine: string, count: number, workload: string, hashCounts: number[] = []): Result => {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', script, engine === '@gorules/zen-engine' ? 'zen' : engine, String(count), hashCounts.join(','), workload],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return { ...(JSON.parse(out.trim().split('\n').at(-1)!) as Result), engine };
};

console.log(`bench:audit on ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores, one used per engine), Node ${process.version}`);
console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')} (figures taken under load are contention figures)`,
);
let disagree = false;
const ratios: string[] = [];
for (const workload of WORKLOADS) {
  const peerCounts = PEERS ? COUNTS : {};
  const clearway = run('clearway', CLEARWAY_COUNT, workload, Object.values(peerCounts));
  console.log(
    `\n## ${workload} workload: ${clearway.rules} rules, ${clearway.prefixes} negative-list prefixes, ${clearway.count} declarations (1-20 lines); lanes ${JSON.stringify(clearway.lanes)}, ${clearway.hitsPerDecision} hits/decision; compiled in ${clearway.compileMs} ms`,
  );
  const results: (Result & { identical: boolean })[] = [{ ...clearway, identical: true }];
  const hand = run('hand-written', CLEARWAY_COUNT, workload);
  results.push({ ...hand, identical: hand.hashes[CLEARWAY_COUNT] === clearway.hashes[CLEARWAY_COUNT] });
  for (const [engine, count] of Object.entries(peerCounts)) {
    const r = run(engine, count, workload);
    results.push({ ...r, identical: r.hashes[count] === clearway.hashes[count] });
  }
  console.log('\n| engine | declarations | decisions/s (median of 5) | p50 µs | p99 µs | identical decisions | Clearway / engine |');
  console.log('|---|---:|---:|---:|---:|:---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.engine} | ${r.count.toLocaleString('en')} | ${r.decisionsPerSecond.toLocaleString('en')} | ${r.p50us} | ${r.p99us} | ${r.identical ? 'yes' : 'NO'} | ${(clearway.decisionsPerSecond / r.decisionsPerSecond).toFixed(2)} |`,
    );
  }
  const ratio = clearway.decisionsPerSecond / hand.decisionsPerSecond;
  const line = `${workload}: engine / hand-written = ${ratio.toFixed(2)} (target >= 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})`;
  ratios.push(line);
  console.log(`\n${line}`);
  if (results.some((r) => !r.identical)) disagree = true;
}

console.log('\n## 200-rule shapes against hand-written code (bench/audit/shapes.ts, one process, interleaved)\n');
try {
  console.log(
    execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'audit', 'shapes.ts')], { encoding: 'utf8' }).trim(),
  );
} catch (e) {
  console.log(String((e as { stdout?: string }).stdout ?? e));
  disagree = true;
}

console.log('\n## compile time (index build linear in the rule set size)\n');
console.log(
  execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'audit', 'compile.ts')], { encoding: 'utf8' }).trim(),
);
console.log(
  `\n${ratios.join('\n')}\nload average at end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
if (disagree) {
  console.error('engines disagree: see "identical decisions"');
  process.exit(1);
}
