/**
 * Several declarations' transitions committed as one transaction: what an audit batch decides at
 * the same moment (shared/app/audit.ts, `batchScopedPorts`). Each declaration keeps its own
 * conditions (its header's status and version, its certificate number), so the guarantee is the
 * one `declarationStore.apply` gives each transition alone: it commits only onto the state it was
 * decided on, with its events and counters. What the pack saves is requests and items: one
 * transaction where each would make its own, and one update per statistics or effectiveness
 * counter item the batch's deltas meet on (a batch of one bureau's declarations moves the same
 * three counters), where each would write its own (docs/pipeline.md, per-declaration budget).
 *
 * A transaction is all or nothing, so a pack must never let one declaration fail the others:
 * - a lost race (another change committed first) cancels the pack with nothing written; the
 *   transitions whose own conditions failed get their answer (the winner's header, to decide
 *   again on), and the rest are committed again without them;
 * - an error that is not load (an item too large, a malformed value) commits each transition
 *   alone, so that it fails only its own declaration, as it would have without the pack;
 * - throttling or an outage fails the pack as it is and every record of it retries (one
 *   throttled item fails its batch-mates' commits too; nothing is written, nothing is counted
 *   against a declaration, and reading DynamoDB's reasons per item under throttling would only
 *   add load).
 * Amendments (their own transaction shape) and a second transition of one declaration (a
 * transaction may touch an item only once) are applied alone, beside the pack.
 */
import { declarationStore, lostOrFailed, transitionWrites, type LostRace } from './declaration-store.js';
import { mergedEffectivenessUpdates } from './effectiveness-counters.js';
import { mergedCounterUpdates } from './stats-counters.js';
import { transactWrite, type TransactItems, type TransactOutcome } from './transact.js';
import { isTransient } from '../domain/transient-errors.js';
import type { DeclarationTransition } from '../domain/transition.js';

/** DynamoDB's limits on one TransactWriteItems: 100 items, 4 MB (kept well under, items are estimated). */
const MAX_ITEMS = 100;
const MAX_BYTES = 3_000_000;
/** Counter items one transition writes at most: one per statistics view. */
const STATS_ITEMS = 3;

export type ApplyOutcome = PromiseSettledResult<boolean | LostRace>;
type Commit = (items: TransactItems) => Promise<TransactOutcome>;
type Packed = { index: number; t: DeclarationTransition; writes: ReturnType<typeof transitionWrites>; items: number; bytes: number };

const settled = async (run: () => Promise<boolean | LostRace>): Promise<ApplyOutcome> => {
  try {
    return { status: 'fulfilled', value: await run() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
};

/**
 * Commits `ts` in as few transactions as the limits allow; the answers are by position, as
 * `apply`'s would be. `commit` and `applyAlone` are DynamoDB's unless a test replaces them.
 */
export async function applyMany(
  ts: readonly DeclarationTransition[],
  { commit = transactWrite, applyAlone = declarationStore.apply }: { commit?: Commit; applyAlone?: typeof declarationStore.apply } = {},
): Promise<ApplyOutcome[]> {
  const results: ApplyOutcome[] = new Array(ts.length);
  const alone: number[] = [];
  const packable: Packed[] = [];
  const ids = new Set<string>();
  ts.forEach((t, index) => {
    if (t.amendment || ids.has(t.record.id)) {
      alone.push(index);
      return;
    }
    ids.add(t.record.id);
    try {
      const writes = transitionWrites(t);
      const effectivenessItems = writes.effectiveness ? mergedEffectivenessUpdates([writes.effectiveness]).length : 0;
      const items = writes.own.length + (writes.counters ? STATS_ITEMS : 0) + effectivenessItems;
      packable.push({ index, t, writes, items, bytes: Buffer.byteLength(JSON.stringify(writes.own)) });
    } catch (reason) {
      results[index] = { status: 'rejected', reason };
    }
  });
  const packs: Packed[][] = [];
  let pack: Packed[] = [];
  let items = 0;
  let bytes = 0;
  for (const p of packable) {
    if (pack.length > 0 && (items + p.items > MAX_ITEMS || bytes + p.bytes > MAX_BYTES)) {
      packs.push(pack);
      [pack, items, bytes] = [[], 0, 0];
    }
    pack.push(p);
    items += p.items;
    bytes += p.bytes;
  }
  if (pack.length > 0) packs.push(pack);
  await Promise.all([
    ...alone.map(async (i) => void (results[i] = await settled(() => applyAlone(ts[i]!)))),
    ...packs.map((p) => commitPack(p, results, commit)),
  ]);
  return results;
}

async function commitPack(pack: Packed[], results: ApplyOutcome[], commit: Commit): Promise<void> {
  let remaining = pack;
  while (remaining.length > 0) {
    const starts: number[] = [];
    let outcome: TransactOutcome;
    try {
      const items: TransactItems = [];
      for (const p of remaining) {
        starts.push(items.length);
        items.push(...p.writes.own);
      }
      items.push(...mergedCounterUpdates(remaining.flatMap((p) => (p.writes.counters ? [p.writes.counters] : []))));
      items.push(...mergedEffectivenessUpdates(remaining.flatMap((p) => (p.writes.effectiveness ? [p.writes.effectiveness] : []))));
      outcome = await commit(items);
    } catch (reason) {
      if (remaining.length === 1 || isTransient(reason)) {
        for (const p of remaining) results[p.index] = { status: 'rejected', reason };
        return;
      }
      // Not load: one transition's items are at fault. Alone, each fails or commits on its own.
      await Promise.all(remaining.map((p) => commitPack([p], results, commit)));
      return;
    }
    if (outcome.committed) {
      for (const p of remaining) results[p.index] = { status: 'fulfilled', value: true };
      return;
    }
    // Nothing was written. Each failed position belongs to the transition whose own items hold it
    // (counter updates carry no condition); those answer now, the others commit again without them.
    const failedOwn = new Map<number, number[]>();
    for (const position of outcome.failedItems) {
      const k = starts.findLastIndex((start) => start <= position);
      if (k < 0 || position >= starts[k]! + remaining[k]!.writes.own.length) continue;
      failedOwn.set(k, [...(failedOwn.get(k) ?? []), position - starts[k]!]);
    }
    if (failedOwn.size === 0) {
      // A condition failed outside every transition's own items (counter updates carry none, so
      // this should not happen): alone, each fails or commits on its own.
      if (remaining.length > 1) return void (await Promise.all(remaining.map((p) => commitPack([p], results, commit))));
      const reason = new Error(`declaration ${remaining[0]!.t.record.id}: transition failed on items ${outcome.failedItems.join(', ')}`);
      results[remaining[0]!.index] = { status: 'rejected', reason };
      return;
    }
    for (const [k, positions] of failedOwn) {
      const p = remaining[k]!;
      const header = outcome.currentItems.get(starts[k]!);
      results[p.index] = await settled(async () => lostOrFailed(p.t, positions, header));
    }
    remaining = remaining.filter((_, k) => !failedOwn.has(k));
  }
}
