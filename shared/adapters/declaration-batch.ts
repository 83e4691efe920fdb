/**
 * Filing many declarations at once (POST /declarations/batch): the same writes as one filing
 * (`intakeWrites`: header, guards, conditional on not existing) packed several declarations to a
 * transaction, with the statistics counters of the whole pack merged into one update per counter
 * item. Counters still move in the transaction that stores what they count; a pack of 25 costs
 * 1 transaction and ~53 item writes instead of 25 transactions and 125 item writes.
 * A declaration whose guard exists already (a retry) cancels its pack: it is taken out, answered
 * from its guard, and the pack is committed again without it.
 * Packs commit independently: a pack that fails (throttled, timed out) leaves the others stored, and
 * its entries are answered `{stored: false, error}` so the caller can say per item what was stored.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DeclarationRecord } from '../domain/declaration.js';
import { dynamo, tableName } from './aws.js';
import { declarationStore, guardKey, intakeWrites, type CreateResult, type IdempotencyGuard } from './declaration-store.js';
import { counterGroupOf, mergedCounterUpdates, STATS_DIMENSIONS, type CounterIncrements } from './stats-counters.js';
import { transactWrite, type TransactItems, type TransactOutcome } from './transact.js';

export type BatchEntry = { record: DeclarationRecord; guards: IdempotencyGuard[] };
/** An entry's outcome: what `declarationStore.create` answers, or not stored because its pack failed. */
export type BatchCreateResult = CreateResult | { created: false; unstored: unknown };
export type Transact = (items: TransactItems) => Promise<TransactOutcome>;

/** DynamoDB allows 100 items and 4 MB per transaction; packs stay well inside both. */
const MAX_PER_PACK = 25;
const MAX_ITEMS_PER_PACK = 100;
const MAX_BYTES_PER_PACK = 3_000_000;

type Prepared = BatchEntry & { index: number; own: TransactItems; counters: CounterIncrements; bytes: number };

async function existingFor(entry: BatchEntry): Promise<CreateResult> {
  for (const guard of entry.guards) {
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: tableName(), Key: guardKey(entry.record.enterpriseId, guard), ConsistentRead: true }),
    );
    if (Item) {
      return {
        created: false,
        existing: { declarationId: Item.declarationId as string, bodyHash: Item.bodyHash as string, guard: guard.kind },
      };
    }
  }
  throw new Error(`declaration ${entry.record.id}: batch intake refused without an idempotency guard`);
}

/** Commits one pack; returns the entries that found their guard taken. */
async function commitPack(pack: Prepared[], transact: Transact): Promise<Prepared[]> {
  const taken: Prepared[] = [];
  let remaining = pack;
  while (remaining.length) {
    const own = remaining.flatMap((p) => p.own);
    const outcome = await transact([...own, ...mergedCounterUpdates(remaining)]);
    if (outcome.committed) return taken;
    // Map failed item positions back to their declarations (counter updates have no condition).
    const owners: Prepared[] = remaining.flatMap((p) => p.own.map(() => p));
    const failed = new Set(outcome.failedItems.filter((i) => i < owners.length).map((i) => owners[i]!));
    if (failed.size === 0) throw new Error(`batch intake: a transaction was refused on items ${outcome.failedItems.join(', ')}`);
    taken.push(...failed);
    remaining = remaining.filter((p) => !failed.has(p));
  }
  return taken;
}

/**
 * Files every entry (results in input order), as `declarationStore.create` would one by one.
 * Throws only when nothing was stored (so the whole request may truthfully say so); once anything
 * was stored, the entries of a failed pack are answered `unstored` instead.
 */
export async function createMany(entries: BatchEntry[], transact: Transact = transactWrite): Promise<BatchCreateResult[]> {
  const results: BatchCreateResult[] = new Array(entries.length);
  const seenGuards = new Set<string>();
  const packs: Prepared[][] = [];
  const repeats: number[] = []; // a guard used twice in one batch: filed after the first, one by one
  let pack: Prepared[] = [];
  let items = 0;
  let bytes = 0;
  let counterItems = STATS_DIMENSIONS.map(() => new Set<string>());
  entries.forEach((entry, index) => {
    const guardIds = entry.guards.map((g) => JSON.stringify(guardKey(entry.record.enterpriseId, g)));
    if (guardIds.some((g) => seenGuards.has(g))) return void repeats.push(index);
    guardIds.forEach((g) => seenGuards.add(g));
    const { own, counters } = intakeWrites(entry.record, entry.guards);
    const size = Buffer.byteLength(JSON.stringify(own));
    // The counter items this declaration moves (a pack touches each such item once).
    const keys = STATS_DIMENSIONS.map((d) => counterGroupOf(entry.record, d));
    const counters_ = counterItems.reduce((n, set, i) => n + set.size + (set.has(keys[i]!) ? 0 : 1), 0);
    if (
      pack.length &&
      (pack.length >= MAX_PER_PACK || items + own.length + counters_ > MAX_ITEMS_PER_PACK || bytes + size > MAX_BYTES_PER_PACK)
    ) {
      packs.push(pack);
      pack = [];
      items = 0;
      bytes = 0;
      counterItems = STATS_DIMENSIONS.map(() => new Set<string>());
    }
    keys.forEach((k, i) => counterItems[i]!.add(k));
    pack.push({ ...entry, index, own, counters, bytes: size });
    items += own.length;
    bytes += size;
  });
  if (pack.length) packs.push(pack);

  const settled = await Promise.allSettled(packs.map((p) => commitPack(p, transact)));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  // Nothing stored: the caller answers the whole request (e.g. 503 + Retry-After, nothing changed).
  if (failures.length === packs.length && failures.length > 0) throw failures[0];
  const taken: Prepared[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      for (const p of packs[i]!) results[p.index] = { created: true };
      taken.push(...s.value);
    } else {
      for (const p of packs[i]!) results[p.index] = { created: false, unstored: s.reason };
    }
  });
  await Promise.all(
    taken.map(
      async (p) => (results[p.index] = await existingFor(p).catch((error: unknown) => ({ created: false as const, unstored: error }))),
    ),
  );
  for (const index of repeats) {
    try {
      results[index] = await declarationStore.create(entries[index]!.record, entries[index]!.guards);
    } catch (error) {
      results[index] = { created: false, unstored: error };
    }
  }
  return results;
}
