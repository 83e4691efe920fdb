/**
 * The environment one function runs with locally: exactly the variables the template gives it
 * (its manifest, functions/manifests.ts), resolved to the emulators' names and URLs, plus what
 * local mode supplies in place of the cloud (endpoints, dummy credentials, local key material).
 * Nothing else: a variable a function reads but its manifest does not give it is unset locally
 * too, as it would be in the cloud.
 */
import { resolveEnvironment, type Provisioned } from './provision.js';
import type { FunctionModel } from './template.js';

/**
 * Variables of a manifest the operator (or a test) may override from the shell for local runs; the
 * local defaults here apply when the shell does not set them. Only functions whose manifest has
 * the variable get it.
 */
const LOCAL_DEFAULTS: Record<string, string | undefined> = {
  CLEARWAY_STRANDED_AFTER_S: undefined,
  CLEARWAY_WEBHOOK_SCHEDULE: undefined,
  CLEARWAY_PARKED_RETRY_AFTER_S: undefined,
  // Intake admission (shared/app/admission.ts): locally one machine runs intake and every consumer,
  // so intake refuses (503 + Retry-After) while the queues hold more than a second or so of work;
  // the cloud's limits (the manifest's) would let accepted declarations wait past the 1 s bound.
  // In flight: at 3x the rated load, 24 concurrent intake transactions took DynamoDB Local from the
  // consumers (accepted intake p50 1.5 s, release p99 7.7 s); 4 gave 0.3 s and 2.3 s. At the rated
  // load intake needs 1-3 at a time; 8 leaves room for bursts (docs/pipeline.md).
  // Backlog: at the rated load (14/s on 2026-12-02) the work queues hold at most ~8 messages; past it they
  // swing to 60 and more. At 3x, a limit of 60 gave document release p99 2.6 s, 30 gave 1.5-1.8 s,
  // 15 with the congestion signal 0.98-1.3 s (2026-12-03, CPU stolen 0-5 %; README). On 2026-12-04,
  // with the drain discount and the batched reads, 15 refused 2 of 960 at 16/s twice while the
  // machine was 39-48 % busy (momentary peaks, not a queue), where 20 and 25 refused none; at 27/s
  // 15, 20 and 25 held the bound alike, and with 20 a find-max held 23/s (README). It is a floor:
  // the manifest's CLEARWAY_INTAKE_BACKLOG_SECONDS (0.75) lets the backlog hold 0.75 s of the drain
  // the queues are seen to make when that is more (at 50/s, 20 messages are 0.4 s of work; below
  // 26.7/s drained, 20 binds as before).
  CLEARWAY_INTAKE_MAX_BACKLOG: '20',
  CLEARWAY_INTAKE_MAX_IN_FLIGHT: '8',
  // Congestion (the fastest intake write of two quarter seconds in a row over the target, with
  // another in flight): the manifest's 100 ms. Measured from the client: at the rated load a
  // filing is answered in 25-50 ms at the median; at 3x, with eight in flight and without the
  // signal, in 290-380 ms.
  CLEARWAY_INTAKE_WRITE_TARGET_MS: undefined,
};

/**
 * Knobs every function reads with a default and the cloud leaves unset, and local stand-ins for
 * secrets (shared/adapters/secrets.ts); locally the shell may set them for all functions (tests
 * shorten time limits with them, the bench turns metering on).
 */
const LOCAL_KNOBS = [
  'CLEARWAY_LOG_LEVEL',
  'CLEARWAY_SIGNING_KEY',
  'CLEARWAY_STEP_TIME_LIMIT_S',
  'CLEARWAY_WEBHOOK_SECRET_OVERLAP_S',
  'CLEARWAY_DYNAMODB_CONNECTIONS',
  'CLEARWAY_METER',
  'CLEARWAY_METER_DIR',
];

/** Connections to DynamoDB Local per function unless the shell sets CLEARWAY_DYNAMODB_CONNECTIONS. */
export const LOCAL_DYNAMODB_CONNECTIONS = 4;

export function functionEnvironment(
  fn: FunctionModel,
  provisioned: Provisioned,
  options: {
    /** What local mode supplies to every function (emulator endpoints, credentials, key dirs). */
    local: Record<string, string>;
    /** Values the platform was started with (they win over the shell and the defaults). */
    overrides?: Record<string, string | undefined>;
    shell?: NodeJS.ProcessEnv;
  },
): Record<string, string> {
  const shell = options.shell ?? {};
  const env = resolveEnvironment(fn.environment, provisioned);
  for (const [name, localDefault] of Object.entries(LOCAL_DEFAULTS)) {
    if (!(name in env)) continue;
    const value = options.overrides?.[name] || shell[name] || localDefault;
    if (value !== undefined) env[name] = value;
  }
  for (const name of LOCAL_KNOBS) if (shell[name]) env[name] = shell[name];
  // DynamoDB Local serialises writes in one SQLite file and gets slower with more concurrent
  // requests (shared/adapters/aws.ts); with a pool per function, the hot three (intake, audit,
  // notification) at 4 each keep it near its best concurrency.
  env.CLEARWAY_DYNAMODB_CONNECTIONS ??= String(LOCAL_DYNAMODB_CONNECTIONS);
  return {
    ...env,
    ...options.local,
    CLEARWAY_MODE: 'local',
    CLEARWAY_LOG_LEVEL: env.CLEARWAY_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_DEV: 'false',
    // As in Lambda: the function's own name (the metering adapter files its counts under it).
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
  };
}
