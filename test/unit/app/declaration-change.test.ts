import { describe, expect, it } from 'vitest';
import { changeDeclaration, type DeclarationChangeStore } from '../../../shared/app/declaration-change.js';
import type { DeclarationRecord } from '../../../shared/domain/declaration.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { at, awaitingInspection, testSeal } from '../../support/records.js';

/** Two officers at once: the port's step committed first (version 1 → 2), the origin's lost. */
function raced() {
  const read = awaitingInspection();
  const winner = recordStep(
    read,
    'PORT_VERIFICATION',
    { bureau: 'SD', principalId: 'prn_sd' },
    { outcome: 'PASS' },
    { at: at(5), seal: testSeal, timeLimitS: () => 86_400 },
  ).record;
  return { read, winner };
}

const originPasses = (d: DeclarationRecord) =>
  recordStep(
    d,
    'ORIGIN_INSPECTION',
    { bureau: 'HA', principalId: 'prn_ha' },
    { outcome: 'PASS' },
    { at: at(6), seal: testSeal, timeLimitS: () => 86_400 },
  );

/** A store at `winner` whose first commit loses, answering `lost` (what the adapter knows then). */
function storeLosingOnce(read: DeclarationRecord, winner: DeclarationRecord, lost: 'winner' | 'nothing') {
  const calls: string[] = [];
  const store: DeclarationChangeStore = {
    async get() {
      // The winner commits right after the loser's first read.
      const winnerCommitted = calls.some((c) => c.startsWith('apply'));
      calls.push('get');
      return structuredClone(winnerCommitted ? winner : read);
    },
    async apply(t) {
      calls.push(`apply@${t.expectedVersion}`);
      if (t.expectedVersion === winner.version) return true;
      return lost === 'winner' ? { current: structuredClone(winner) } : false;
    },
  };
  return { store, calls };
}

describe('changeDeclaration after a lost race', () => {
  it('decides again on the record the lost commit brought back, without reading it', async () => {
    const { read, winner } = raced();
    const { store, calls } = storeLosingOnce(read, winner, 'winner');
    const t = await changeDeclaration(read.id, originPasses, store);
    expect(calls).toEqual(['get', `apply@${read.version}`, `apply@${winner.version}`]);
    // Decided on the winner's state: both steps passed, so this commit releases.
    expect(t?.to).toBe('RELEASED');
  });

  it('reads again when the store brings nothing back', async () => {
    const { read, winner } = raced();
    const { store, calls } = storeLosingOnce(read, winner, 'nothing');
    const t = await changeDeclaration(read.id, originPasses, store);
    expect(calls).toEqual(['get', `apply@${read.version}`, 'get', `apply@${winner.version}`]);
    expect(t?.to).toBe('RELEASED');
  });

  it("uses the caller's record for the first attempt only", async () => {
    const { read, winner } = raced();
    const { store, calls } = storeLosingOnce(read, winner, 'nothing');
    await changeDeclaration(read.id, originPasses, store, read);
    expect(calls).toEqual([`apply@${read.version}`, 'get', `apply@${winner.version}`]);
  });
});
