/**
 * The single-table key design. Every item's keys are built here, and every id read back out of a
 * key is parsed here, nowhere else; docs/data-model.md lists the access pattern each one serves.
 *
 * Table: pk, sk (strings). GSI1 (gsi1pk, gsi1sk): listings by owner, newest first.
 * GSI2 (gsi2pk, gsi2sk): sparse "pending work by age" index, sharded so that no partition gets hot
 * at peak; an item is in it only while work on it is pending.
 * GSI3 (gsi3pk, gsi3sk): the region's declarations by day, sharded.
 * GSI4 (gsi4pk, gsi4sk): a bureau's work and involvement: one entry per step owed by the bureau
 * (`WORK#<bureau>#<kind>#PENDING|DONE`, oldest requiredSince / newest recordedAt first) and one per
 * declaration that involves the bureau (`BUREAUDECL#<bureau>`, newest first). Steps and
 * involvements are small items in the declaration's partition (`STEP#<kind>`, `BUREAU#<code>`).
 */
import type { WebhookOwner } from '../domain/events.js';
import { deliveryIdOf, eventIdOfDelivery } from '../domain/webhook.js';

export const GSI1 = 'gsi1';
export const GSI2 = 'gsi2';
export const GSI3 = 'gsi3';
export const GSI4 = 'gsi4';

/** How many shards the pending-work index (GSI2) spreads each kind of work over; a sweep queries each. */
export const PENDING_SHARDS = 8;
/** How many shards a day of declarations (GSI3) spreads over; a region listing queries each. */
export const DAY_SHARDS = 8;
/** How many items each statistics counter is spread over (a random one per write; reads sum them). */
export const STATS_SHARDS = 16;
/** Rule effectiveness counters (contract section 15): partitions per version (random per write) and rule buckets per day. */
export const EFFECTIVENESS_SHARDS = 8;
export const EFFECTIVENESS_RULE_BUCKETS = 16;

/** Deterministic shard of an id (so a re-put of the same item stays in its shard). */
export function shardOf(id: string, shards: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(h) % shards;
}

/** The id after a key's prefix; a key of another kind is a defect, not data. */
function idAfter(prefix: string, key: string): string {
  if (!key.startsWith(prefix)) throw new Error(`key ${key} is not a ${prefix} key`);
  return key.slice(prefix.length);
}

/** Sort key of listings by time (GSI1, GSI3): creation instant, then id for uniqueness. */
const byCreation = (createdAt: string, id: string) => `${createdAt}#${id}`;

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
  /** What an open-objection sort key holds (the index projects keys only: the overdue list reads it). */
  openCreditObjectionOf: (sort: string): { dueBy: string; creditCode: string; id: string } => {
    const parts = sort.split('#');
    if (parts.length !== 3 || parts.some((p) => !p)) throw new Error(`key ${sort} is not an open-objection sort key`);
    const [dueBy, creditCode, id] = parts as [string, string, string];
    return { dueBy, creditCode, id };
  },
  clientRef: (enterprise: string, ref: string) => ({ pk: `ENT#${enterprise}`, sk: `REF#${ref}` }),
  idempotencyKey: (enterprise: string, key: string) => ({ pk: `ENT#${enterprise}`, sk: `IDEM#${key}` }),
  declaration: (id: string) => ({ pk: `DECL#${id}`, sk: 'DECL' }),
  declarationIdOf: (pk: string) => idAfter('DECL#', pk),
  /** The i-th chunk of a declaration's lines, beside its header (sorted by i). */
  declarationLines: (id: string, chunk: number) => ({ pk: `DECL#${id}`, sk: `LINES#${String(chunk).padStart(4, '0')}` }),
  declarationLinesPrefix: 'LINES#',
  /** Earlier revisions of an amended declaration (contract section 13), gzipped, in parts of <= 300 KB. */
  declarationRevisionPart: (id: string, revision: number, part: number) => ({
    pk: `DECLREV#${id}`,
    sk: `REV#${String(revision).padStart(6, '0')}#${String(part).padStart(3, '0')}`,
  }),
  declarationRevisions: (id: string) => `DECLREV#${id}`,
  declarationsOfEnterprise: (enterprise: string) => `ENTDECL#${enterprise}`,
  strandedShard: (shard: number) => `STRANDED#${shard}`,
  /** Where a declaration waits in the pending index while it is not audited yet. */
  stranded: (id: string) => `STRANDED#${shardOf(id, PENDING_SHARDS)}`,
  /** GSI2 partition of the parked declarations (audit failed too often), sorted by `parkedAt#id`. */
  parked: 'PARKED',
  parkedSort: (parkedAt: string, id: string) => `${parkedAt}#${id}`,
  declarationsOfDay: (day: string, shard: number) => `DECLDAY#${day}#${shard}`,
  /** A declaration's entry in its day's listing (GSI3). */
  dayListing: (createdAt: string, id: string) => ({
    gsi3pk: `DECLDAY#${createdAt.slice(0, 10)}#${shardOf(id, DAY_SHARDS)}`,
    gsi3sk: byCreation(createdAt, id),
  }),
  /** An item's entry in its owner's listing (GSI1), newest first by creation. */
  ownerListing: (owner: string, createdAt: string, id: string) => ({ gsi1pk: owner, gsi1sk: byCreation(createdAt, id) }),
  /** Bounds of a listing sort key for items created in [from, to] (ISO instants or days; either may be open). */
  createdBetween: (from: string | undefined, to: string | undefined) => ({ from: from ?? '0', to: `${to ?? '9'}~` }),
  ruleSet: (version: number) => ({ pk: `RULESET#${String(version).padStart(8, '0')}`, sk: 'RULESET' }),
  ruleSetPointer: { pk: 'RULESETS', sk: 'ACTIVE' },
  ruleSetSequence: { pk: 'RULESETS', sk: 'SEQUENCE' },
  ruleSetList: 'RULESETS',
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  eventIdOf: (pk: string) => idAfter('EVENT#', pk),
  outboxShard: (shard: number) => `OUTBOX#${shard}`,
  /** Where an event waits in the pending index until it is consumed. */
  outbox: (id: string) => `OUTBOX#${shardOf(id, PENDING_SHARDS)}`,
  /** A webhook endpoint: beside its enterprise's profile, or under its bureau. */
  webhook: (owner: WebhookOwner) => ({ pk: owner.kind === 'bureau' ? `BUREAU#${owner.id}` : `ENT#${owner.id}`, sk: 'WEBHOOK' }),
  /**
   * A webhook delivery lives on its event's item (one delivery per event), so the first attempt
   * settles in one write to the item the state change wrote. Undefined for an id no delivery can
   * have. Deliveries settled before that (until 2026-12) have an item of their own, `legacyDelivery`.
   */
  delivery: (id: string): { pk: string; sk: string } | undefined => {
    const eventId = eventIdOfDelivery(id);
    return eventId ? { pk: `EVENT#${eventId}`, sk: 'EVENT' } : undefined;
  },
  legacyDelivery: (id: string) => ({ pk: `DELIVERY#${id}`, sk: 'DELIVERY' }),
  /** The delivery id of a key of either kind (the listing and the due index hold both). */
  deliveryIdOf: (pk: string) => (pk.startsWith('DELIVERY#') ? idAfter('DELIVERY#', pk) : deliveryIdOf(idAfter('EVENT#', pk))),
  /** The listing (GSI1) of an owner's deliveries. */
  deliveriesOf: (owner: WebhookOwner) => (owner.kind === 'bureau' ? `BUREAUDELIV#${owner.id}` : `ENTDELIV#${owner.id}`),
  deliveryDueShard: (shard: number) => `WEBHOOK_DUE#${shard}`,
  /** Where a delivery waits in the pending index while an attempt is due. */
  deliveryDue: (id: string) => `WEBHOOK_DUE#${shardOf(id, PENDING_SHARDS)}`,
  certificate: (no: string) => ({ pk: `CERT#${no}`, sk: 'CERT' }),
  /** A step's worklist item, in its declaration's partition. */
  step: (id: string, kind: string) => ({ pk: `DECL#${id}`, sk: `STEP#${kind}` }),
  stepPrefix: 'STEP#',
  /** GSI4 partition of a bureau's steps of one kind in one state (PENDING or DONE). */
  worklist: (bureau: string, kind: string, state: 'PENDING' | 'DONE') => `WORK#${bureau}#${kind}#${state}`,
  /** GSI4 sort key of a worklist entry: the instant it is ordered by, then declaration and kind (unique). */
  worklistSort: (at: string, id: string, kind: string) => `${at}#${id}#${kind}`,
  /** A declaration's involvement of one bureau (declared at, port, inspection, release, a step). */
  involvement: (id: string, bureau: string) => ({ pk: `DECL#${id}`, sk: `BUREAU#${bureau}` }),
  involvementPrefix: 'BUREAU#',
  /** GSI4 partition of the declarations involving a bureau, sorted by creation. */
  bureauListing: (bureau: string) => `BUREAUDECL#${bureau}`,
  stepDueShard: (shard: number) => `STEP_DUE#${shard}`,
  /** Where a pending step waits in the pending index (GSI2, by dueAt) until the overdue sweep sees it. */
  stepDue: (id: string) => `STEP_DUE#${shardOf(id, PENDING_SHARDS)}`,
  statsCounter: (dimension: string, bureau: string, day: string, direction: string, shard: number) => ({
    pk: keys.statsOfBureau(dimension, bureau),
    sk: `${day}#${direction}#${shard}`,
  }),
  /** Every counter item of one view and bureau (sort keys start with the UTC day). */
  statsOfBureau: (dimension: string, bureau: string) => `STATS#${dimension}#${bureau}`,
  /**
   * Rule effectiveness counters of a rule set version (contract section 15): one partition per
   * shard, one item per creation day and bucket of rules (`<day>#<bucket>`, at most a sixteenth of
   * the rules each, so that 2,000 rules stay far below the item size limit) and one for the random
   * baseline (`<day>#RANDOM`).
   */
  effectivenessOfVersion: (version: number, shard: number) => `EFFECT#${String(version).padStart(8, '0')}#${shard}`,
  effectivenessRules: (version: number, shard: number, day: string, ruleId: string) => ({
    pk: keys.effectivenessOfVersion(version, shard),
    sk: `${day}#${String(shardOf(ruleId, EFFECTIVENESS_RULE_BUCKETS)).padStart(2, '0')}`,
  }),
  effectivenessRandom: (version: number, shard: number, day: string) => ({
    pk: keys.effectivenessOfVersion(version, shard),
    sk: `${day}#RANDOM`,
  }),
  /** Sort-key bounds of the counters of the days [fromDay, toDay] (YYYY-MM-DD). */
  statsDays: (fromDay: string, toDay: string) => ({ from: fromDay, to: `${toDay}~` }),
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
  'gsi4pk',
  'gsi4sk',
  'itemType',
  'redriveCount',
  'leaseUntil',
  'leaseToken',
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

/**
 * A cursor the API issued, or undefined. Validated fully, because DynamoDB answers a malformed
 * ExclusiveStartKey with an error (a 500 to the client): exactly the expected attributes, each a
 * non-empty string, and a listing sort key that belongs to the item key (`<instant>#<id>` where
 * `pk` is `<KIND>#<id>`). The caller still checks the partition (the owner) is the reader's.
 */
export function decodeCursor(cursor: string | undefined, expectedKeys: readonly string[]): Record<string, string> | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length !== expectedKeys.length) return undefined;
    if (entries.some(([k, v]) => !expectedKeys.includes(k) || typeof v !== 'string' || v.length === 0 || v.length > 512)) return undefined;
    const key = Object.fromEntries(entries) as Record<string, string>;
    for (const [sortKey] of [['gsi1sk'], ['gsi3sk']] as const) {
      if (key[sortKey] === undefined || key.pk === undefined) continue;
      const id = key.pk.slice(key.pk.indexOf('#') + 1);
      const [instant, ...rest] = key[sortKey]!.split('#');
      if (!key.pk.includes('#') || !id || rest.join('#') !== id || !instant || Number.isNaN(Date.parse(instant))) return undefined;
    }
    return key;
  } catch {
    return undefined;
  }
}

/** What GSI4 projects (here, free of AWS clients, because the stack reads it at synth time): what a worklist entry shows, and an involvement's roles. */
export const BUREAU_WORK_ATTRIBUTES = [
  'declarationId',
  'enterpriseId',
  'direction',
  'route',
  'kind',
  'bureau',
  'status',
  'requiredSince',
  'dueAt',
  'recordedAt',
  'recordedByBureau',
  'roles',
] as const;
