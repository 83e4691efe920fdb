/**
 * Issue 9.6, against DynamoDB Local: a compiled draft is cached (simulating the same big draft again
 * neither reads nor compiles it again), and the simulation's time budget bounds the scan of recent
 * declarations too (`from: 1990-01-01` used to take 14–29 s, once a 500).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../functions/seed.js';
import { ruleSetStore } from '../../shared/adapters/ruleset-store.js';
import { simulate } from '../../shared/app/simulate.js';
import type { RuleSetInput } from '../../shared/schemas/ruleset.js';
import { countDynamoCalls } from '../support/dynamo-calls.js';
import defaultRuleSet from '../../config/default-ruleset.json' with { type: 'json' };

const draft = (description: string): RuleSetInput => ({ ...(structuredClone(defaultRuleSet) as RuleSetInput), description });
let version: number;

beforeAll(async () => {
  await seed();
  version = (await ruleSetStore.createDraft(draft('cached draft'), 'prn_test_rules', new Date().toISOString())).version;
});

describe('compiled drafts are cached', () => {
  it('compiles a draft once: the second use reads nothing and answers the same compiled set', async () => {
    const first = await countDynamoCalls(() => ruleSetStore.compiled(version));
    expect(first.calls).toEqual(['GetItem']);
    const second = await countDynamoCalls(() => ruleSetStore.compiled(version));
    expect(second.calls).toEqual([]);
    expect(second.result).toBe(first.result);
  });

  it('is bounded: after 16 newer versions the oldest is compiled again', async () => {
    const others: number[] = [];
    for (let i = 0; i < 16; i++)
      others.push((await ruleSetStore.createDraft(draft(`other ${i}`), 'prn_test_rules', new Date().toISOString())).version);
    for (const v of others) await ruleSetStore.compiled(v);
    const again = await countDynamoCalls(() => ruleSetStore.compiled(version));
    expect(again.calls).toEqual(['GetItem']);
  });
});

describe('the simulation budget covers the scan', () => {
  it('a range back to 1990 stops at the deadline: truncated, without walking every day', async () => {
    const started = Date.now();
    const { result, calls } = await countDynamoCalls(() =>
      simulate(version, { from: '1990-01-01T00:00:00.000Z', limit: 5000 }, new Date(), 0),
    );
    expect(result.truncated).toBe(true);
    // Without the deadline the scan queries 8 shards for each of 366 days (2,928 queries).
    expect(calls.filter((c) => c === 'Query').length).toBeLessThanOrEqual(8);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
