/**
 * `npm run bench:audit`: Clearway's rule engine against json-logic-engine, @gorules/zen-engine and
 * json-rules-engine on the same seeded workload (>= 200 rules of every condition kind, 2,000 +
 * 2,000 negative-list prefixes, 100,000 declarations of 1-20 lines), one process per engine. It
 * checks that every engine reaches identical decisions and prints decisions/s (median of 5 runs
 * after warm-up) and p50/p99 µs per declaration. The slow peers decide a prefix of the workload
 * (sizes below) so that a run stays in minutes; their decisions are compared with Clearway's on
 * the same prefix. Override sizes with PEER_COUNTS=json-logic-engine:10000,... .
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const COUNTS: Record<string, number> = { 'json-logic-engine': 20_000, '@gorules/zen-engine': 3_000, 'json-rules-engine': 2_000 };
for (const pair of (process.env.PEER_COUNTS ?? '').split(',').filter(Boolean)) {
  const [name, n] = pair.split(':');
  COUNTS[name!] = Number(n);
}
const CLEARWAY_COUNT = Number(process.env.CLEARWAY_COUNT ?? 100_000);
const script = path.join(import.meta.dirname, 'audit', 'run-engine.ts');

type Result = {
  engine: string;
  count: number;
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
const run = (engine: string, count: number, hashCounts: number[] = []): Result => {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', script, engine === '@gorules/zen-engine' ? 'zen' : engine, String(count), hashCounts.join(',')],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return { ...(JSON.parse(out.trim().split('\n').at(-1)!) as Result), engine };
};

console.log(`bench:audit on ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores, one used per engine), Node ${process.version}`);
const clearway = run('clearway', CLEARWAY_COUNT, Object.values(COUNTS));
console.log(
  `workload: ${clearway.rules} rules, ${clearway.prefixes} negative-list prefixes, ${clearway.count} declarations (1-20 lines); lanes ${JSON.stringify(clearway.lanes)}, ${clearway.hitsPerDecision} hits/decision`,
);
const results: (Result & { identical: boolean })[] = [{ ...clearway, identical: true }];
for (const [engine, count] of Object.entries(COUNTS)) {
  const r = run(engine, count);
  results.push({ ...r, identical: r.hashes[count] === clearway.hashes[count] });
}

const fastestPeer = Math.max(...results.slice(1).map((r) => r.decisionsPerSecond));
console.log('\n| engine | declarations | decisions/s (median of 5) | p50 µs | p99 µs | identical decisions | vs Clearway |');
console.log('|---|---:|---:|---:|---:|:---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.engine} | ${r.count.toLocaleString('en')} | ${r.decisionsPerSecond.toLocaleString('en')} | ${r.p50us} | ${r.p99us} | ${r.identical ? 'yes' : 'NO'} | ${r.engine === 'clearway' ? '1x' : `${(clearway.decisionsPerSecond / r.decisionsPerSecond).toFixed(0)}x slower`} |`,
  );
}
console.log(
  `\ntargets: >= 200,000 decisions/s with full hits: ${clearway.decisionsPerSecond >= 200_000 ? 'met' : 'NOT met'}; >= 20x the fastest peer: ${clearway.decisionsPerSecond >= 20 * fastestPeer ? 'met' : 'NOT met'} (${(clearway.decisionsPerSecond / fastestPeer).toFixed(1)}x)`,
);
if (results.some((r) => !r.identical)) {
  console.error('engines disagree: see "identical decisions"');
  process.exit(1);
}
