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

export function counterUpdates(
  d: Pick<DeclarationInput, 'declaredAt' | 'inspectionBureau' | 'portBureau' | 'direction'> & { createdAt: string },
  increments: CounterIncrements,
  releaseSeconds?: number,
) {
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
