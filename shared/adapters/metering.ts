/**
 * A counting adapter on the SDK clients: every DynamoDB and SQS request a function makes, with
 * the read/write capacity DynamoDB reports for it (ReturnConsumedCapacity=TOTAL), and the
 * function's invocations. Off unless enabled (`CLEARWAY_METER=1`, or `enableMetering()` in tests):
 * then the call-budget tests assert calls per path, and the local runtime writes each function's
 * counts to `$CLEARWAY_METER_DIR/<function>.json` for `npm run bench:pipeline`.
 *
 * State lives on globalThis: in a local function thread the runner (which counts invocations) and
 * the function's bundle are separate module graphs but one realm.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Meter = {
  function: string;
  invocations: number;
  dynamodb: { calls: Record<string, number>; rcu: number; wcu: number; transactItems: number };
  sqs: { calls: Record<string, number>; messages: number };
};

type Stack = { add(mw: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void };
type MeteredClient = { middlewareStack: Stack };

const g = globalThis as { __clearwayMeter?: Meter; __clearwayMeterOn?: boolean };
const fresh = (): Meter => ({
  function: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local',
  invocations: 0,
  dynamodb: { calls: {}, rcu: 0, wcu: 0, transactItems: 0 },
  sqs: { calls: {}, messages: 0 },
});
const state = () => (g.__clearwayMeter ??= fresh());

export const meteringEnabled = () => g.__clearwayMeterOn ?? (g.__clearwayMeterOn = process.env.CLEARWAY_METER === '1');
export function enableMetering(on = true): void {
  g.__clearwayMeterOn = on;
}
export const meterSnapshot = (): Meter => structuredClone(state());
export function resetMeter(): void {
  g.__clearwayMeter = fresh();
}

let flushTimer: NodeJS.Timeout | undefined;
function changed(): void {
  const dir = process.env.CLEARWAY_METER_DIR;
  if (!dir || flushTimer) return;
  flushTimer = setTimeout(() => {
    flushTimer = undefined;
    try {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${state().function}.json`);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(state()));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      /* metering never breaks the function */
    }
  }, 250);
  flushTimer.unref();
}

export function countInvocation(): void {
  if (!meteringEnabled()) return;
  state().invocations++;
  changed();
}

type Capacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

/** Counts one DynamoDB response's capacity (Transact*: one entry per table). */
function addCapacity(consumed: Capacity | Capacity[] | undefined, write: boolean): void {
  for (const c of [consumed ?? []].flat()) {
    const m = state().dynamodb;
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      m.rcu += c.ReadCapacityUnits ?? 0;
      m.wcu += c.WriteCapacityUnits ?? 0;
    } else if (write) m.wcu += c.CapacityUnits ?? 0;
    else m.rcu += c.CapacityUnits ?? 0;
  }
}

const WRITES = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

export function meterDynamo(client: MeteredClient): void {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (!meteringEnabled()) return next(args);
        const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        args.input.ReturnConsumedCapacity ??= 'TOTAL';
        const m = state().dynamodb;
        m.calls[name] = (m.calls[name] ?? 0) + 1;
        if (Array.isArray(args.input.TransactItems)) m.transactItems += args.input.TransactItems.length;
        changed();
        try {
          const result = await next(args);
          addCapacity(result.output.ConsumedCapacity as Capacity, WRITES.test(name));
          return result;
        } catch (error) {
          // A cancelled transaction still consumed capacity; DynamoDB reports it on the error.
          addCapacity((error as { ConsumedCapacity?: Capacity[] }).ConsumedCapacity, WRITES.test(name));
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
          const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const m = state().sqs;
          m.calls[name] = (m.calls[name] ?? 0) + 1;
          m.messages += Array.isArray(args.input.Entries) ? args.input.Entries.length : name === 'SendMessage' ? 1 : 0;
          changed();
        }
        return next(args);
      },
    { step: 'initialize', name: 'clearwayMeter', override: true },
  );
}
