/**
 * A counting adapter on the SDK clients: every DynamoDB and SQS request a function makes, with
 * the read/write capacity DynamoDB reports for it (ReturnConsumedCapacity=TOTAL), and the
 * function's invocations and their duration. Off unless enabled (`CLEARWAY_METER=1`, or
 * `enableMetering()` in tests): then the call-budget tests assert calls per path, and the local
 * runtime writes each function's counts to `$CLEARWAY_METER_DIR/<function>.json` for
 * `npm run bench:pipeline` (bench/pipeline/metering.ts reads them).
 *
 * Attribution: locally several functions share one thread (the API functions, or the queue
 * workers), so a call is counted against the function whose invocation is running it
 * (`meteredInvocation`, an AsyncLocalStorage scope the local runtime opens per invocation). Calls
 * outside any invocation (tests calling a handler directly, a Lambda container) count against
 * `$AWS_LAMBDA_FUNCTION_NAME`, or `local`.
 *
 * State lives on globalThis: in a local function thread the runner (which opens the scope) and
 * the function's bundle may be separate module graphs but are one realm.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export type Meter = {
  function: string;
  invocations: number;
  /** Wall time of the invocations, summed (what Lambda bills as duration, locally measured). */
  durationMs: number;
  dynamodb: { calls: Record<string, number>; rcu: number; wcu: number; transactItems: number };
  sqs: { calls: Record<string, number>; messages: number };
};

type Stack = { add(mw: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void };
type MeteredClient = { middlewareStack: Stack };

const g = globalThis as {
  __clearwayMeters?: Map<string, Meter>;
  __clearwayMeterOn?: boolean;
  __clearwayMeterScope?: AsyncLocalStorage<Meter>;
};
const fresh = (name: string): Meter => ({
  function: name,
  invocations: 0,
  durationMs: 0,
  dynamodb: { calls: {}, rcu: 0, wcu: 0, transactItems: 0 },
  sqs: { calls: {}, messages: 0 },
});
const meters = () => (g.__clearwayMeters ??= new Map());
const scope = () => (g.__clearwayMeterScope ??= new AsyncLocalStorage<Meter>());
const meterOf = (name: string): Meter => {
  let m = meters().get(name);
  if (!m) meters().set(name, (m = fresh(name)));
  return m;
};
const defaultName = () => process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
/** The meter of the invocation running now (or the default one). */
const state = () => scope().getStore() ?? meterOf(defaultName());

export const meteringEnabled = () => g.__clearwayMeterOn ?? (g.__clearwayMeterOn = process.env.CLEARWAY_METER === '1');
export function enableMetering(on = true): void {
  g.__clearwayMeterOn = on;
}
/** The counts of the current invocation's function (outside one: the default function's). */
export const meterSnapshot = (): Meter => structuredClone(state());
/** Every function's counts this thread has seen. */
export const allMeters = (): Meter[] => [...meters().values()].map((m) => structuredClone(m));
export function resetMeter(): void {
  meters().clear();
}

let flushTimer: NodeJS.Timeout | undefined;
const dirty = new Set<Meter>();
function changed(m: Meter = state()): void {
  const dir = process.env.CLEARWAY_METER_DIR;
  if (!dir) return;
  dirty.add(m);
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    flushTimer = undefined;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const meter of dirty) {
        const file = path.join(dir, `${meter.function}.json`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(meter));
        fs.renameSync(`${file}.tmp`, file);
      }
      dirty.clear();
    } catch {
      /* metering never breaks the function */
    }
  }, 250);
  flushTimer.unref();
}

/** Counts one invocation of `functionName` and attributes the SDK calls `work` makes to it. */
export function meteredInvocation<T>(functionName: string, work: () => Promise<T>): Promise<T> {
  if (!meteringEnabled()) return work();
  const m = meterOf(functionName);
  m.invocations++;
  changed(m);
  const started = performance.now();
  return scope()
    .run(m, work)
    .finally(() => {
      m.durationMs += performance.now() - started;
      changed(m);
    });
}

/** Counts an invocation of the default function (a caller that opens no scope). */
export function countInvocation(): void {
  if (!meteringEnabled()) return;
  state().invocations++;
  changed();
}

type Capacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

/** Counts one DynamoDB response's capacity (Transact*: one entry per table). */
function addCapacity(m: Meter, consumed: Capacity | Capacity[] | undefined, write: boolean): void {
  for (const c of [consumed ?? []].flat()) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      m.dynamodb.rcu += c.ReadCapacityUnits ?? 0;
      m.dynamodb.wcu += c.WriteCapacityUnits ?? 0;
    } else if (write) m.dynamodb.wcu += c.CapacityUnits ?? 0;
    else m.dynamodb.rcu += c.CapacityUnits ?? 0;
  }
}

const WRITES = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

export function meterDynamo(client: MeteredClient): void {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (!meteringEnabled()) return next(args);
        const m = state();
        const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        args.input.ReturnConsumedCapacity ??= 'TOTAL';
        m.dynamodb.calls[name] = (m.dynamodb.calls[name] ?? 0) + 1;
        if (Array.isArray(args.input.TransactItems)) m.dynamodb.transactItems += args.input.TransactItems.length;
        changed(m);
        try {
          const result = await next(args);
          addCapacity(m, result.output.ConsumedCapacity as Capacity, WRITES.test(name));
          return result;
        } catch (error) {
          // A cancelled transaction still consumed capacity; DynamoDB reports it on the error.
          addCapacity(m, (error as { ConsumedCapacity?: Capacity[] }).ConsumedCapacity, WRITES.test(name));
          throw error;
        }
      },
    { step: 'initialize', name: 'clearwayMeter', override: true },
  );
}

export function meterSqs(client: MeteredClient): void {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (meteringEnabled()) {
          const m = state();
          const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          m.sqs.calls[name] = (m.sqs.calls[name] ?? 0) + 1;
          m.sqs.messages += Array.isArray(args.input.Entries) ? args.input.Entries.length : name === 'SendMessage' ? 1 : 0;
          changed(m);
        }
        return next(args);
      },
    { step: 'initialize', name: 'clearwayMeter', override: true },
  );
}
