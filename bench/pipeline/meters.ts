/**
 * Reading the platform's meters (shared/adapters/metering.ts writes one JSON per function to the
 * meter dir): snapshots, the difference between two, and that difference per declaration.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Meter } from '../../shared/adapters/metering.js';

export type Snapshot = Map<string, Meter>;

/** CDK logical ids end in an 8-hex-digit hash: `ApiDeclarations1A2B3C4D` → `ApiDeclarations`. */
export const friendlyName = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');

export function readMeters(dir: string | undefined): Snapshot {
  const out: Snapshot = new Map();
  if (!dir || !fs.existsSync(dir)) return out;
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    try {
      const m = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Meter;
      out.set(friendlyName(m.function), m);
    } catch {
      /* being replaced right now: the next read has it */
    }
  }
  return out;
}

const sub = (a: Record<string, number>, b: Record<string, number> = {}) => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0) !== 0) out[k] = v - (b[k] ?? 0);
  return out;
};

/** What each function did between `before` and `after` (functions that did nothing are left out). */
export function meterDelta(before: Snapshot, after: Snapshot): Snapshot {
  const out: Snapshot = new Map();
  for (const [name, a] of after) {
    const b = before.get(name);
    const d: Meter = {
      function: name,
      invocations: a.invocations - (b?.invocations ?? 0),
      durationMs: (a.durationMs ?? 0) - (b?.durationMs ?? 0),
      dynamodb: {
        calls: sub(a.dynamodb.calls, b?.dynamodb.calls),
        rcu: a.dynamodb.rcu - (b?.dynamodb.rcu ?? 0),
        wcu: a.dynamodb.wcu - (b?.dynamodb.wcu ?? 0),
        transactItems: a.dynamodb.transactItems - (b?.dynamodb.transactItems ?? 0),
        indexWrites: (a.dynamodb.indexWrites ?? 0) - (b?.dynamodb.indexWrites ?? 0),
      },
      sqs: { calls: sub(a.sqs.calls, b?.sqs.calls), messages: a.sqs.messages - (b?.sqs.messages ?? 0) },
    };
    if (d.invocations || Object.keys(d.dynamodb.calls).length || Object.keys(d.sqs.calls).length) out.set(name, d);
  }
  return out;
}

/** Per-declaration budget of one path, from a meter delta over `n` declarations. */
export type Budget = {
  declarations: number;
  /** HTTP API requests the clients made per declaration (intake, steps). */
  apiRequests: number;
  invocations: Record<string, number>;
  durationMs: Record<string, number>;
  dynamodb: { calls: Record<string, number>; totalCalls: number; rcu: number; wcu: number; transactItems: number; indexWrites: number };
  sqs: { calls: Record<string, number>; totalCalls: number; messages: number };
  /** The same, function by function (per declaration). */
  byFunction: Record<string, { invocations: number; dynamodb: Record<string, number>; rcu: number; wcu: number; transactItems: number; sqs: Record<string, number> }>;
};

/** Functions that run on a schedule whatever the load (their cost is per minute, not per declaration). */
export const SCHEDULED = /^Redrive/;
/** Per second per container, not per declaration (intake's backlog sample). */
export const PER_SECOND_SQS = new Set(['GetQueueAttributes']);

export function budgetOf(delta: Snapshot, n: number, apiRequests: number): Budget {
  const per = (v: number) => +(v / n).toFixed(3);
  const b: Budget = {
    declarations: n,
    apiRequests: per(apiRequests),
    invocations: {},
    durationMs: {},
    dynamodb: { calls: {}, totalCalls: 0, rcu: 0, wcu: 0, transactItems: 0, indexWrites: 0 },
    sqs: { calls: {}, totalCalls: 0, messages: 0 },
    byFunction: {},
  };
  const perAll = (r: Record<string, number>, skip?: Set<string>) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !skip?.has(k)).map(([k, v]) => [k, per(v)]));
  for (const [name, m] of delta) {
    if (SCHEDULED.test(name)) continue;
    b.byFunction[name] = {
      invocations: per(m.invocations),
      dynamodb: perAll(m.dynamodb.calls),
      rcu: per(m.dynamodb.rcu),
      wcu: per(m.dynamodb.wcu),
      transactItems: per(m.dynamodb.transactItems),
      sqs: perAll(m.sqs.calls, PER_SECOND_SQS),
    };
    if (m.invocations) {
      b.invocations[name] = per(m.invocations);
      b.durationMs[name] = per(m.durationMs);
    }
    for (const [op, c] of Object.entries(m.dynamodb.calls)) b.dynamodb.calls[op] = (b.dynamodb.calls[op] ?? 0) + c;
    b.dynamodb.rcu += m.dynamodb.rcu;
    b.dynamodb.wcu += m.dynamodb.wcu;
    b.dynamodb.transactItems += m.dynamodb.transactItems;
    b.dynamodb.indexWrites += m.dynamodb.indexWrites ?? 0;
    for (const [op, c] of Object.entries(m.sqs.calls)) if (!PER_SECOND_SQS.has(op)) b.sqs.calls[op] = (b.sqs.calls[op] ?? 0) + c;
    b.sqs.messages += m.sqs.messages;
  }
  b.dynamodb.calls = Object.fromEntries(Object.entries(b.dynamodb.calls).map(([k, v]) => [k, per(v)]));
  b.sqs.calls = Object.fromEntries(Object.entries(b.sqs.calls).map(([k, v]) => [k, per(v)]));
  b.dynamodb.totalCalls = +Object.values(b.dynamodb.calls).reduce((a, c) => a + c, 0).toFixed(3);
  b.sqs.totalCalls = +Object.values(b.sqs.calls).reduce((a, c) => a + c, 0).toFixed(3);
  b.dynamodb.rcu = per(b.dynamodb.rcu);
  b.dynamodb.wcu = per(b.dynamodb.wcu);
  b.dynamodb.transactItems = per(b.dynamodb.transactItems);
  b.dynamodb.indexWrites = per(b.dynamodb.indexWrites);
  b.sqs.messages = per(b.sqs.messages);
  return b;
}
