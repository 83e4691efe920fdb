/**
 * Declarations in DynamoDB. The header item holds everything but the lines; the lines are stored in
 * chunk items beside it (a 500-line declaration can exceed DynamoDB's 400 KB item limit), all
 * written in one transaction. Reads take the whole partition in one query.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { transactWrite, type TransactItems } from './transact.js';
import { canTransition, totalValueCents, type DeclarationRecord } from '../domain/declaration.js';
import { centsToUsd } from '../schemas/numbers.js';
import type { DeclarationLine, DeclarationStatus, StoredDeclarationSummary } from '../schemas/declaration.js';
import { batchGetAll, dynamo, queryAll, tableName, type ItemReader } from './aws.js';
import { DAY_SHARDS, decodeCursor, encodeCursor, GSI1, GSI2, GSI3, keys, withoutStorageAttributes } from './keys.js';
import { counterUpdates, mergedCounterUpdates, releaseBucketAttr, type CountedDeclaration } from './stats-counters.js';
import { effectivenessUpdates } from './effectiveness-counters.js';
import { movesAnything, type EffectivenessDelta } from '../domain/effectiveness.js';
import { outboxPut } from './outbox.js';
import { touchPending } from './pending-index.js';
import { involvementPut, involvementPuts, involvementsWithSteps, stepInvolvementPuts, stepItemPut } from './worklist-store.js';
import type { CounterIncrements, DeclarationTransition } from '../domain/transition.js';
import type { RevisionRecord } from '../schemas/lifecycle.js';
import type { CertificateContent } from '../domain/certificate.js';
import { jwsPayload, signCompactJws, withCertificateJws } from '../domain/certificate-jws.js';
import { certificateSigner } from './certificate-signer.js';
import { readRelease } from './declaration-release.js';

const CHUNK_BYTES = 300_000;
/** Lines up to this size live in the header item itself (one item to write and read). */
const INLINE_LINES_BYTES = 64_000;

export type IdempotencyGuard = { kind: 'clientRef' | 'idempotencyKey'; value: string };
export type ExistingDeclaration = { declarationId: string; bodyHash: string; guard: IdempotencyGuard['kind'] };
export type CreateResult = { created: true } | { created: false; existing: ExistingDeclaration };

export type ListQuery = { status?: DeclarationStatus; from?: string; to?: string; limit: number; cursor?: string };

function chunkLines(lines: DeclarationLine[]): string[] {
  const chunks: string[] = [];
  let current: DeclarationLine[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(JSON.stringify(line)) + 1;
    if (current.length && size + bytes > CHUNK_BYTES) {
      chunks.push(JSON.stringify(current));
      current = [];
      size = 0;
    }
    current.push(line);
    size += bytes;
  }
  if (current.length) chunks.push(JSON.stringify(current));
  return chunks;
}

export const guardKey = (enterpriseId: string, guard: IdempotencyGuard) =>
  guard.kind === 'clientRef' ? keys.clientRef(enterpriseId, guard.value) : keys.idempotencyKey(enterpriseId, guard.value);

/** A listing index entry (it projects the summary's attributes). */
function summaryOf(item: Record<string, unknown>): StoredDeclarationSummary {
  return withoutStorageAttributes<StoredDeclarationSummary>(item, ['lineChunks', 'linesJson']);
}

/** The header item as the record it stores: without its lines, and without the summary's counts. */
function headerRecordOf(item: Record<string, unknown>): Omit<DeclarationRecord, 'lines'> {
  const {
    lineCount: _n,
    totalValueUsd: _v,
    ...header
  } = withoutStorageAttributes<Record<string, unknown>>(item, ['lineChunks', 'linesJson']);
  return header as Omit<DeclarationRecord, 'lines'>;
}

/** The whole record from a header item that holds its lines (undefined when they are in chunk items). */
function recordOfInlineHeader(item: Record<string, unknown>): DeclarationRecord | undefined {
  return typeof item.linesJson === 'string'
    ? { ...headerRecordOf(item), lines: JSON.parse(item.linesJson) as DeclarationLine[] }
    : undefined;
}

/** The header item (with its index keys) and the line chunk items of a record, as they are stored. */
function storedDeclaration(record: DeclarationRecord, strandedSince = record.createdAt) {
  const { lines, ...header } = record;
  const linesJson = JSON.stringify(lines);
  const inline = Buffer.byteLength(linesJson) <= INLINE_LINES_BYTES;
  const chunks = inline ? [] : chunkLines(lines);
  return {
    header: {
      ...keys.declaration(record.id),
      itemType: 'declaration',
      ...header,
      lineCount: lines.length,
      totalValueUsd: centsToUsd(totalValueCents(record)),
      lineChunks: chunks.length,
      ...(inline ? { linesJson } : {}),
      ...keys.ownerListing(keys.declarationsOfEnterprise(record.enterpriseId), record.createdAt, record.id),
      // In the stranded index while it waits for its audit.
      gsi2pk: keys.stranded(record.id),
      gsi2sk: strandedSince,
      ...keys.dayListing(record.createdAt, record.id),
    } as Record<string, unknown>,
    chunks: chunks.map((chunk, i) => ({ ...keys.declarationLines(record.id, i), itemType: 'declaration-lines', lines: chunk })),
  };
}

/**
 * The writes that file one declaration: its header and line chunks, its idempotency guards (each
 * conditional on not existing) and its involvement entries, and the intake counter increments
 * that must commit with them. `create` commits them alone; batch intake
 * (shared/adapters/declaration-batch.ts) packs several declarations to a transaction.
 */
export function intakeWrites(record: DeclarationRecord, guards: IdempotencyGuard[]): { own: TransactItems; counters: CounterIncrements } {
  const stored = storedDeclaration(record);
  const own: TransactItems = [
    { Put: { TableName: tableName(), Item: stored.header, ConditionExpression: 'attribute_not_exists(pk)' } },
    ...stored.chunks.map((Item) => ({ Put: { TableName: tableName(), Item } })),
    ...guards.map((guard) => ({
      Put: {
        TableName: tableName(),
        Item: {
          ...guardKey(record.enterpriseId, guard),
          itemType: 'idempotency-guard',
          declarationId: record.id,
          bodyHash: record.bodyHash,
          createdAt: record.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    })),
    // Listed for every bureau it involves (officers' listing, contract section 12).
    ...involvementPuts(record),
  ];
  return { own, counters: { declarations: 1, lines: record.lines.length, valueCents: totalValueCents(record) } };
}

/** How many line chunk items a record's lines take (0: inline in the header). */
const chunkCount = (lines: DeclarationLine[]) =>
  Buffer.byteLength(JSON.stringify(lines)) <= INLINE_LINES_BYTES ? 0 : chunkLines(lines).length;

const REVISION_PART_BYTES = 300_000;

/** The statistics an amendment moves: the previous body's counts taken back, the new body's added. */
export function amendmentCounterUpdates(
  previous: CountedDeclaration,
  previousCounters: CounterIncrements,
  amended: CountedDeclaration,
  counters: CounterIncrements,
) {
  return mergedCounterUpdates([
    { record: previous, counters: previousCounters },
    { record: amended, counters },
  ]);
}

/**
 * An amendment's transaction: the amended record written whole (its body changed, lines
 * included) conditional on the version it was computed from, stale line chunks deleted, the
 * superseded revision kept, back in the stranded index (the audit is owed again), events, and the
 * statistics moved from the previous body to the new one.
 */
async function applyAmendment(t: DeclarationTransition & { amendment: NonNullable<DeclarationTransition['amendment']> }): Promise<boolean> {
  const d = t.record;
  const { previous, revision, previousCounters } = t.amendment;
  const stored = storedDeclaration(d, d.updatedAt);
  const seen = t.expectedVersion === 0 ? '(#version = :seen OR attribute_not_exists(#version))' : '#version = :seen';
  const items: TransactItems = [
    {
      Put: {
        TableName: tableName(),
        Item: stored.header,
        ConditionExpression: `#status = :from AND ${seen}`,
        ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
        ExpressionAttributeValues: { ':from': t.from, ':seen': t.expectedVersion },
      },
    },
    ...stored.chunks.map((Item) => ({ Put: { TableName: tableName(), Item } })),
  ];
  for (let i = stored.chunks.length; i < chunkCount(previous.lines); i++)
    items.push({ Delete: { TableName: tableName(), Key: keys.declarationLines(d.id, i) } });
  // Owed steps leave the worklists; the involvements follow the amended bureaus.
  for (const step of t.worklist) items.push(stepItemPut(d, step));
  // A step kept across the amendment (an officer's ADD_STEP) keeps its bureau involved.
  const involved = involvementsWithSteps(d);
  for (const [bureau, roles] of involved) items.push(involvementPut(d, bureau, roles));
  for (const bureau of involvementsWithSteps(previous).keys())
    if (!involved.has(bureau)) items.push({ Delete: { TableName: tableName(), Key: keys.involvement(d.id, bureau) } });
  const packed = gzipSync(JSON.stringify(revision));
  for (let part = 0, offset = 0; offset < packed.length || part === 0; part++, offset += REVISION_PART_BYTES) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.declarationRevisionPart(d.id, revision.revision, part),
          itemType: 'declaration-revision',
          parts: Math.ceil(packed.length / REVISION_PART_BYTES),
          body: packed.subarray(offset, offset + REVISION_PART_BYTES),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  for (const event of t.events) items.push(outboxPut(event));
  // The take-back of the old body and the count of the new one meet on every counter whose bureau
  // did not change: one merged update each (a transaction may touch an item only once).
  items.push(...amendmentCounterUpdates(previous, previousCounters, d, t.counters));
  if (movesAnything(t.effectiveness)) items.push(...effectivenessUpdates(previous, t.effectiveness));
  const outcome = await transactWrite(items);
  if (outcome.committed) return true;
  if (outcome.failedItems.includes(0)) return false;
  throw new Error(`declaration ${d.id}: amendment failed on items ${outcome.failedItems.join(', ')}`);
}

/** A commit lost to a concurrent change, with the declaration as the winner left it. */
export type LostRace = { current: DeclarationRecord };

/**
 * What a lost commit answers: the declaration as the winner left it when its header holds the
 * lines (most do), so the loser decides again without reading it back (two officers recording a
 * declaration's two steps at once: the second saves a read under load). Lines in chunk items may
 * have changed with it (an amendment), so those are read again.
 */
function lostTo(header: Record<string, unknown> | undefined): LostRace | false {
  const current = header && recordOfInlineHeader(header);
  return current ? { current } : false;
}

/** What a transition moves on the statistics counters: its deltas, the release-time bucket among them. */
export type CounterDelta = { record: CountedDeclaration; counters: Record<string, number> };
/** What a transition moves on the rule effectiveness counters (contract section 15). */
export type EffectivenessMove = { record: { createdAt: string }; delta: EffectivenessDelta };

/**
 * The writes of a (non-amending) transition: its own items (the header's conditional update first,
 * steps, involvements, events, certificate) and the counter deltas that must commit with them.
 * `apply` commits them alone; `applyMany` (shared/adapters/declaration-transitions.ts) packs the
 * transitions of an audit batch into one transaction, the counters merged.
 */
export function transitionWrites(t: DeclarationTransition): {
  own: TransactItems;
  counters?: CounterDelta;
  effectiveness?: EffectivenessMove;
} {
  const d = t.record;
  // The state machine is the domain's; a change to the same status only updates the record.
  if (t.from !== t.to && !canTransition(t.from, t.to)) throw new Error(`declaration ${d.id}: ${t.from} → ${t.to} is not a transition`);
  const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':from': t.from,
    ':to': t.to,
    ':at': d.updatedAt,
    ':timeline': t.timeline,
    ':seen': t.expectedVersion,
    ':next': t.expectedVersion + 1,
  };
  const sets = ['#status = :to', 'updatedAt = :at', 'timeline = list_append(timeline, :timeline)', '#version = :next'];
  for (const [k, v] of Object.entries(t.set)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  // Parked (the audit failed too often) or back in the stranded index (redriven by an operator).
  if (t.to === 'ACCEPTED' && t.pendingIndex) {
    values[':pendingPk'] = t.pendingIndex === 'parked' ? keys.parked : keys.stranded(d.id);
    values[':pendingSk'] = t.pendingIndex === 'parked' ? keys.parkedSort(d.updatedAt, d.id) : d.updatedAt;
    sets.push('gsi2pk = :pendingPk', 'gsi2sk = :pendingSk');
  }
  const seen = t.expectedVersion === 0 ? '(#version = :seen OR attribute_not_exists(#version))' : '#version = :seen';
  const own: TransactItems = [
    {
      Update: {
        TableName: tableName(),
        Key: keys.declaration(d.id),
        // Out of the stranded (or parked) index once it has left ACCEPTED (the audit is done).
        UpdateExpression: `SET ${sets.join(', ')}${t.to !== 'ACCEPTED' ? ' REMOVE gsi2pk, gsi2sk' : ''}`,
        ConditionExpression: `#status = :from AND ${seen}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // Lost to a concurrent change: the header as the winner left it, to decide again on.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  ];
  for (const step of t.worklist) own.push(stepItemPut(d, step));
  // A step owed by a bureau with no other role lists the declaration for that bureau too.
  own.push(...stepInvolvementPuts(d, t.worklist));
  for (const event of t.events) own.push(outboxPut(event));
  if (t.certificate) own.push(certificateNumberPut(d, t.certificate));
  const moved = Object.entries(t.counters).filter(([, v]) => v !== undefined && v !== 0) as [string, number][];
  // A counter lives for ever: one non-integer delta would make every later ADD to it fail. Checked
  // here, per transition, so a pack (whose deltas are summed) refuses it as `apply` alone would.
  for (const [name, v] of moved)
    if (!Number.isSafeInteger(v)) throw new Error(`declaration ${d.id}: counter ${name}: ${v} is not a whole number`);
  if (t.releaseSeconds !== undefined) moved.push([releaseBucketAttr(t.releaseSeconds), 1]);
  return {
    own,
    ...(moved.length ? { counters: { record: d, counters: Object.fromEntries(moved) } } : {}),
    // Rule effectiveness (contract section 15): exact for the same reason as the statistics.
    ...(movesAnything(t.effectiveness) ? { effectiveness: { record: d, delta: t.effectiveness } } : {}),
  };
}

/**
 * The item of a certificate number: its conditional put keeps the number unique, and it leads to
 * the declaration. The certificate itself is the declaration's `release` (digest, signature, and
 * the JWS whose payload is the content, written by the same transaction), so a certificate with a
 * JWS is not stored twice: a second copy of the content and the JWS cost about 4 WCU per release
 * (docs/cost.md). One without a JWS keeps it all here, as certificates issued before 2026-12-08 do.
 */
function certificateNumberPut(d: Pick<DeclarationRecord, 'id'>, certificate: NonNullable<DeclarationTransition['certificate']>) {
  const copy = typeof certificate.jws === 'string' ? {} : certificate;
  return {
    Put: {
      TableName: tableName(),
      Item: { ...keys.certificate(certificate.content.certificateNo), itemType: 'certificate', declarationId: d.id, ...copy },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

type StoredCertificate = { content: CertificateContent; digest: string; signature: string; jws?: string };

/** A certificate from its number's item and, when the item holds no copy, its declaration's release. */
async function certificateOf(numberItem: Record<string, unknown>, no: string): Promise<StoredCertificate | undefined> {
  if (numberItem.content !== undefined) {
    const { content, digest, signature, jws } = numberItem as StoredCertificate;
    return { content, digest, signature, ...(typeof jws === 'string' ? { jws } : {}) };
  }
  const release = await readRelease(String(numberItem.declarationId));
  if (!release || release.certificateNo !== no) return undefined;
  const { digest, signature, jws } = release;
  const content = typeof jws === 'string' ? jwsPayload(jws) : undefined;
  if (!content || typeof jws !== 'string' || typeof digest !== 'string' || typeof signature !== 'string')
    throw new Error(`certificate ${no}: the release of declaration ${String(numberItem.declarationId)} holds no readable certificate`);
  return { content: content as CertificateContent, digest, signature, jws };
}

/**
 * What a transition's failed commit answers: `failedOwn` are the positions among its own items
 * whose condition failed, `header` the header as the winner left it. Only the declaration's own
 * condition (position 0) decides "changed meanwhile"; any other failed condition (e.g. a
 * certificate number taken) is a real error.
 */
export function lostOrFailed(t: DeclarationTransition, failedOwn: number[], header: Record<string, unknown> | undefined): false | LostRace {
  if (failedOwn.includes(0)) return lostTo(header);
  throw new Error(`declaration ${t.record.id}: transition failed on items ${failedOwn.join(', ')}`);
}

export const declarationStore = {
  /**
   * Applies a pure transition (shared/domain/transition.ts) as ONE transaction: the header's
   * changed attributes, status, version and timeline, conditional on the version the transition
   * was computed from; its outbox events, statistics counters and certificate. Returns false when
   * the declaration changed meanwhile (a redelivery, another bureau got there first): the caller
   * reads again and decides on the new state.
   */
  /** A release's certificate also as a compact JWS (contract section 17), signed before committing. */
  async certify(t: DeclarationTransition): Promise<DeclarationTransition> {
    return t.certificate ? withCertificateJws(t, await signCompactJws(t.certificate.content, certificateSigner())) : t;
  },

  async apply(t: DeclarationTransition): Promise<boolean | LostRace> {
    if (t.amendment) return applyAmendment({ ...t, amendment: t.amendment });
    const { own, counters, effectiveness } = transitionWrites(t);
    const items = [...own];
    if (counters) items.push(...counterUpdates(counters.record, counters.counters));
    if (effectiveness) items.push(...effectivenessUpdates(effectiveness.record, effectiveness.delta));
    const outcome = await transactWrite(items);
    if (outcome.committed) return true;
    return lostOrFailed(t, outcome.failedItems, outcome.currentItems.get(0));
  },

  /**
   * Writes the declaration, its idempotency guards and its intake counters in one transaction.
   * If a guard exists already (same clientRef or Idempotency-Key), nothing is written and the
   * declaration that holds the guard is returned.
   */
  async create(record: DeclarationRecord, guards: IdempotencyGuard[]): Promise<CreateResult> {
    const { own, counters } = intakeWrites(record, guards);
    const items: TransactItems = [...own, ...counterUpdates(record, counters)];
    const outcome = await transactWrite(items);
    if (outcome.committed) return { created: true };
    for (const guard of guards) {
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: tableName(), Key: guardKey(record.enterpriseId, guard), ConsistentRead: true }),
      );
      if (Item)
        return {
          created: false,
          existing: { declarationId: Item.declarationId as string, bodyHash: Item.bodyHash as string, guard: guard.kind },
        };
    }
    throw new Error(
      `declaration ${record.id}: intake transaction refused (items ${outcome.failedItems.join(', ')}) without an idempotency guard`,
    );
  },

  /** Every earlier revision of a declaration (contract section 13), oldest first. */
  async revisions(id: string): Promise<RevisionRecord[]> {
    const items = await queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.declarationRevisions(id) },
      ConsistentRead: true,
    });
    const byRevision = new Map<string, Uint8Array[]>();
    for (const item of items) {
      const revision = String(item.sk).split('#')[1]!;
      byRevision.set(revision, [...(byRevision.get(revision) ?? []), item.body as Uint8Array]);
    }
    return [...byRevision.keys()]
      .sort()
      .map((r) => JSON.parse(gunzipSync(Buffer.concat(byRevision.get(r)!)).toString('utf8')) as RevisionRecord);
  },

  /** A certificate as issued, for verification. */
  async certificate(no: string): Promise<StoredCertificate | undefined> {
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.certificate(no) }));
    return Item ? certificateOf(Item, no) : undefined;
  },

  /** The whole declaration: header and lines (strongly consistent). */
  async get(id: string): Promise<DeclarationRecord | undefined> {
    const items = await queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.declaration(id).pk },
      ConsistentRead: true,
    });
    const headerItem = items.find((i) => i.sk === keys.declaration(id).sk);
    if (!headerItem) return undefined;
    const inline = recordOfInlineHeader(headerItem);
    if (inline) return inline;
    const chunks = items
      .filter((i) => String(i.sk).startsWith(keys.declarationLinesPrefix))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    if (chunks.length !== headerItem.lineChunks)
      throw new Error(`declaration ${id}: ${chunks.length} of ${String(headerItem.lineChunks)} line chunks`);
    return { ...headerRecordOf(headerItem), lines: chunks.flatMap((c) => JSON.parse(c.lines as string) as DeclarationLine[]) };
  },

  /**
   * The whole declaration, its header read by `readItem` (one request shared with other reads:
   * shared/adapters/aws.ts, `itemsReadTogether`); a header whose lines sit in chunk items is read
   * again whole by `get`.
   */
  async getWith(readItem: ItemReader, id: string): Promise<DeclarationRecord | undefined> {
    const header = await readItem(keys.declaration(id));
    if (!header) return undefined;
    return recordOfInlineHeader(header) ?? declarationStore.get(id);
  },

  /** Ids of the region's most recent declarations in [from, to], newest first (all shards merged). */
  /** `deadline` (epoch ms): stop walking back through days once it passes (the caller reports truncation). */
  async recentIds(from: string, to: string, limit: number, deadline = Infinity): Promise<string[]> {
    const days: string[] = [];
    for (
      let day = new Date(to.slice(0, 10));
      day.toISOString().slice(0, 10) >= from.slice(0, 10) && days.length < 366;
      day.setUTCDate(day.getUTCDate() - 1)
    ) {
      days.push(day.toISOString().slice(0, 10));
    }
    const ids: { sk: string; id: string }[] = [];
    const { from: lower, to: upper } = keys.createdBetween(from, to);
    const range = { ':from': lower, ':to': upper };
    for (const day of days) {
      if (Date.now() > deadline) break;
      const pages = await Promise.all(
        Array.from({ length: DAY_SHARDS }, (_, shard) =>
          dynamo.send(
            new QueryCommand({
              TableName: tableName(),
              IndexName: GSI3,
              KeyConditionExpression: 'gsi3pk = :day AND gsi3sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':day': keys.declarationsOfDay(day, shard), ...range },
              ScanIndexForward: false,
              Limit: limit,
            }),
          ),
        ),
      );
      for (const page of pages)
        for (const item of page.Items ?? []) ids.push({ sk: item.gsi3sk as string, id: keys.declarationIdOf(item.pk as string) });
      if (ids.length >= limit) break;
    }
    return ids
      .sort((a, b) => b.sk.localeCompare(a.sk))
      .slice(0, limit)
      .map((x) => x.id);
  },

  /**
   * The parked declarations (shared/domain/audit-parking.ts), longest parked first: their headers,
   * read by one BatchGet per page (the pending index holds keys only).
   */
  async listParked(q: {
    limit: number;
    cursor?: string;
  }): Promise<{ items: Omit<DeclarationRecord, 'lines'>[]; nextCursor: string | null } | 'bad-cursor'> {
    const start = decodeCursor(q.cursor, ['pk', 'sk', 'gsi2pk', 'gsi2sk']);
    if (q.cursor) {
      const id = start?.pk?.startsWith('DECL#') ? start.pk.slice('DECL#'.length) : undefined;
      if (!start || !id || start.gsi2pk !== keys.parked || !start.gsi2sk?.endsWith(`#${id}`)) return 'bad-cursor';
    }
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :parked',
        ExpressionAttributeValues: { ':parked': keys.parked },
        Limit: q.limit,
        ExclusiveStartKey: start,
      }),
    );
    const wanted = (page.Items ?? []).map((i) => ({ pk: i.pk as string, sk: i.sk as string }));
    const byPk = new Map((await batchGetAll(wanted, { consistent: true })).map((item) => [item.pk as string, item]));
    // Audited or redriven between the query and the read: no longer parked, left out.
    const items = wanted.flatMap((k) => {
      const item = byPk.get(k.pk);
      return item && item.gsi2pk === keys.parked ? [headerRecordOf(item)] : [];
    });
    return { items, nextCursor: encodeCursor(page.LastEvaluatedKey) ?? null };
  },

  /**
   * Parked declarations due for their slow automatic retry, claimed: those whose parked sort key
   * (`parkedAt#id`, then the time of their last automatic retry) is older than `before`. Each is
   * claimed by moving its sort key to `now` only if it is still what the query saw, so concurrent
   * sweeps retry it once. It stays in the parked partition (listed, counted) until an audit succeeds.
   */
  async claimParkedDue(before: string, now: string, limit: number): Promise<string[]> {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :parked AND gsi2sk < :before',
        ExpressionAttributeValues: { ':parked': keys.parked, ':before': before },
        Limit: limit,
      }),
    );
    const claimed: string[] = [];
    for (const item of page.Items ?? []) {
      const id = keys.declarationIdOf(item.pk as string);
      const seen = { pk: item.pk as string, sk: item.sk as string, waitingSince: item.gsi2sk as string };
      if (await touchPending(seen, now, keys.parkedSort(now, id))) claimed.push(id);
    }
    return claimed;
  },

  /** How many declarations are parked now (the redrive sweep reports it; the cloud alarms on it). */
  async countParked(): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: GSI2,
          KeyConditionExpression: 'gsi2pk = :parked',
          ExpressionAttributeValues: { ':parked': keys.parked },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  },

  /** An enterprise's declarations, newest first, filtered and cursor-paginated. */
  async listByEnterprise(
    enterpriseId: string,
    q: ListQuery,
  ): Promise<{ items: StoredDeclarationSummary[]; nextCursor: string | null } | 'bad-cursor'> {
    const owner = keys.declarationsOfEnterprise(enterpriseId);
    const start = decodeCursor(q.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk']);
    if (q.cursor && (!start || start.gsi1pk !== owner)) return 'bad-cursor';
    const names: Record<string, string> = {};
    const created = keys.createdBetween(q.from, q.to);
    const values: Record<string, unknown> = { ':owner': owner, ':from': created.from, ':to': created.to };
    let filter: string | undefined;
    if (q.status) {
      names['#status'] = 'status';
      values[':status'] = q.status;
      filter = '#status = :status';
    }
    const items: StoredDeclarationSummary[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined = start;
    // A status filter can leave a page short: keep reading (bounded) until the page is full.
    for (let reads = 0; reads < 10 && items.length < q.limit; reads++) {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :owner AND gsi1sk BETWEEN :from AND :to',
          ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: q.limit - items.length,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map(summaryOf));
      exclusiveStartKey = page.LastEvaluatedKey;
      if (!exclusiveStartKey) break;
    }
    return { items, nextCursor: encodeCursor(exclusiveStartKey) ?? null };
  },
};
