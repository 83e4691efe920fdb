/** Reads shared by one batch's records (shared/app/batch-scope.ts). */
import { describe, expect, it } from 'vitest';
import { sharedPerBatch } from '../../../shared/app/batch-scope.js';

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
