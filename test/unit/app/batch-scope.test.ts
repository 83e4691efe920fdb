/** Reads shared by one batch's records (shared/app/batch-scope.ts). */
import { describe, expect, it } from 'vitest';
import { coalescedPerBatch, groupedPerRound, sharedPerBatch } from '../../../shared/app/batch-scope.js';

function countingRead() {
  const asked: string[] = [];
  const read = async (code: string) => {
    asked.push(code);
    if (code === 'broken') throw new Error('read failed');
    return { code };
  };
  return { asked, read };
}

describe('sharedPerBatch', () => {
  it('reads each key once for concurrent and later calls, and each distinct key on its own', async () => {
    const { asked, read } = countingRead();
    const get = sharedPerBatch(read, (code) => code);
    const results = await Promise.all([get('A'), get('A'), get('B'), get('A')]);
    expect(await get('B')).toEqual({ code: 'B' });
    expect(results).toEqual([{ code: 'A' }, { code: 'A' }, { code: 'B' }, { code: 'A' }]);
    expect(asked).toEqual(['A', 'B']);
  });
  it("shares a failed read with that batch's callers only; a new scope reads again", async () => {
    const { asked, read } = countingRead();
    const batch = sharedPerBatch(read, (code) => code);
    await expect(batch('broken')).rejects.toThrow('read failed');
    await expect(batch('broken')).rejects.toThrow('read failed');
    expect(asked).toEqual(['broken']);
    const next = sharedPerBatch(read, (code) => code);
    await expect(next('broken')).rejects.toThrow('read failed');
    expect(asked).toEqual(['broken', 'broken']);
  });
});

describe('coalescedPerBatch', () => {
  function countingReadMany() {
    const rounds: string[][] = [];
    const readMany = async (keys: string[]) => {
      rounds.push(keys);
      if (keys.includes('broken')) throw new Error('read failed');
      return new Map(keys.filter((k) => k !== 'absent').map((k) => [k, { key: k, seen: [] as string[] }]));
    };
    return { rounds, readMany };
  }

  it('answers the calls made at the same moment with one read, each distinct key once', async () => {
    const { rounds, readMany } = countingReadMany();
    const get = coalescedPerBatch(readMany, (k: string) => k);
    const results = await Promise.all([get('A'), get('B'), get('A'), get('absent')]);
    expect(rounds).toEqual([['A', 'B', 'absent']]);
    expect(results.map((r) => r?.key)).toEqual(['A', 'B', 'A', undefined]);
  });

  it('gives each caller of the same key its own copy', async () => {
    const { readMany } = countingReadMany();
    const get = coalescedPerBatch(readMany, (k: string) => k);
    const [first, second] = await Promise.all([get('A'), get('A')]);
    first!.seen.push('changed by the first caller');
    expect(second).toEqual({ key: 'A', seen: [] });
  });

  it('shares time, not results: a later call reads again', async () => {
    const { rounds, readMany } = countingReadMany();
    const get = coalescedPerBatch(readMany, (k: string) => k);
    await get('A');
    await Promise.all([get('A'), get('C')]);
    expect(rounds).toEqual([['A'], ['A', 'C']]);
  });

  it('reads a failed round again key by key: only the callers of the failing key fail', async () => {
    const { rounds, readMany } = countingReadMany();
    const get = coalescedPerBatch(readMany, (k: string) => k);
    const settled = await Promise.allSettled([get('A'), get('broken'), get('B'), get('broken')]);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value?.key : String(r.reason)))).toEqual([
      'A',
      'Error: read failed',
      'B',
      'Error: read failed',
    ]);
    expect(rounds).toEqual([['A', 'broken', 'B'], ['A'], ['broken'], ['B']]);
  });

  it('fails a whole round at once on throttling, without reading each key again', async () => {
    const rounds: string[][] = [];
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const get = coalescedPerBatch(
      async (keys: string[]) => {
        rounds.push(keys);
        throw throttled;
      },
      (k: string) => k,
    );
    const settled = await Promise.allSettled([get('A'), get('B')]);
    expect(settled.map((r) => r.status === 'rejected' && r.reason)).toEqual([throttled, throttled]);
    expect(rounds).toEqual([['A', 'B']]);
  });

  it('fails the callers of a round of one key at once, and the next round reads again', async () => {
    const { rounds, readMany } = countingReadMany();
    const get = coalescedPerBatch(readMany, (k: string) => k);
    await expect(Promise.all([get('broken'), get('broken')])).rejects.toThrow('read failed');
    expect((await get('A'))?.key).toBe('A');
    expect(rounds).toEqual([['broken'], ['A']]);
  });
});

describe('groupedPerRound', () => {
  function recording() {
    const rounds: string[][] = [];
    const alone: string[] = [];
    const runMany = async (inputs: string[]): Promise<PromiseSettledResult<string>[]> => {
      rounds.push(inputs);
      return inputs.map((i) =>
        i === 'bad' ? { status: 'rejected', reason: new Error(`${i} failed`) } : { status: 'fulfilled', value: `${i} done` },
      );
    };
    const runOne = async (input: string) => {
      alone.push(input);
      return `${input} alone`;
    };
    return { rounds, alone, write: groupedPerRound(runMany, runOne) };
  }
  it("runs the calls of one moment together, answering each by position; a failure is its own caller's", async () => {
    const { rounds, alone, write } = recording();
    const answers = await Promise.allSettled(['a', 'bad', 'c'].map((i) => write(i)));
    expect(rounds).toEqual([['a', 'bad', 'c']]);
    expect(alone).toEqual([]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual([
      'a done',
      'bad failed',
      'c done',
    ]);
  });
  it('runs a call alone when nothing else came in its moment, and a later call (a retry) in a round of its own', async () => {
    const { rounds, alone, write } = recording();
    expect(await write('a')).toBe('a alone');
    const [b, c] = await Promise.all([write('b'), write('c')]);
    expect([b, c]).toEqual(['b done', 'c done']);
    expect(await write('d')).toBe('d alone');
    expect(alone).toEqual(['a', 'd']);
    expect(rounds).toEqual([['b', 'c']]);
  });
  it('answers a lone call whose run throws at once, instead of leaving it unsettled', async () => {
    const write = groupedPerRound<string, string>(
      async (inputs) => inputs.map((i) => ({ status: 'fulfilled' as const, value: i })),
      () => {
        throw new Error('thrown before any promise');
      },
    );
    await expect(write('a')).rejects.toThrow('thrown before any promise');
  });
  it('fails every call of a round whose run fails as a whole', async () => {
    const write = groupedPerRound<string, string>(
      async () => {
        throw new Error('outage');
      },
      async (i) => i,
    );
    const answers = await Promise.allSettled([write('a'), write('b')]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
  });
});
