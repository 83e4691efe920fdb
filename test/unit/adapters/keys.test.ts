import { describe, expect, it } from 'vitest';
import { DAY_SHARDS, keys, PENDING_SHARDS, shardOf } from '../../../shared/adapters/keys.js';

describe('keys', () => {
  it('reads back the id it built into a key, and refuses a key of another kind', () => {
    expect(keys.declarationIdOf(keys.declaration('dcl_1').pk)).toBe('dcl_1');
    expect(keys.eventIdOf(keys.event('evt_1').pk)).toBe('evt_1');
    expect(keys.deliveryIdOf(keys.delivery('msg_1')!.pk)).toBe('msg_1');
    expect(keys.deliveryIdOf(keys.legacyDelivery('msg_1').pk)).toBe('msg_1');
    expect(() => keys.declarationIdOf(keys.event('evt_1').pk)).toThrow(/not a DECL# key/);
  });

  it("stores a delivery on its event's item, and has no key for an id no delivery can have", () => {
    expect(keys.delivery('msg_01ABC')).toEqual(keys.event('evt_01ABC'));
    expect(keys.deliveryIdOf(keys.event('evt_01ABC').pk)).toBe('msg_01ABC');
    for (const id of ['evt_01ABC', 'msg_', 'msg_a b', '01ABC', 'msg_x#y']) expect(keys.delivery(id)).toBeUndefined();
  });

  it('reads back an open objection from its sort key, which orders by due time first', () => {
    const sort = keys.openCreditObjectionSort('2026-12-16T10:00:00.000Z', '91350100M000100Y43', 'obj_1');
    expect(keys.openCreditObjectionOf(sort)).toEqual({ dueBy: '2026-12-16T10:00:00.000Z', creditCode: '91350100M000100Y43', id: 'obj_1' });
    expect(sort < keys.openCreditObjectionSort('2026-12-16T10:00:00.001Z', '0', 'obj_0')).toBe(true);
    expect(() => keys.openCreditObjectionOf(keys.declaration('dcl_1').pk)).toThrow(/not an open-objection sort key/);
  });

  it('keeps line chunks beside their header, in chunk order', () => {
    const chunks = [10, 2, 0].map((i) => keys.declarationLines('dcl_1', i));
    expect(new Set(chunks.map((c) => c.pk))).toEqual(new Set([keys.declaration('dcl_1').pk]));
    expect(chunks.every((c) => c.sk.startsWith(keys.declarationLinesPrefix))).toBe(true);
    expect(chunks.map((c) => c.sk).sort()).toEqual([0, 2, 10].map((i) => keys.declarationLines('dcl_1', i).sk));
  });

  it('a creation range holds every item created at its ends, whatever its id', () => {
    const { gsi1sk } = keys.ownerListing('ENTDECL#x', '2026-12-01T10:00:00.000Z', 'dcl_zzzz');
    const range = keys.createdBetween('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z');
    expect(gsi1sk >= range.from && gsi1sk <= range.to).toBe(true);
    const open = keys.createdBetween(undefined, undefined);
    expect(gsi1sk >= open.from && gsi1sk <= open.to).toBe(true);
    const days = keys.statsDays('2026-12-01', '2026-12-01');
    const { sk } = keys.statsCounter('declaredAt', 'SD', '2026-12-01', 'EXPORT', 15);
    expect(sk >= days.from && sk <= days.to).toBe(true);
    expect(keys.statsCounter('declaredAt', 'SD', '2026-12-02', 'EXPORT', 0).sk <= days.to).toBe(false);
  });

  it('places each id in one shard of its own index, the same every time', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `dcl_${i}`);
    const pending = new Set(ids.map((id) => keys.stranded(id)));
    expect(pending.size).toBe(PENDING_SHARDS);
    expect(new Set(ids.map((id) => keys.dayListing('2026-12-01T00:00:00Z', id).gsi3pk)).size).toBe(DAY_SHARDS);
    expect(keys.stranded('dcl_7')).toBe(keys.strandedShard(shardOf('dcl_7', PENDING_SHARDS)));
    expect(keys.dayListing('2026-12-01T00:00:00Z', 'dcl_7').gsi3pk).toBe(
      keys.declarationsOfDay('2026-12-01', shardOf('dcl_7', DAY_SHARDS)),
    );
  });
});
