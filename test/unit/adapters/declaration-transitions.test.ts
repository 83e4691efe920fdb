/** An audit batch's transitions in one transaction (shared/adapters/declaration-transitions.ts), against a recording commit. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TransactItems, TransactOutcome } from '../../../shared/adapters/transact.js';
import type { DeclarationRecord } from '../../../shared/domain/declaration.js';
import type { DeclarationTransition } from '../../../shared/domain/transition.js';

beforeAll(() => {
  process.env.TABLE_NAME ??= 'clearway-unit';
});

const { applyMany } = await import('../../../shared/adapters/declaration-transitions.js');

/** A document release of declaration `id`, filed at SN for SD: it moves three statistics counters. */
function release(id: string, over: Partial<DeclarationTransition> = {}): DeclarationTransition {
  return {
    record: {
      id,
      createdAt: '2026-12-07T09:59:59.000Z',
      updatedAt: '2026-12-07T10:00:00.000Z',
      declaredAt: 'SN',
      inspectionBureau: 'SN',
      portBureau: 'SD',
      direction: 'EXPORT',
    } as DeclarationRecord,
    expectedVersion: 1,
    from: 'ACCEPTED',
    to: 'RELEASED',
    set: {},
    timeline: [],
    events: [],
    counters: { released: 1, documentReleased: 1 },
    releaseSeconds: 1,
    worklist: [],
    ...over,
  };
}

type Update = { Update: { Key: { pk: string; sk: string }; ExpressionAttributeValues: Record<string, unknown> } };
const headerOf = (item: unknown) => (item as Update).Update.Key.pk;
const isCounter = (item: unknown) => (item as Update).Update.ExpressionAttributeValues[':type'] === 'stats';

/** A commit that records each transaction's items and answers with `answer` (committed by default). */
function recordingCommit(answer: (items: TransactItems) => TransactOutcome | Promise<TransactOutcome> = () => ({ committed: true })) {
  const commits: TransactItems[] = [];
  const commit = async (items: TransactItems) => {
    commits.push(items);
    return answer(items);
  };
  return { commits, commit };
}

const aloneNever = async (): Promise<boolean> => {
  throw new Error('nothing here is applied alone');
};

describe('applyMany', () => {
  it("commits a batch's transitions in one transaction, one update per counter they meet on, the deltas summed", async () => {
    const { commits, commit } = recordingCommit();
    const ts = ['a', 'b', 'c', 'd'].map((id) => release(id));
    const outcomes = await applyMany(ts, { commit, applyAlone: aloneNever });
    expect(outcomes).toEqual(ts.map(() => ({ status: 'fulfilled', value: true })));
    expect(commits).toHaveLength(1);
    const [items] = commits as [TransactItems];
    // Four headers, in order, then the three statistics views once each (twelve items alone).
    expect(items.slice(0, 4).map(headerOf)).toEqual(['a', 'b', 'c', 'd'].map((id) => `DECL#${id}`));
    const counters = items.filter(isCounter) as unknown as Update[];
    expect(counters).toHaveLength(3);
    for (const c of counters) expect(Object.values(c.Update.ExpressionAttributeValues).filter((v) => v === 4)).toHaveLength(3); // released, documentReleased, rs_0
    expect(items).toHaveLength(7);
  });

  it('answers a lost race to its own transition only and commits the rest again without it', async () => {
    const { commits, commit } = recordingCommit((items) =>
      // b's header condition fails while it is in the pack (nothing written), then the rest commits.
      items.some((i) => headerOf(i) === 'DECL#b')
        ? { committed: false, failedItems: [1], currentItems: new Map([[1, { pk: 'DECL#b', status: 'RELEASED' }]]) }
        : { committed: true },
    );
    const outcomes = await applyMany(
      ['a', 'b', 'c'].map((id) => release(id)),
      { commit, applyAlone: aloneNever },
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([true, false, true]);
    expect(commits).toHaveLength(2);
    expect(commits[1]!.filter((i) => !isCounter(i)).map(headerOf)).toEqual(['DECL#a', 'DECL#c']);
    // The counters of the second commit count a and c only.
    for (const c of commits[1]!.filter(isCounter) as unknown as Update[])
      expect(Object.values(c.Update.ExpressionAttributeValues)).toContain(2);
  });

  it('fails only a transition whose other condition fails (a certificate number taken); its batch-mates commit', async () => {
    const certificate = { content: { certificateNo: 'C-1' } } as unknown as NonNullable<DeclarationTransition['certificate']>;
    const { commits, commit } = recordingCommit((items) =>
      items.length > 4 ? { committed: false, failedItems: [2], currentItems: new Map() } : { committed: true },
    );
    // a: header 0; b: header 1, certificate 2.
    const outcomes = await applyMany([release('a'), release('b', { certificate })], { commit, applyAlone: aloneNever });
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: true });
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/declaration b: transition failed on items 1/) }),
    });
    expect(commits).toHaveLength(2);
  });

  it('commits each transition alone when the pack fails for a reason that is not load, so one bad item fails only its own', async () => {
    const poison = release('poison');
    const { commits, commit } = recordingCommit((items) => {
      if (items.some((i) => headerOf(i) === 'DECL#poison'))
        throw Object.assign(new Error('Item size has exceeded the maximum'), { name: 'ValidationException' });
      return { committed: true };
    });
    const outcomes = await applyMany([release('a'), poison, release('c')], { commit, applyAlone: aloneNever });
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(commits).toHaveLength(4); // the pack, then each alone
  });

  it('refuses a non-integer counter delta for its own transition only, even where the pack would sum it to a whole number', async () => {
    const { commits, commit } = recordingCommit();
    const half = { released: 1, lines: 0.5 } as DeclarationTransition['counters'];
    const outcomes = await applyMany([release('a', { counters: half }), release('b', { counters: half }), release('c')], {
      commit,
      applyAlone: aloneNever,
    });
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(
      commits
        .flat()
        .filter((i) => !isCounter(i))
        .map(headerOf),
    ).toEqual(['DECL#c']);
  });

  it("commits each alone when a condition fails outside every transition's own items, and fails a lone one", async () => {
    const { commits, commit } = recordingCommit((items) =>
      items.length > 4 ? { committed: false, failedItems: [items.length - 1], currentItems: new Map() } : { committed: true },
    );
    const outcomes = await applyMany([release('a'), release('b')], { commit, applyAlone: aloneNever });
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(commits).toHaveLength(3);
    const never = recordingCommit((items) => ({ committed: false, failedItems: [items.length - 1], currentItems: new Map() }));
    const [lone] = await applyMany([release('a')], { commit: never.commit, applyAlone: aloneNever });
    expect(lone).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/declaration a/) }),
    });
    expect(never.commits).toHaveLength(1);
  });

  it('fails the whole pack on throttling, without retrying each alone (that would only add load)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } });
    const { commits, commit } = recordingCommit(() => {
      throw throttled;
    });
    const outcomes = await applyMany(
      ['a', 'b', 'c'].map((id) => release(id)),
      { commit, applyAlone: aloneNever },
    );
    expect(outcomes).toEqual(['a', 'b', 'c'].map(() => ({ status: 'rejected', reason: throttled })));
    expect(commits).toHaveLength(1);
  });

  it('applies an amendment and a second transition of one declaration alone, beside the pack', async () => {
    const { commits, commit } = recordingCommit();
    const alone: string[] = [];
    const applyAlone = async (t: DeclarationTransition) => {
      alone.push(t.record.id);
      return true;
    };
    const amendment = release('amended', { amendment: {} as NonNullable<DeclarationTransition['amendment']> });
    const outcomes = await applyMany([release('a'), amendment, release('a'), release('b')], { commit, applyAlone });
    expect(outcomes.every((o) => o.status === 'fulfilled' && o.value === true)).toBe(true);
    expect(alone).toEqual(['amended', 'a']);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.filter((i) => !isCounter(i)).map(headerOf)).toEqual(['DECL#a', 'DECL#b']);
  });

  it('merges the rule effectiveness deltas of one rule set version and day into one update per counter item', async () => {
    const { commits, commit } = recordingCommit();
    const effectiveness = {
      ruleSetVersion: 3,
      rules: [{ ruleId: 'R1', fired: 1, inspected: 1, failed: 0, followUpChecked: 0, followUpFailed: 0 }],
      random: { inspected: 1, failed: 0, followUpChecked: 0, followUpFailed: 0 },
    };
    await applyMany(
      ['a', 'b', 'c'].map((id) => release(id, { effectiveness })),
      { commit, applyAlone: aloneNever },
    );
    const updates = commits[0]!.filter(
      (i) => (i as unknown as Update).Update?.ExpressionAttributeValues[':type'] === 'effectiveness',
    ) as unknown as Update[];
    // One item for R1's bucket, one for the random baseline: each adds 3 (six items without merging).
    expect(updates).toHaveLength(2);
    for (const u of updates) expect(Object.values(u.Update.ExpressionAttributeValues).filter((v) => v === 3).length).toBeGreaterThan(0);
    expect(new Set(updates.map((u) => JSON.stringify(u.Update.Key))).size).toBe(2);
  });

  it('keeps a transaction within 100 items: 40 releases of 4 items each go in two packs', async () => {
    const { commits, commit } = recordingCommit();
    const outcomes = await applyMany(
      Array.from({ length: 40 }, (_, i) => release(`d${i}`)),
      { commit, applyAlone: aloneNever },
    );
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(commits.map((items) => items.filter((i) => !isCounter(i)).length)).toEqual([25, 15]);
    for (const items of commits) expect(items.length).toBeLessThanOrEqual(100);
  });
});
