import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CountedDeclaration } from '../../../shared/adapters/stats-counters.js';

beforeAll(() => {
  process.env.TABLE_NAME ??= 'clearway-unit';
});
afterEach(() => vi.restoreAllMocks());

const { mergedCounterUpdates } = await import('../../../shared/adapters/stats-counters.js');
const { amendmentCounterUpdates } = await import('../../../shared/adapters/declaration-store.js');

const atSN: CountedDeclaration = {
  declaredAt: 'SN',
  inspectionBureau: 'HA',
  portBureau: 'SD',
  direction: 'EXPORT',
  createdAt: '2026-12-02T07:00:00.000Z',
} as CountedDeclaration;
const movedToNX = { ...atSN, declaredAt: 'NX' } as CountedDeclaration;

const keyOf = (u: { Update: { Key: Record<string, unknown> } }) => JSON.stringify(u.Update.Key);

describe('statistics counters of one transaction', () => {
  it('touch every counter item once when an amendment moves the declaring bureau (whatever shard is drawn)', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0); // every update draws the same shard: the worst case
    const updates = amendmentCounterUpdates(
      atSN,
      { declarations: -1, lines: -3, valueCents: -12_000 },
      movedToNX,
      { declarations: 1, lines: 4, valueCents: 15_000 },
    );
    const keys = updates.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    // declared at: SN taken back, NX counted; inspected at and destination: one merged update each
    expect(updates).toHaveLength(4);
    const merged = updates.filter((u) => !JSON.stringify(u.Update.Key).includes('SN') && !JSON.stringify(u.Update.Key).includes('NX'));
    for (const u of merged) {
      const values = Object.values(u.Update.ExpressionAttributeValues).filter((v) => typeof v === 'number');
      expect(values.sort((a, b) => a - b)).toEqual([1, 3_000]); // lines +1, value +30.00; declarations net 0
    }
  });

  it('writes nothing for deltas that cancel out', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const same = { declarations: 1, lines: 2, valueCents: 500 };
    const back = { declarations: -1, lines: -2, valueCents: -500 };
    expect(mergedCounterUpdates([{ record: atSN, counters: back }, { record: atSN, counters: same }])).toEqual([]);
  });

  it('sums a pack of declarations at one bureau into one update per view', () => {
    const pack = Array.from({ length: 25 }, () => ({ record: atSN, counters: { declarations: 1, lines: 2 } }));
    const updates = mergedCounterUpdates(pack);
    expect(updates).toHaveLength(3);
    for (const u of updates) expect(Object.values(u.Update.ExpressionAttributeValues)).toEqual(expect.arrayContaining([25, 50]));
  });
});
