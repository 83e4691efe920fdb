import { describe, expect, it } from 'vitest';
import {
  countsAgainstDeclaration,
  errorSummary,
  isParked,
  recordAuditFailure,
  redriveParked,
} from '../../../shared/domain/audit-parking.js';
import { auditDeclaration, type AuditPorts } from '../../../shared/app/audit.js';
import { compileRuleSet } from '../../../shared/domain/rules/engine.js';
import { declarationView, type DeclarationRecord } from '../../../shared/domain/declaration.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { MAX_AUDIT_FAILURES } from '../../../shared/config.js';
import { amendDeclaration, bodyOf } from '../../../shared/domain/amendment.js';
import { accepted, at, casStore, testSeal } from '../../support/records.js';

const fail = (d: DeclarationRecord, s: number, error: unknown = new Error('Number underflow'), max = 3) => {
  const t = recordAuditFailure(d, { at: at(s), error }, max);
  return { t, record: t?.record ?? d };
};

describe('parking a declaration whose audit keeps failing (pure)', () => {
  it('counts each failure and parks at the bound: out of the stranded index, with a timeline entry', () => {
    let d = accepted();
    for (let i = 1; i < 3; i++) {
      const { t, record } = fail(d, i);
      expect(t).toMatchObject({ from: 'ACCEPTED', to: 'ACCEPTED', expectedVersion: i - 1, events: [], counters: {}, timeline: [] });
      expect(t!.pendingIndex).toBeUndefined();
      expect(record.auditFailures).toEqual({ count: i, lastFailedAt: at(i), lastError: 'Error: Number underflow' });
      expect(isParked(record)).toBe(false);
      d = record;
    }
    const { t, record } = fail(d, 3);
    expect(t!.pendingIndex).toBe('parked');
    expect(record.auditFailures).toMatchObject({ count: 3, parkedAt: at(3) });
    expect(isParked(record)).toBe(true);
    expect(t!.timeline).toEqual([
      { at: at(3), status: 'ACCEPTED', bureau: 'XJ', detail: expect.stringContaining('the audit failed 3 times; parked') },
    ]);
  });

  it('the default bound is the audit queue’s receive count (5)', () => {
    let d = accepted();
    for (let i = 1; i <= MAX_AUDIT_FAILURES; i++) d = recordAuditFailure(d, { at: at(i), error: new Error('x') })!.record;
    expect(MAX_AUDIT_FAILURES).toBe(5);
    expect(isParked(d)).toBe(true);
  });

  it('counts nothing once parked, or once audited', () => {
    let d = accepted();
    for (let i = 1; i <= 3; i++) d = fail(d, i).record;
    expect(recordAuditFailure(d, { at: at(9), error: new Error('again') }, 3)).toBeUndefined();
    expect(recordAuditFailure(accepted({ status: 'RELEASED' }), { at: at(9), error: new Error('late') }, 3)).toBeUndefined();
  });

  it('a redrive restarts the count and puts it back in the stranded index; only a parked one (409)', () => {
    let d = accepted();
    for (let i = 1; i <= 3; i++) d = fail(d, i).record;
    const t = redriveParked(d, { at: at(10), who: 'an officer of SD', principalId: 'prn_1' });
    expect(t.pendingIndex).toBe('stranded');
    expect(t.record.auditFailures).toEqual({
      count: 0,
      lastFailedAt: at(3),
      lastError: 'Error: Number underflow',
      redrivenAt: at(10),
      redrivenBy: 'prn_1',
    });
    expect(isParked(t.record)).toBe(false);
    expect(t.timeline[0]!.detail).toBe('redriven by an officer of SD; queued for audit again');
    expect(t.timeline[0]!.detail).not.toContain('prn_1');
    expect(() => redriveParked(t.record, { at: at(11), who: 'x', principalId: 'p' })).toThrowError(
      expect.objectContaining({ kind: 'conflict' }) as Error,
    );
    // Parked again only after another full run of failures.
    let again = t.record;
    for (let i = 1; i < 3; i++) again = fail(again, 20 + i).record;
    expect(isParked(again)).toBe(false);
    expect(isParked(fail(again, 30).record)).toBe(true);
  });

  it('an amendment of a parked declaration forgets its failures: the new body is audited afresh, back in the stranded index', () => {
    let d = accepted();
    for (let i = 1; i <= 3; i++) d = fail(d, i).record;
    const t = amendDeclaration(d, { ...bodyOf(d), destinationCountry: 'UZ', amendmentReason: 'fixed the destination' }, at(20))!;
    expect(t.record.auditFailures).toBeUndefined();
    expect(isParked(t.record)).toBe(false);
    expect(t.amendment).toBeDefined(); // written whole, with the stranded index entry (declaration-store applyAmendment)
  });

  it('the view says parked (since, attempts) but never the error message', () => {
    let d = accepted();
    for (let i = 1; i <= 3; i++) d = fail(d, i, new Error('secret internals')).record;
    const view = declarationView(d, 'http://x');
    expect(view.parked).toEqual({ since: at(3), failedAttempts: 3 });
    expect(JSON.stringify(view)).not.toContain('secret internals');
    expect(declarationView(accepted(), 'http://x').parked).toBeUndefined();
  });

  it('counts failures of the declaration, not of the platform (throttled, unreachable, lost races)', () => {
    const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
    expect(countsAgainstDeclaration(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(true);
    expect(countsAgainstDeclaration(new Error('declaration d: enterprise X is not registered'))).toBe(true);
    expect(countsAgainstDeclaration('a string')).toBe(true);
    expect(countsAgainstDeclaration(named('ProvisionedThroughputExceededException'))).toBe(false);
    expect(countsAgainstDeclaration(named('ThrottlingException'))).toBe(false);
    expect(countsAgainstDeclaration(named('Error', { code: 'ECONNREFUSED' }))).toBe(false);
    expect(countsAgainstDeclaration(named('InternalFailure', { $metadata: { httpStatusCode: 500 } }))).toBe(false);
    expect(countsAgainstDeclaration(named('X', { $retryable: {} }))).toBe(false);
    expect(countsAgainstDeclaration(new DomainError('conflict', 'declaration d is changing too often; try again'))).toBe(false);
  });

  it('summarises an error on one bounded line', () => {
    expect(errorSummary(new TypeError('a\n  b'))).toBe('TypeError: a b');
    expect(errorSummary(new Error('x'.repeat(1000)))).toHaveLength(300);
  });
});

describe('auditing a declaration whose audit keeps failing (use case over a compare-and-set store)', () => {
  const ruleSet = compileRuleSet(
    { description: 'all documents', negativeLists: { export: [], import: [] }, sampling: { AA: 0, A: 0, B: 0, C: 0, D: 0 }, rules: [] },
    7,
  );
  it('throws (the queue retries) until the bound, then answers parked and skips it from then on', async () => {
    const cas = casStore(accepted());
    let broken = true;
    let lookups = 0;
    const ports: AuditPorts = {
      store: cas.store,
      enterprises: {
        get: async () => {
          lookups++;
          if (broken) throw new Error('Number underflow');
          return { level: 'A', blacklisted: false };
        },
      },
      activeRuleSet: async () => ruleSet,
      sealer: async () => testSeal,
      clock: () => at(5),
      maxFailures: 3,
    };
    await expect(auditDeclaration('d', ports)).rejects.toThrow('Number underflow');
    await expect(auditDeclaration('d', ports)).rejects.toThrow('Number underflow');
    expect(await auditDeclaration('d', ports)).toEqual({ outcome: 'parked' });
    expect(isParked(cas.current())).toBe(true);
    // Parked: not even attempted again.
    broken = false;
    const before = lookups;
    expect(await auditDeclaration('d', ports)).toEqual({ outcome: 'parked' });
    expect(lookups).toBe(before);
    expect(cas.current().status).toBe('ACCEPTED');
  });

  it('does not count a failure of the platform', async () => {
    const cas = casStore(accepted());
    const ports: AuditPorts = {
      store: cas.store,
      enterprises: { get: async () => Promise.reject(Object.assign(new Error('busy'), { name: 'ThrottlingException' })) },
      activeRuleSet: async () => ruleSet,
      sealer: async () => testSeal,
      clock: () => at(5),
      maxFailures: 1,
    };
    await expect(auditDeclaration('d', ports)).rejects.toThrow('busy');
    expect(cas.committed).toHaveLength(0);
  });
});
