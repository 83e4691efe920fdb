import { describe, expect, it } from 'vitest';
import { decideObjection, dueByOf, fileObjection, overdueSeconds } from '../../../shared/domain/credit-objection.js';
import { newEnterprise } from '../../../shared/domain/enterprise.js';
import { DomainError } from '../../../shared/domain/errors.js';

const enterprise = {
  ...newEnterprise(
    { creditCode: '91350100M000100Y43', name: 'Fuzhou Trading', registeredBureau: 'SD', creditLevel: 'C' },
    { bureau: 'SD' },
    '2026-11-01T00:00:00.000Z',
  ),
};
const filed = fileObjection(
  enterprise,
  { reason: 'the late filing was the port system' },
  { principalId: 'prn_ent' },
  '2026-11-02T08:00:00.000Z',
);
const officer = { bureau: 'XJ', principalId: 'prn_off' };
const kind = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).kind;
  }
  return 'none';
};

describe('filing a credit objection', () => {
  it('is OPEN, due 20 days later, and remembers the credit objected to', () => {
    expect(filed).toMatchObject({ status: 'OPEN', creditCode: enterprise.creditCode, levelAtFiling: 'C', blacklistedAtFiling: false });
    expect(filed.id).toMatch(/^obj_/);
    expect(filed.dueBy).toBe('2026-11-22T08:00:00.000Z');
    expect(dueByOf('2026-02-20T00:00:00.000Z')).toBe('2026-03-12T00:00:00.000Z');
  });

  it('counts overdue seconds only past dueBy', () => {
    expect(overdueSeconds(filed, '2026-11-22T07:59:59.000Z')).toBe(0);
    expect(overdueSeconds(filed, '2026-11-22T08:01:40.000Z')).toBe(100);
  });
});

describe('deciding a credit objection', () => {
  it('upheld with a level: a credit change whose history names the objection, and two events', () => {
    const out = decideObjection(
      filed,
      enterprise,
      { outcome: 'UPHELD', reason: 'port outage proven', level: 'B' },
      officer,
      '2026-11-05T00:00:00.000Z',
    );
    expect(out.objection).toMatchObject({
      status: 'UPHELD',
      decision: {
        outcome: 'UPHELD',
        bureau: 'XJ',
        level: 'B',
        creditChange: { from: 'C', to: 'B', wasBlacklisted: false, blacklisted: false },
      },
    });
    expect(out.creditChange!.next).toMatchObject({ level: 'B', version: enterprise.version + 1, updatedByBureau: 'XJ' });
    expect(out.creditChange!.history).toMatchObject({ objectionId: filed.id, from: 'C', to: 'B', bureau: 'XJ' });
    expect(out.creditChange!.history.reason).toContain(filed.id);
    expect(out.events.map((e) => e.type)).toEqual(['enterprise.credit_changed', 'enterprise.credit_objection_decided']);
    expect(out.events[0]!.data.objectionId).toBe(filed.id);
    expect(out.events[1]!.data).toMatchObject({ objectionId: filed.id, outcome: 'UPHELD', creditChanged: true });
  });

  it('upheld with a blacklist removal changes the blacklist region-wide like any credit change', () => {
    const out = decideObjection(
      filed,
      { ...enterprise, blacklisted: true },
      { outcome: 'UPHELD', reason: 'wrong party', blacklisted: false },
      officer,
      '2026-11-05T00:00:00.000Z',
    );
    expect(out.creditChange!.next.blacklisted).toBe(false);
    expect(out.creditChange!.history).toMatchObject({ wasBlacklisted: true, blacklisted: false, from: 'C', to: 'C' });
  });

  it('rejected: no credit change, one event', () => {
    const out = decideObjection(
      filed,
      enterprise,
      { outcome: 'REJECTED', reason: 'late filings confirmed' },
      officer,
      '2026-11-05T00:00:00.000Z',
    );
    expect(out.creditChange).toBeUndefined();
    expect(out.objection.status).toBe('REJECTED');
    expect(out.events.map((e) => [e.type, e.data.creditChanged])).toEqual([['enterprise.credit_objection_decided', false]]);
  });

  it('upheld to the credit it already has changes nothing but is still decided and told', () => {
    const out = decideObjection(filed, enterprise, { outcome: 'UPHELD', reason: 'fine', level: 'C' }, officer, '2026-11-05T00:00:00.000Z');
    expect(out.creditChange).toBeUndefined();
    expect(out.objection.decision!.creditChange).toBeUndefined();
    expect(out.events).toHaveLength(1);
  });

  it('refuses a rejection that sets level or blacklist, naming the fields', () => {
    try {
      decideObjection(filed, enterprise, { outcome: 'REJECTED', reason: 'x', level: 'A', blacklisted: true }, officer, 'now');
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).kind).toBe('invalid');
      expect((e as DomainError).errors!.map((f) => f.path)).toEqual(['level', 'blacklisted']);
    }
  });

  it('decided twice is a conflict (409), whatever the second decision says', () => {
    const once = decideObjection(filed, enterprise, { outcome: 'REJECTED', reason: 'no' }, officer, '2026-11-05T00:00:00.000Z');
    expect(kind(() => decideObjection(once.objection, enterprise, { outcome: 'REJECTED', reason: 'no' }, officer, 'now'))).toBe('conflict');
    expect(kind(() => decideObjection(once.objection, enterprise, { outcome: 'UPHELD', reason: 'yes', level: 'A' }, officer, 'now'))).toBe(
      'conflict',
    );
  });

  it('never dates a decision before the objection when clocks disagree', () => {
    const out = decideObjection(filed, enterprise, { outcome: 'REJECTED', reason: 'no' }, officer, '2026-11-01T00:00:00.000Z');
    expect(out.objection.decision!.decidedAt).toBe(filed.createdAt);
  });
});
