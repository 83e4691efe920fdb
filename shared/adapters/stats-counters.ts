/**
 * Statistics counters (contract section 10). Each declaration is counted under three views
 * (declared at, inspected at, destination) per UTC day and direction. Counters change only inside
 * the transaction that changes the state they count, so retries and redeliveries never count twice.
 * Each counter is spread over shards so that a peak does not make one item hot.
 */
import { keys, STATS_SHARDS } from './keys.js';
import { tableName } from './aws.js';
import { statsBureaus } from '../domain/declaration.js';
import type { DeclarationInput } from '../schemas/declaration.js';

export const STATS_DIMENSIONS = ['declaredAt', 'inspectedAt', 'destination'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/** The deltas a transition moves (defined with the transitions, in the domain). */
export type { CounterIncrements } from '../domain/transition.js';
import type { CounterIncrements } from '../domain/transition.js';

/** Release-time histogram buckets (upper bounds, seconds): the basis of p50/p95. */
export const RELEASE_BUCKETS_S = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800, Infinity];
export const releaseBucketAttr = (seconds: number) => `rs_${RELEASE_BUCKETS_S.findIndex((b) => seconds <= b)}`;

/** What a counter's key is made of: the declaration's bureaus, creation day and direction. */
export type CountedDeclaration = Pick<DeclarationInput, 'declaredAt' | 'inspectionBureau' | 'portBureau' | 'direction'> & {
  createdAt: string;
};

export function counterUpdates(d: CountedDeclaration, increments: CounterIncrements, releaseSeconds?: number) {
  const day = d.createdAt.slice(0, 10);
  const bureaus = statsBureaus(d);
  const adds = Object.entries(increments).filter(([, v]) => v !== undefined && v !== 0) as [string, number][];
  // A counter lives for ever: one non-integer delta would make every later ADD to it fail.
  for (const [name, v] of adds) if (!Number.isSafeInteger(v)) throw new Error(`counter ${name}: ${v} is not a whole number`);
  if (releaseSeconds !== undefined) adds.push([releaseBucketAttr(releaseSeconds), 1]);
  return STATS_DIMENSIONS.map((dimension) => {
    const shard = Math.floor(Math.random() * STATS_SHARDS);
    return {
      Update: {
        TableName: tableName(),
        Key: keys.statsCounter(dimension, bureaus[dimension], day, d.direction, shard),
        UpdateExpression: `SET itemType = :type, #day = :day, direction = :dir ADD ${adds.map((_, i) => `#a${i} :v${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(adds.map(([k], i) => [`#a${i}`, k])) },
        ExpressionAttributeValues: {
          ':type': 'stats',
          ':day': day,
          ':dir': d.direction,
          ...Object.fromEntries(adds.map(([, v], i) => [`:v${i}`, v])),
        },
      },
    };
  });
}

/** Which counter (bureau, day, direction: all its shards) a declaration moves under one view. */
export const counterGroupOf = (d: CountedDeclaration, dimension: StatsDimension) =>
  `${statsBureaus(d)[dimension]}|${d.createdAt.slice(0, 10)}|${d.direction}`;

/**
 * One update per counter item for several deltas that commit in one transaction. DynamoDB refuses a
 * transaction that touches an item twice ("multiple operations on one item"), and deltas often meet
 * on one counter: the declarations of a batch pack at the same bureau, or an amendment's take-back
 * of the old body and its count of the new one wherever a bureau did not change. Deltas that cancel
 * out write nothing.
 */
export function mergedCounterUpdates(deltas: { record: CountedDeclaration; counters: CounterIncrements }[]) {
  const updates: ReturnType<typeof counterUpdates> = [];
  STATS_DIMENSIONS.forEach((dimension, i) => {
    const groups = new Map<string, { record: CountedDeclaration; sum: Record<string, number> }>();
    for (const { record, counters } of deltas) {
      const key = counterGroupOf(record, dimension);
      const group = groups.get(key) ?? { record, sum: {} };
      for (const [name, value] of Object.entries(counters)) group.sum[name] = (group.sum[name] ?? 0) + (value ?? 0);
      groups.set(key, group);
    }
    for (const { record, sum } of groups.values())
      if (Object.values(sum).some((v) => v !== 0)) updates.push(counterUpdates(record, sum)[i]!);
  });
  return updates;
}
