/**
 * `npm run bench:pipeline`: the whole path a user sees, measured end to end under open-loop load:
 * POST a realistic mix of declarations, receive the signed webhooks, let officers record the
 * inspections, and report latencies, refusals, errors, backlog and what is left, plus the metered
 * per-declaration budget and cost per million for each path. docs/pipeline.md explains it all.
 */
import { randomUUID } from 'node:crypto';
import { parseOptions, USAGE, type Options } from './args.js';
import { memoryOf } from './cost.js';
import { createOfficers, openTarget, registerEnterprises } from './target.js';
import { queueProbe } from './queues.js';
import { startReceiver } from './receiver.js';
import { runLoad, type Bench, type RunOptions, type RunResult } from './run.js';
import { defaultPhases, runPhases } from './phases.js';
import { machine, printCost, printRun, targetMisses, withCosts, writeReport, type FindMaxStep, type Report } from './report.js';

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`bench:pipeline: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

const runOptions = (o: Partial<RunOptions> & Pick<RunOptions, 'label' | 'rate' | 'durationS'>): RunOptions => ({
  batch: options.batch,
  seed: options.seed,
  officerDelayMs: options.officerDelayS * 1000,
  officerPollMs: options.officerPollS * 1000,
  failShare: options.failShare,
  drainS: options.drainS,
  timeoutMs: options.timeoutS * 1000,
  retryRefused: options.retryRefused,
  progressEveryS: options.progressS,
  ...o,
});

async function findMax(bench: Bench, runs: RunResult[]): Promise<NonNullable<Report['findMax']>> {
  const steps: FindMaxStep[] = [];
  const attempt = async (rate: number) => {
    const r = await runLoad(
      bench,
      runOptions({
        label: `find-max ${rate}/s`,
        rate,
        durationS: options.findMaxHoldS,
        drainS: Math.min(options.drainS, 60),
        seed: options.seed + steps.length + 1,
      }),
    );
    runs.push(r);
    printRun(r);
    const why = targetMisses(r).filter((w) => !w.startsWith('last step')); // the bound here: document release
    steps.push({
      rate,
      pass: why.length === 0,
      why,
      documentReleaseP99: r.postToWebhookMs.documentRelease.p99,
      refused: r.refused.count,
      errors: r.errors.total,
      nonTerminal: r.end.nonTerminal,
      ...(r.cpu ? { cpuStolen: r.cpu.steal } : {}),
    });
    return why.length === 0;
  };
  let pass: number | null = null;
  let fail: number | null = null;
  for (let rate = options.findMaxStart; rate <= options.findMaxLimit; rate += options.findMaxStep) {
    if (await attempt(rate)) pass = rate;
    else {
      fail = rate;
      break;
    }
  }
  // Bisect between the last pass and the first failure, to a quarter of the step.
  const resolution = Math.max(1, options.findMaxStep / 4);
  let low = pass ?? 0;
  let high = fail;
  while (high !== null && high - low > resolution) {
    const mid = Math.round((low + high) / 2);
    if (mid <= low || mid >= high) break;
    if (await attempt(mid)) low = pass = mid;
    else high = mid;
  }
  return { holdS: options.findMaxHoldS, steps, maxSustainedRate: pass };
}

async function main(): Promise<void> {
  const bench: Bench = {
    target: undefined as never,
    receiver: undefined as never,
    enterprises: [],
    officerKeys: new Map(),
    ledgers: [],
    strayWebhooks: 0,
    runId: randomUUID().slice(0, 8),
  };
  const createdAt = new Date().toISOString();
  const startMachine = machine();
  console.log(
    `bench:pipeline on ${startMachine.cores} cores, Node ${startMachine.node}, load average ${startMachine.loadAverageAtStart.join(' ')}`,
  );
  bench.receiver = await startReceiver((event, at) => {
    const ref = (event.data as { clientRef?: string }).clientRef;
    const ledger = ref ? bench.ledgers.find((l) => l.byRef.has(ref)) : undefined;
    if (ledger) ledger.onEvent(event, at);
    else bench.strayWebhooks++;
  });
  const started = Date.now();
  bench.target = await openTarget({ url: options.url, adminKey: options.adminKey, meterDir: options.meterDir, meter: options.cost });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    bench.probe?.close();
    await bench.target.close();
    await bench.receiver.close();
  };
  // Ctrl-C, or a kill from a script or a supervisor: either way the platform it started stops too.
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    console.log(
      options.url
        ? `target ${bench.target.url}`
        : `started the local platform at ${bench.target.url} in ${((Date.now() - started) / 1000).toFixed(1)} s (data ${bench.target.dataDir})`,
    );
    bench.probe = queueProbe(bench.target.dataDir);
    bench.enterprises = await registerEnterprises(bench.target, bench.receiver, options.perLevel);
    bench.officerKeys = await createOfficers(bench.target);
    console.log(
      `registered ${bench.enterprises.length} enterprises (${options.perLevel} per level AA/A/B/C/D) with webhooks, ${bench.officerKeys.size} inspector officers`,
    );
    if (options.warmupS > 0) {
      await runLoad(bench, runOptions({ label: 'warm-up', rate: 10, durationS: options.warmupS, drainS: 20, quiet: true }));
      console.log('warm-up done');
    }
    const runs: RunResult[] = [];
    const report: Report = {
      tool: 'bench:pipeline',
      createdAt,
      machine: startMachine,
      target: options.url
        ? bench.target.url
        : `local (started by the bench${bench.target.meterDir ? ', metered' : ', not metered: as npm start runs it'})`,
      runs,
    };
    if (options.findMax) report.findMax = await findMax(bench, runs);
    else {
      const r = await runLoad(
        bench,
        runOptions({
          label: options.label ?? (options.batch ? `batch ${options.batch}` : 'load'),
          rate: options.rate,
          durationS: options.durationS,
        }),
      );
      runs.push(r);
      printRun(r);
    }
    if (report.findMax)
      console.log(
        `── find-max: highest rate held ${report.findMax.holdS} s with document-release p99 < 1 s and nothing refused, failed or left: ${report.findMax.maxSustainedRate ?? 'none'}${report.findMax.maxSustainedRate ? '/s' : ''} (steps: ${report.findMax.steps.map((s) => `${s.rate}/s ${s.pass ? 'pass' : 'FAIL'} (p99 ${Math.round(s.documentReleaseP99)} ms${s.cpuStolen !== undefined ? `, CPU stolen ${Math.round(s.cpuStolen * 100)} %` : ''})`).join(', ')})`,
      );
    if (options.cost && bench.target.meterDir) {
      const { phases, worklistRead } = await runPhases(bench, bench.target.meterDir, defaultPhases(options.batch), options.seed);
      const memory = memoryOf(bench.target.dataDir);
      const { PRICES, ASSUMPTIONS } = await import('./prices.js');
      report.cost = {
        prices: PRICES,
        assumptions: ASSUMPTIONS,
        memoryMb: Object.fromEntries(memory),
        phases: withCosts(phases, memory),
        worklistRead,
      };
      printCost(report.cost);
    } else if (options.cost)
      console.log(
        '── cost phases skipped: no meter dir (start the target with CLEARWAY_METER=1 CLEARWAY_METER_DIR=… and pass --meter-dir)',
      );
    const files = writeReport(
      report,
      options.reportsDir,
      options.label ?? (options.findMax ? 'find-max' : `rate${options.rate}${options.batch ? `-batch${options.batch}` : ''}`),
    );
    console.log(`report: ${files.json}\nchart:  ${files.svg.join(', ')}`);
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:pipeline failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
