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
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

export type Meter = {
  function: string;
  invocations: number;
  /** Wall time of the invocations, summed (what Lambda bills as duration, locally measured). */
  durationMs: number;
  dynamodb: {
    calls: Record<string, number>;
    rcu: number;
    wcu: number;
    transactItems: number;
    /** Index entries the writes put, change or remove (items carrying or updating a gsi*pk key); their units are in `wcu`. */
    indexWrites: number;
  };
  sqs: { calls: Record<string, number>; messages: number };
};

type Stack = { add(mw: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void };
type MeteredClient = { middlewareStack: Stack };

const g = globalThis as {
  __clearwayMeters?: Map<string, Meter>;
  __clearwayMeterOn?: boolean;
  __clearwayMeterScope?: AsyncLocalStorage<Meter>;
  __clearwaySizeProbe?: ItemSizeProbe | null;
};
const fresh = (name: string): Meter => ({
  function: name,
  invocations: 0,
  durationMs: 0,
  dynamodb: { calls: {}, rcu: 0, wcu: 0, transactItems: 0, indexWrites: 0 },
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

/** DynamoDB's size of a value as the document client sends it (native JS; AttributeValue maps too). */
function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'bigint') return Math.ceil(String(v).replace(/^-|\.|e.*$/g, '').length / 2) + 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce<number>((a, x) => a + valueSize(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce<number>((a, x) => a + 1 + valueSize(x), 0);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    // A marshalled AttributeValue ({S: "…"}, {N: "…"}, {M: {…}}, …): size its content.
    if (keys.length === 1 && ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'].includes(keys[0]!)) {
      const inner = o[keys[0]!];
      if (keys[0] === 'N') return valueSize(Number(inner));
      if (keys[0] === 'M') return 3 + itemSize(inner as Record<string, unknown>);
      if (keys[0] === 'L') return 3 + (inner as unknown[]).reduce<number>((a, x) => a + 1 + valueSize(x), 0);
      return valueSize(inner);
    }
    return 3 + itemSize(o) + keys.length;
  }
  return 8;
}

/** An item's size by DynamoDB's rules (attribute names plus values), in bytes. */
export function itemSize(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, v] of Object.entries(item)) if (v !== undefined) bytes += Buffer.byteLength(name) + valueSize(v);
  return bytes;
}

const INDEX_KEY = /\bgsi\d+pk\b/;
type TransactItem = {
  Put?: { Item: Record<string, unknown> };
  Update?: {
    TableName?: string;
    Key?: Record<string, unknown>;
    UpdateExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
  };
  Delete?: unknown;
  ConditionCheck?: unknown;
};

/**
 * The size in bytes of the item at `key` in `table` now (undefined: not there), read without
 * being metered. An update is charged by its item's size (the larger of before and after), which
 * its request does not state: against the emulator the meter reads the item after the
 * transaction commits, while sizing is switched on (`sizeUpdatedItems`).
 */
export type ItemSizeProbe = (table: string, key: Record<string, unknown>) => Promise<number | undefined>;

const SIZE_SWITCH_FILE = 'size-updated-items';
const SIZE_SWITCH_CHECK_MS = 500;
let sizeSwitch = { checkedAt: -Infinity, on: false };

/**
 * Whether updates in transactions are sized by reading their items: in tests by
 * `sizeUpdatedItems(probe)`, locally while `$CLEARWAY_METER_DIR/size-updated-items` exists (the
 * bench creates it for its per-path phases only, after the load: the reads would add load to what
 * the load measures). Checked at most twice a second.
 */
function sizingProbe(): ItemSizeProbe | undefined {
  if (g.__clearwaySizeProbe !== undefined) return g.__clearwaySizeProbe ?? undefined;
  const dir = process.env.CLEARWAY_METER_DIR;
  if (!dir) return undefined;
  const now = performance.now();
  if (now - sizeSwitch.checkedAt > SIZE_SWITCH_CHECK_MS)
    sizeSwitch = { checkedAt: now, on: fs.existsSync(path.join(dir, SIZE_SWITCH_FILE)) };
  return sizeSwitch.on ? emulatorItemSize : undefined;
}

/** Switches sizing on with `probe` (null: off, whatever the switch file says; undefined: back to the file). */
export function sizeUpdatedItems(probe: ItemSizeProbe | null | undefined): void {
  g.__clearwaySizeProbe = probe;
}

/** The path of the switch file that turns sizing on for a meter dir (the bench's side). */
export const sizeSwitchFile = (meterDir: string) => path.join(meterDir, SIZE_SWITCH_FILE);

let probeClient: DynamoDBClient | undefined;
/** Reads an item from the emulator through a client of its own, which carries no meter. */
const emulatorItemSize: ItemSizeProbe = async (table, key) => {
  probeClient ??= new DynamoDBClient({
    endpoint: process.env.CLEARWAY_DYNAMODB_ENDPOINT,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const marshalled = Object.values(key).every((v) => v !== null && typeof v === 'object') ? key : marshall(key);
  const { Item } = await probeClient.send(
    new GetItemCommand({ TableName: table, Key: marshalled as Record<string, AttributeValue>, ConsistentRead: true }),
  );
  return Item ? itemSize(Item) : undefined;
};

/** The 1 KB units each update of a transaction is charged by its item's size now (1 where unknown). */
async function updateUnits(items: TransactItem[], probe: ItemSizeProbe): Promise<Map<number, number>> {
  const units = new Map<number, number>();
  await Promise.all(
    items.map(async (op, i) => {
      if (!op.Update?.TableName || !op.Update.Key) return;
      const bytes = await probe(op.Update.TableName, op.Update.Key).catch(() => undefined);
      if (bytes !== undefined) units.set(i, Math.max(1, Math.ceil(bytes / 1024)));
    }),
  );
  return units;
}

/** Index entries a write touches: a put item's gsi keys; an update that sets or removes one. */
function indexWritesOf(op: TransactItem): number {
  if (op.Put) return Object.keys(op.Put.Item).filter((k) => INDEX_KEY.test(k)).length;
  if (op.Update) {
    const names = Object.values(op.Update.ExpressionAttributeNames ?? {}).join(' ');
    return (op.Update.UpdateExpression?.match(/\bgsi\d+pk\b/g)?.length ?? 0) + (names.match(/\bgsi\d+pk\b/g)?.length ?? 0);
  }
  return 0;
}

/**
 * DynamoDB Local's units for a TransactWriteItems are not what DynamoDB charges (checked here: ten
 * 100-byte puts report 2 WCU, three report 4, a 5 KB and a 100-byte put 12), while DynamoDB charges
 * every item, 2 WCU per KB, a condition check too, and the index entries the items write. Against
 * the emulator the meter therefore models a transaction from its request: puts by their size,
 * updates by their item's size after the commit while sizing is on (`updateUnits`; the size
 * before is not seen, which matters only for an update that shrinks its item) and otherwise at
 * their 1 KB minimum, deletes and checks at 1 KB, plus 2 WCU per index entry written (as DynamoDB
 * Local charges it). In the cloud the reported units are used as they are.
 */
function transactWcu(items: TransactItem[], updates = new Map<number, number>()): number {
  const base = items.reduce((a, op, i) => a + (op.Put ? Math.max(1, Math.ceil(itemSize(op.Put.Item) / 1024)) : (updates.get(i) ?? 1)), 0);
  const index = items.reduce((a, op) => a + indexWritesOf(op), 0);
  return 2 * (base + index);
}
const emulatorMiscounts = () => !!process.env.CLEARWAY_DYNAMODB_ENDPOINT;

export function meterDynamo(client: MeteredClient): void {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (!meteringEnabled()) return next(args);
        const m = state();
        const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        args.input.ReturnConsumedCapacity ??= 'TOTAL';
        m.dynamodb.calls[name] = (m.dynamodb.calls[name] ?? 0) + 1;
        const transact =
          name === 'TransactWriteItems' && Array.isArray(args.input.TransactItems)
            ? (args.input.TransactItems as TransactItem[])
            : undefined;
        if (Array.isArray(args.input.TransactItems)) m.dynamodb.transactItems += args.input.TransactItems.length;
        if (transact) m.dynamodb.indexWrites += transact.reduce((a, op) => a + indexWritesOf(op), 0);
        else if (name === 'PutItem' || name === 'UpdateItem')
          m.dynamodb.indexWrites += indexWritesOf(
            name === 'PutItem' ? { Put: args.input as { Item: Record<string, unknown> } } : { Update: args.input },
          );
        changed(m);
        try {
          const result = await next(args);
          if (transact && emulatorMiscounts()) {
            const probe = sizingProbe();
            // Sized first, then added: `wcu += await …` would read the sum before the await and
            // lose what concurrent transactions added meanwhile.
            const units = transactWcu(transact, probe ? await updateUnits(transact, probe) : undefined);
            m.dynamodb.wcu += units;
            changed(m);
          } else addCapacity(m, result.output.ConsumedCapacity as Capacity, WRITES.test(name));
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
