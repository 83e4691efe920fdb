/** Command line of `npm run bench:pipeline -- ...` (docs/pipeline.md lists every option). */
import { parseArgs } from 'node:util';

export type Options = {
  rate: number;
  durationS: number;
  batch: number;
  findMax: boolean;
  findMaxStart: number;
  findMaxStep: number;
  findMaxHoldS: number;
  findMaxLimit: number;
  url?: string;
  adminKey: string;
  meterDir?: string;
  perLevel: number;
  officerDelayS: number;
  officerPollS: number;
  failShare: number;
  drainS: number;
  seed: number;
  retryRefused: boolean;
  cost: boolean;
  warmupS: number;
  timeoutS: number;
  progressS: number;
  reportsDir: string;
  label?: string;
};

export const USAGE = `npm run bench:pipeline -- [options]
  --rate R            declarations per second, open loop (default 20)
  --duration S        seconds of load (default 60)
  --batch N           file through POST /declarations/batch, N declarations per request (1..100)
  --find-max          step the rate up, then bisect: the highest rate held --hold seconds with
                      document-release p99 < 1 s, no refusal, no error, everything terminal
      --start R --step R --hold S --max R   (defaults 10, 10, 60, 400)
  --url U             load a running platform instead of starting one (then --admin-key K,
                      default $CLEARWAY_ADMIN_KEY or local-admin-key; --meter-dir D if it meters)
  --per-level N       enterprises registered per credit level AA/A/B/C/D (default 4)
  --officer-delay S   seconds an officer takes before recording a step (default 2)
  --officer-poll S    seconds between an officer's worklist reads (default 0.5; one officer per bureau)
  --fail-share F      share of inspected declarations officers fail (default 0.03)
  --drain S           seconds to wait after the load for everything to be terminal (default 60)
  --retry             honour Retry-After: file a refused declaration again after that long
  --no-cost           skip the per-path cost phases after the load
  --warmup S          seconds of warm-up at 10/s before the measured load (default 5; 0: none)
  --seed N            workload seed (default 1)
  --reports DIR       where the JSON report and SVG chart go (default bench/reports)
  --label NAME        a name for this run in the report`;

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      batch: { type: 'string' },
      'find-max': { type: 'boolean' },
      start: { type: 'string' },
      step: { type: 'string' },
      hold: { type: 'string' },
      max: { type: 'string' },
      url: { type: 'string' },
      'admin-key': { type: 'string' },
      'meter-dir': { type: 'string' },
      'per-level': { type: 'string' },
      'officer-delay': { type: 'string' },
      'officer-poll': { type: 'string' },
      'fail-share': { type: 'string' },
      drain: { type: 'string' },
      seed: { type: 'string' },
      retry: { type: 'boolean' },
      'no-cost': { type: 'boolean' },
      warmup: { type: 'string' },
      timeout: { type: 'string' },
      progress: { type: 'string' },
      reports: { type: 'string' },
      label: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, raw: string | undefined, dflt: number, min: number, max = Infinity) => {
    if (raw === undefined) return dflt;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name} must be a number in ${min}..${max}, got "${raw}"`);
    return v;
  };
  return {
    rate: num('rate', values.rate, 20, 0.1),
    durationS: num('duration', values.duration, 60, 1),
    batch: num('batch', values.batch, 0, 1, 100),
    findMax: !!values['find-max'],
    findMaxStart: num('start', values.start, 10, 1),
    findMaxStep: num('step', values.step, 10, 1),
    findMaxHoldS: num('hold', values.hold, 60, 5),
    findMaxLimit: num('max', values.max, 400, 1),
    url: values.url,
    adminKey: values['admin-key'] ?? process.env.CLEARWAY_ADMIN_KEY ?? 'local-admin-key',
    meterDir: values['meter-dir'],
    perLevel: num('per-level', values['per-level'], 4, 1, 100),
    officerDelayS: num('officer-delay', values['officer-delay'], 2, 0),
    officerPollS: num('officer-poll', values['officer-poll'], 0.5, 0.05, 60),
    failShare: num('fail-share', values['fail-share'], 0.03, 0, 1),
    drainS: num('drain', values.drain, 60, 0),
    seed: num('seed', values.seed, 1, 0),
    retryRefused: !!values.retry,
    cost: !values['no-cost'],
    warmupS: num('warmup', values.warmup, 5, 0),
    timeoutS: num('timeout', values.timeout, 30, 1),
    progressS: num('progress', values.progress, 5, 1),
    reportsDir: values.reports ?? 'bench/reports',
    label: values.label,
  };
}
