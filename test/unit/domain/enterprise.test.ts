import { describe, expect, it } from 'vitest';
import { newEnterprise, planCreditChange } from '../../../shared/domain/enterprise.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { creditMeasures, DEFAULT_SAMPLING } from '../../../shared/domain/rules/measures.js';

const registered = newEnterprise(
  { creditCode: '91350100M000100Y43', name: 'Fuzhou Trading', registeredBureau: 'SD' },
  { bureau: 'SD' },
  '2026-11-01T00:00:00.000Z',
);
const byXJ = { bureau: 'XJ', principalId: 'prn_1' };

describe('enterprise credit', () => {
  it('registers at level B, not blacklisted, unless a level is given', () => {
    expect(registered).toMatchObject({ level: 'B', blacklisted: false, version: 1, registeredBureau: 'SD' });
    expect(newEnterprise({ creditCode: 'x', name: 'n', registeredBureau: 'HA', creditLevel: 'AA' }, { bureau: 'HA' }, 'now').level).toBe(
      'AA',
    );
  });

  it('records who changed what, from which bureau and why, and emits one event', () => {
    const change = planCreditChange(registered, { level: 'A', reason: 'two clean years' }, byXJ, '2026-11-02T00:00:00.000Z')!;
    expect(change.next).toMatchObject({ level: 'A', updatedByBureau: 'XJ', version: 2 });
    expect(change.history).toEqual({
      at: '2026-11-02T00:00:00.000Z',
      bureau: 'XJ',
      principalId: 'prn_1',
      from: 'B',
      to: 'A',
      wasBlacklisted: false,
      blacklisted: false,
      reason: 'two clean years',
    });
    expect(change.event).toMatchObject({
      type: 'enterprise.credit_changed',
      enterpriseId: registered.creditCode,
      data: { from: 'B', to: 'A', bureau: 'XJ' },
    });
  });

  it('treats a change to the current state as no change', () => {
    expect(planCreditChange(registered, { level: 'B', blacklisted: false, reason: 'same' }, byXJ, 'now')).toBeUndefined();
  });

  it('refuses a change that names neither level nor blacklist', () => {
    expect(() => planCreditChange(registered, { reason: 'nothing' }, byXJ, 'now')).toThrow(DomainError);
  });

  it('never moves updatedAt backwards when clocks of two bureaus disagree', () => {
    const change = planCreditChange(registered, { blacklisted: true, reason: 'fraud' }, byXJ, '2026-10-01T00:00:00.000Z')!;
    expect(change.next.updatedAt).toBe(registered.updatedAt);
  });
});

describe('credit measures', () => {
  it.each([
    ['AA', false, 0.01, true, true],
    ['B', false, 0.1, true, true],
    ['C', false, 0.3, true, true],
    ['D', false, 1, false, false],
    ['AA', true, 1, false, false],
  ] as const)('level %s blacklisted=%s: rate %s, integration %s, document release %s', (level, blacklisted, rate, integration, docs) => {
    expect(creditMeasures({ level, blacklisted }, DEFAULT_SAMPLING)).toEqual({
      samplingRate: rate,
      regionalIntegration: integration,
      documentRelease: docs,
    });
  });
});

describe('declaration state machine', () => {
  it('allows exactly the contract transitions', async () => {
    const { canTransition } = await import('../../../shared/domain/declaration.js');
    const allowed = [
      ['ACCEPTED', 'RETURNED'],
      ['ACCEPTED', 'INSPECTION_REQUIRED'],
      ['ACCEPTED', 'RELEASED'],
      ['INSPECTION_REQUIRED', 'RELEASED'],
      ['INSPECTION_REQUIRED', 'FAILED'],
      // contract section 13: amended back to ACCEPTED; cancelled from every non-final status
      ['RETURNED', 'ACCEPTED'],
      ['INSPECTION_REQUIRED', 'ACCEPTED'],
      ['ACCEPTED', 'CANCELLED'],
      ['RETURNED', 'CANCELLED'],
      ['INSPECTION_REQUIRED', 'CANCELLED'],
    ];
    const statuses = ['ACCEPTED', 'RETURNED', 'INSPECTION_REQUIRED', 'RELEASED', 'FAILED', 'CANCELLED'] as const;
    for (const from of statuses) {
      for (const to of statuses) {
        expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed.some(([a, b]) => a === from && b === to));
      }
    }
  });
});
