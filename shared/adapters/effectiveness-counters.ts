/**
 * Rule effectiveness counters (contract section 15) in DynamoDB: written by the declaration store
 * inside the transaction of the transition that carries the delta (shared/domain/effectiveness.ts),
 * read by `GET /rulesets/{version}/effectiveness`. Per version: EFFECTIVENESS_SHARDS partitions (a
 * random one per write, so a busy version's audits do not make one partition hot), per creation
 * day one item per bucket of rules holding `<metric>:<ruleId>` (fired, inspected, failed,
 * followUpChecked, followUpFailed), and one item for the baselines (`inspected`, `failed`: sampling
 * alone; `followUpChecked`, `followUpFailed`: follow-up checks after release).
 */
import { queryAll, tableName } from './aws.js';
import { EFFECTIVENESS_SHARDS, keys } from './keys.js';
import type { TransactItems } from './transact.js';
import { summed, type BaselineCounts, type EffectivenessDelta, type RuleCounts } from '../domain/effectiveness.js';

const METRICS = ['fired', 'inspected', 'failed', 'followUpChecked', 'followUpFailed'] as const;
const BASELINE = ['inspected', 'failed', 'followUpChecked', 'followUpFailed'] as const;

function addUpdate(Key: { pk: string; sk: string }, day: string, version: number, adds: [string, number][]) {
  // A counter lives for ever: one non-integer delta would make every later ADD to it fail.
  for (const [name, v] of adds) if (!Number.isSafeInteger(v)) throw new Error(`effectiveness counter ${name}: ${v} is not a whole number`);
  return {
    Update: {
      TableName: tableName(),
      Key,
      UpdateExpression: `SET itemType = :type, #day = :day, ruleSetVersion = :version ADD ${adds.map((_, i) => `#a${i} :v${i}`).join(', ')}`,
      ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(adds.map(([k], i) => [`#a${i}`, k])) },
      ExpressionAttributeValues: {
        ':type': 'effectiveness',
        ':day': day,
        ':version': version,
        ...Object.fromEntries(adds.map(([, v], i) => [`:v${i}`, v])),
      },
    },
  };
}

/** The counter updates of one delta, attributed to the declaration's creation day. */
export function effectivenessUpdates(d: { createdAt: string }, delta: EffectivenessDelta): TransactItems {
  const day = d.createdAt.slice(0, 10);
  const shard = Math.floor(Math.random() * EFFECTIVENESS_SHARDS);
  const version = delta.ruleSetVersion;
  const buckets = new Map<string, { key: { pk: string; sk: string }; adds: [string, number][] }>();
  for (const rule of delta.rules) {
    const key = keys.effectivenessRules(version, shard, day, rule.ruleId);
    const bucket = buckets.get(key.sk) ?? { key, adds: [] };
    for (const m of METRICS) if (rule[m] !== 0) bucket.adds.push([`${m}:${rule.ruleId}`, rule[m]]);
    buckets.set(key.sk, bucket);
  }
  const items: TransactItems = [];
  for (const { key, adds } of buckets.values()) if (adds.length) items.push(addUpdate(key, day, version, adds));
  const random = BASELINE.filter((m) => delta.random[m] !== 0).map((m): [string, number] => [m, delta.random[m]]);
  if (random.length) items.push(addUpdate(keys.effectivenessRandom(version, shard, day), day, version, random));
  return items;
}

/**
 * One update per counter item for several deltas that commit in one transaction (an audit batch's,
 * shared/adapters/declaration-transitions.ts): DynamoDB refuses a transaction that touches an item
 * twice, and the deltas of one rule set version and creation day meet on its items. Each such
 * group is summed and written as one delta (one random shard for the group).
 */
export function mergedEffectivenessUpdates(moves: { record: { createdAt: string }; delta: EffectivenessDelta }[]): TransactItems {
  const groups = new Map<string, { record: { createdAt: string }; deltas: EffectivenessDelta[] }>();
  for (const { record, delta } of moves) {
    const key = `${delta.ruleSetVersion}|${record.createdAt.slice(0, 10)}`;
    const group = groups.get(key) ?? { record, deltas: [] };
    group.deltas.push(delta);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ record, deltas }) => effectivenessUpdates(record, summed(deltas[0]!.ruleSetVersion, deltas)));
}

export type EffectivenessTotals = { rules: Map<string, Omit<RuleCounts, 'ruleId'>>; random: BaselineCounts };

/** The counters of a version summed over shards and the creation days [fromDay, toDay] (open ends: all). */
export async function readEffectiveness(version: number, fromDay?: string, toDay?: string): Promise<EffectivenessTotals> {
  const range = keys.statsDays(fromDay ?? '0', toDay ?? '9');
  const pages = await Promise.all(
    Array.from({ length: EFFECTIVENESS_SHARDS }, (_, shard) =>
      queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.effectivenessOfVersion(version, shard), ':from': range.from, ':to': range.to },
      }),
    ),
  );
  const rules = new Map<string, Omit<RuleCounts, 'ruleId'>>();
  const random: BaselineCounts = { inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 };
  for (const item of pages.flat()) {
    if (String(item.sk).endsWith('#RANDOM')) {
      for (const m of BASELINE) random[m] += Number(item[m] ?? 0);
      continue;
    }
    for (const [attribute, value] of Object.entries(item)) {
      const colon = attribute.indexOf(':');
      const metric = attribute.slice(0, colon) as (typeof METRICS)[number];
      if (colon < 0 || !METRICS.includes(metric)) continue;
      const ruleId = attribute.slice(colon + 1);
      const counts = rules.get(ruleId) ?? { fired: 0, inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 };
      counts[metric] += Number(value);
      rules.set(ruleId, counts);
    }
  }
  return { rules, random };
}
