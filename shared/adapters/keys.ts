/**
 * The single-table key design. Every item's keys are built here and nowhere else; docs/data-model.md
 * lists the access pattern each one serves.
 *
 * Table: pk, sk (strings). GSI1 (gsi1pk, gsi1sk): listings by owner, newest first.
 * GSI2 (gsi2pk, gsi2sk): sparse "pending work by age" index, sharded so that no partition gets hot
 * at peak; an item is in it only while work on it is pending. TTL attribute: expiresAt.
 */
export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';
export const GSI3 = 'gsi3';

/** How many shards the pending-work index spreads over; a sweep queries each. */
export const PENDING_SHARDS = 8;

/** Deterministic shard of an id (so a re-put of the same item stays in its shard). */
export function shardOf(id: string, shards = PENDING_SHARDS): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(h) % shards;
}

export const keys = {
  principalByKeyHash: (hash: string) => ({ pk: `KEY#${hash}`, sk: 'PRINCIPAL' }),
  enterprise: (code: string) => ({ pk: `ENT#${code}`, sk: 'PROFILE' }),
  creditHistory: (code: string, at: string, seq: number) => ({ pk: `ENT#${code}`, sk: `CREDIT#${at}#${String(seq).padStart(6, '0')}` }),
  creditHistoryPrefix: 'CREDIT#',
  /** Credit objections live in the enterprise's partition; the open one also holds the guard item. */
  creditObjection: (code: string, id: string) => ({ pk: `ENT#${code}`, sk: `OBJECTION#${id}` }),
  creditObjectionPrefix: 'OBJECTION#',
  openCreditObjectionGuard: (code: string) => ({ pk: `ENT#${code}`, sk: 'OPEN_OBJECTION' }),
  /** GSI2 partition of open objections, sorted by `dueBy#creditCode#id` (overdue = before now). */
  openCreditObjections: 'OBJECTIONS_OPEN',
  openCreditObjectionSort: (dueBy: string, code: string, id: string) => `${dueBy}#${code}#${id}`,
  clientRef: (enterprise: string, ref: string) => ({ pk: `ENT#${enterprise}`, sk: `REF#${ref}` }),
  idempotencyKey: (enterprise: string, key: string) => ({ pk: `ENT#${enterprise}`, sk: `IDEM#${key}` }),
  declaration: (id: string) => ({ pk: `DECL#${id}`, sk: 'DECL' }),
  declarationsOfEnterprise: (enterprise: string) => `ENTDECL#${enterprise}`,
  strandedShard: (shard: number) => `STRANDED#${shard}`,
  declarationsOfDay: (day: string, shard: number) => `DECLDAY#${day}#${shard}`,
  ruleSet: (version: number) => ({ pk: `RULESET#${String(version).padStart(8, '0')}`, sk: 'RULESET' }),
  ruleSetPointer: { pk: 'RULESETS', sk: 'ACTIVE' },
  ruleSetSequence: { pk: 'RULESETS', sk: 'SEQUENCE' },
  ruleSetList: 'RULESETS',
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  outboxShard: (shard: number) => `OUTBOX#${shard}`,
  webhook: (enterprise: string) => ({ pk: `ENT#${enterprise}`, sk: 'WEBHOOK' }),
  delivery: (id: string) => ({ pk: `DELIVERY#${id}`, sk: 'DELIVERY' }),
  deliveriesOfEnterprise: (enterprise: string) => `ENTDELIV#${enterprise}`,
  deliveryDueShard: (shard: number) => `WEBHOOK_DUE#${shard}`,
  certificate: (no: string) => ({ pk: `CERT#${no}`, sk: 'CERT' }),
  statsCounter: (dimension: string, bureau: string, day: string, direction: string, shard: number) => ({
    pk: `STATS#${dimension}#${bureau}`,
    sk: `${day}#${direction}#${shard}`,
  }),
};

/** Attributes that exist only for the table's keys, indexes and bookkeeping, never for a reader. */
const STORAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'itemType',
  'redriveCount',
  'leaseUntil',
];

/** An item as the domain knows it: without storage attributes (and without `extra` ones). */
export function withoutStorageAttributes<T>(item: Record<string, unknown>, extra: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.includes(k) && !extra.includes(k)) out[k] = v;
  return out as T;
}

/** Opaque cursors: base64url of the LastEvaluatedKey. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined, allowedKeys: readonly string[]): Record<string, string> | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 || entries.some(([k, v]) => !allowedKeys.includes(k) || typeof v !== 'string' || v.length > 512)) {
      return undefined;
    }
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    return undefined;
  }
}
