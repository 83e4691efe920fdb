/**
 * Reading the statistics counters (written by `stats-counters.ts` inside state transitions): one
 * query per bureau over the days asked for, summed over shards and days.
 */
import { dynamoExactNumbers, queryAll } from './aws.js';
import { keys } from './keys.js';
import { centsToUsd } from '../schemas/numbers.js';
import { RELEASE_BUCKETS_S, type StatsDimension } from './stats-counters.js';

const METRICS = [
  'declarations',
  'lines',
  'released',
  'documentReleased',
  'inspected',
  'failed',
  'returned',
  'cancelled',
  'followUpFailed',
] as const;
export type StatsRow = Record<(typeof METRICS)[number], number> & {
  bureau: string;
  valueUsd: number;
  releaseSeconds: { p50: number | null; p95: number | null };
};

/** The upper bound of the bucket where the cumulative count reaches `q` of the total. */
function quantile(histogram: number[], q: number): number | null {
  const total = histogram.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  let cumulative = 0;
  for (let i = 0; i < histogram.length; i++) {
    cumulative += histogram[i]!;
    if (cumulative >= q * total) return Number.isFinite(RELEASE_BUCKETS_S[i]!) ? RELEASE_BUCKETS_S[i]! : RELEASE_BUCKETS_S[i - 1]!;
  }
  return null;
}

export async function readStats(
  dimension: StatsDimension,
  bureaus: readonly string[],
  fromDay: string,
  toDay: string,
  direction?: string,
): Promise<StatsRow[]> {
  return Promise.all(
    bureaus.map(async (bureau) => {
      const sums = Object.fromEntries(METRICS.map((m) => [m, 0])) as Record<(typeof METRICS)[number], number>;
      const histogram = RELEASE_BUCKETS_S.map(() => 0);
      const days = keys.statsDays(fromDay, toDay);
      // Exact numbers: the money counters are integer cents and may pass 2^53 (DynamoDB keeps 38 digits).
      const items = await queryAll(
        {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.statsOfBureau(dimension, bureau), ':from': days.from, ':to': days.to },
        },
        dynamoExactNumbers,
      );
      let cents = 0n;
      let legacyUsd = 0; // counters written before money was counted in cents
      for (const item of items) {
        if (direction && String(item.direction) !== direction) continue;
        for (const m of METRICS) sums[m] += Number(String(item[m] ?? 0));
        histogram.forEach((_, i) => (histogram[i]! += Number(String(item[`rs_${i}`] ?? 0))));
        if (item.valueCents !== undefined) cents += BigInt(String(item.valueCents));
        if (item.valueUsd !== undefined) legacyUsd += Number(String(item.valueUsd));
      }
      return {
        bureau,
        ...sums,
        valueUsd: Math.round((centsToUsd(cents) + legacyUsd) * 100) / 100,
        releaseSeconds: { p50: quantile(histogram, 0.5), p95: quantile(histogram, 0.95) },
      };
    }),
  );
}
