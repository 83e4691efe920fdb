import { describe, expect, it } from 'vitest';
import { amendDeclaration, bodyOf } from '../../../shared/domain/amendment.js';
import { cancelDeclaration } from '../../../shared/domain/cancellation.js';
import { decideAudit } from '../../../shared/domain/audit.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { auditDeclaration, type AuditPorts } from '../../../shared/app/audit.js';
import { recordStep as recordStepUseCase } from '../../../shared/app/inspection.js';
import { amend, cancel, type LifecyclePorts } from '../../../shared/app/lifecycle.js';
import { compileRuleSet } from '../../../shared/domain/rules/engine.js';
import type { DomainError } from '../../../shared/domain/errors.js';
import type { DeclarationRecord } from '../../../shared/domain/declaration.js';
import type { Officer, Principal } from '../../../shared/domain/principal.js';
import type { AmendmentInput } from '../../../shared/schemas/lifecycle.js';
import { accepted, at, awaitingInspection, casStore, decision, testSeal } from '../../support/records.js';

const ctx = { at: at(2), seal: testSeal, timeLimitS: () => 86_400 };
const returned = () => decideAudit(accepted(), decision([], { mode: 'RETURNED', reasons: ['missing PRODUCER_RECORD'] }), ctx).record;
const released = () => decideAudit(accepted(), decision([], { mode: 'DOCUMENT_RELEASE', route: 'EXPORT_DIRECT' }), ctx).record;
const HA = { bureau: 'HA', principalId: 'prn_ha' };
const failed = () => recordStep(awaitingInspection(), 'ORIGIN_INSPECTION', HA, { outcome: 'FAIL' }, { at: at(9), seal: testSeal }).record;
const oneStepRecorded = () =>
  recordStep(awaitingInspection(), 'ORIGIN_INSPECTION', HA, { outcome: 'PASS' }, { at: at(9), seal: testSeal }).record;
const cancelled = () => cancelDeclaration(accepted(), { reasonCode: 'C01' }, at(3)).record;

const amendment = (d: DeclarationRecord, overrides: Partial<AmendmentInput> = {}): AmendmentInput => ({
  ...bodyOf(d),
  documents: [{ type: 'PRODUCER_RECORD', number: 'PR-9' }],
  amendmentReason: 'producer record attached',
  ...overrides,
});
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('no error');
};

describe('amending (pure transition), in each state', () => {
  it('RETURNED → ACCEPTED, revision 2, the old body kept with its decision, the returned count taken back', () => {
    const d = returned();
    const t = amendDeclaration(d, amendment(d), at(100))!;
    expect(t).toMatchObject({ from: 'RETURNED', to: 'ACCEPTED', expectedVersion: d.version });
    expect(t.record).toMatchObject({
      status: 'ACCEPTED',
      revision: 2,
      decision: null,
      steps: [],
      release: null,
      amendmentReason: 'producer record attached',
      amendedAt: at(100),
    });
    expect(t.record.documents).toEqual([{ type: 'PRODUCER_RECORD', number: 'PR-9' }]);
    expect(t.amendment!.revision).toMatchObject({
      revision: 1,
      status: 'RETURNED',
      decision: d.decision,
      validFrom: d.createdAt,
      supersededAt: at(100),
      supersededBecause: 'producer record attached',
    });
    expect(t.amendment!.revision.body).toEqual(bodyOf(d));
    // Same bureaus and lines: only the returned count moves; no second set of counters.
    expect(t.counters).toEqual({ declarations: 0, lines: 0, valueCents: 0, returned: -1 });
    expect(t.amendment!.previousCounters).toEqual({});
    expect(t.events.map((e) => [e.type, e.data.revision, e.data.previousStatus])).toEqual([['declaration.amended', 2, 'RETURNED']]);
    expect(t.timeline[0]).toMatchObject({ status: 'ACCEPTED', detail: expect.stringContaining('revision 2') });
  });

  it('ACCEPTED (before its audit) stays ACCEPTED with a new revision; nothing to take back', () => {
    const d = accepted();
    const t = amendDeclaration(
      d,
      amendment(d, {
        lines: [
          { ...d.lines[0]!, valueUsd: 1000 },
          { ...d.lines[0]!, valueUsd: 5 },
        ],
      }),
      at(1),
    )!;
    expect(t).toMatchObject({ from: 'ACCEPTED', to: 'ACCEPTED' });
    expect(t.counters).toEqual({ declarations: 0, lines: 1, valueCents: (1005 - 900) * 100 });
  });

  it('INSPECTION_REQUIRED with no step recorded → ACCEPTED; the owed steps leave the worklists', () => {
    const d = awaitingInspection();
    const t = amendDeclaration(d, amendment(d), at(50))!;
    expect(t.to).toBe('ACCEPTED');
    expect(t.counters).toMatchObject({ inspected: -1 });
    expect(t.worklist.map((s) => [s.kind, s.status])).toEqual([
      ['ORIGIN_INSPECTION', 'CANCELLED'],
      ['PORT_VERIFICATION', 'CANCELLED'],
    ]);
  });

  it('moves the counts to the new bureaus when the amendment changes them', () => {
    const d = returned();
    const t = amendDeclaration(d, amendment(d, { declaredAt: 'SN' }), at(100))!;
    expect(t.amendment!.previousCounters).toEqual({ declarations: -1, lines: -1, valueCents: -90_000, returned: -1 });
    expect(t.counters).toEqual({ declarations: 1, lines: 1, valueCents: 90_000 });
  });

  it('drops optional fields the amended body leaves out', () => {
    const d = returned();
    const { port: _p, ...withoutPort } = amendment(d);
    const t = amendDeclaration(d, withoutPort as AmendmentInput, at(100))!;
    expect(t.record).not.toHaveProperty('port');
  });

  it.each([
    ['INSPECTION_REQUIRED with a step recorded', oneStepRecorded, 'ORIGIN_INSPECTION PASSED recorded'],
    ['RELEASED', released, 'is RELEASED'],
    ['FAILED', failed, 'is FAILED'],
    ['CANCELLED', cancelled, 'is CANCELLED'],
  ])('refuses %s with a 409 naming the state', (_name, make, says) => {
    const d = make();
    const e = errorOf(() => amendDeclaration(d, amendment(d), at(200)));
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain(says);
    expect(e.extensions).toEqual({ status: d.status });
  });

  it('the same amendment twice is one revision (a replay); a different one is the next revision', () => {
    const d = returned();
    const once = amendDeclaration(d, amendment(d), at(100))!.record;
    expect(amendDeclaration(once, amendment(d), at(101))).toBeUndefined();
    // Even after the new revision was audited again.
    const audited = decideAudit(once, decision([], { mode: 'RETURNED', reasons: ['x'] }), { ...ctx, at: at(102) }).record;
    expect(amendDeclaration(audited, amendment(d), at(103))).toBeUndefined();
    const again = amendDeclaration(audited, amendment(d, { amendmentReason: 'health certificate too' }), at(104))!;
    expect(again.record.revision).toBe(3);
  });

  it('refuses another clientRef or enterprise (it is the same declaration), naming the fields', () => {
    const d = returned();
    const e = errorOf(() => amendDeclaration(d, amendment(d, { clientRef: 'PO-2', enterpriseId: '91110000802100433B' }), at(100)));
    expect(e.kind).toBe('invalid');
    expect(e.errors!.map((f) => f.path)).toEqual(['clientRef', 'enterpriseId']);
  });
});

describe('cancelling (pure transition), in each state', () => {
  it.each([
    ['ACCEPTED', accepted],
    ['RETURNED', returned],
    ['INSPECTION_REQUIRED', awaitingInspection],
    ['INSPECTION_REQUIRED with a step recorded', oneStepRecorded],
  ])('%s → CANCELLED, counted once, pending steps cancelled (leaving the worklists)', (_name, make) => {
    const d = make();
    const t = cancelDeclaration(d, { reasonCode: 'C03', remarks: 'buyer withdrew' }, at(300));
    expect(t).toMatchObject({ from: d.status, to: 'CANCELLED', counters: { cancelled: 1 } });
    expect(t.record.cancellation).toEqual({ reasonCode: 'C03', remarks: 'buyer withdrew', cancelledAt: at(300), fromStatus: d.status });
    expect(t.record.steps.filter((s) => s.status === 'PENDING')).toEqual([]);
    expect(t.worklist.map((s) => s.status)).toEqual(d.steps.filter((s) => s.status === 'PENDING').map(() => 'CANCELLED'));
    expect(t.record.steps.filter((s) => s.status === 'PASSED')).toEqual(d.steps.filter((s) => s.status === 'PASSED'));
    expect(t.events.map((e) => [e.type, e.data.previousStatus])).toEqual([['declaration.cancelled', d.status]]);
  });

  it.each([
    ['RELEASED', released],
    ['FAILED', failed],
    ['CANCELLED', cancelled],
  ])('refuses %s with a 409 naming the state', (status, make) => {
    const e = errorOf(() => cancelDeclaration(make(), { reasonCode: 'C01' }, at(300)));
    expect(e.kind).toBe('conflict');
    expect(e.message).toContain(`is ${status}`);
  });
});

describe('races (use cases over a compare-and-set store)', () => {
  const owner: Principal = { id: 'prn_e', kind: 'enterprise', enterpriseId: '91350100M000100Y43' };
  const ruleSet = compileRuleSet(
    { description: 'all documents', negativeLists: { export: [], import: [] }, sampling: { AA: 0, A: 0, B: 0, C: 0, D: 0 }, rules: [] },
    7,
  );
  const lifecyclePorts = (store: LifecyclePorts['store']): LifecyclePorts => ({
    store,
    audit: { sendMany: async () => undefined } as never,
    publish: async () => undefined,
    now: () => at(500),
  });
  const withRevisions = (cas: ReturnType<typeof casStore>) => ({ ...cas.store, revisions: async () => [] });
  /** Lets both changes read the record before either commits. */
  const bothRead = () => {
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    return async () => {
      if (++arrived === 2) release();
      await Promise.race([gate, new Promise((r) => setTimeout(r, 50))]);
    };
  };

  it('amend vs the audit at the same moment: the audit decides the amended body, never the old one', async () => {
    const cas = casStore(accepted(), bothRead());
    const auditPorts: AuditPorts = {
      store: cas.store,
      enterprises: { get: async () => ({ level: 'A', blacklisted: false }) },
      activeRuleSet: async () => ruleSet,
      sealer: async () => testSeal,
      clock: () => at(501),
    };
    const d = accepted();
    const [amended, audited] = await Promise.all([
      amend(d.id, amendment(d, { destinationCountry: 'UZ' }), owner, lifecyclePorts(withRevisions(cas))),
      auditDeclaration(d.id, auditPorts),
    ]);
    expect(amended.outcome).toBe('amended');
    const final = cas.current();
    expect(final.revision).toBe(2);
    if (audited.outcome === 'decided') {
      // The audit lost the first race, read again and audited the amended revision.
      expect(cas.committed.map((t) => t.to)).toEqual(['ACCEPTED', 'RELEASED']);
      expect(final).toMatchObject({ status: 'RELEASED', destinationCountry: 'UZ' });
    } else {
      expect(final).toMatchObject({ status: 'ACCEPTED', destinationCountry: 'UZ', decision: null });
    }
    // Never a decision committed on the body that was replaced.
    for (const t of cas.committed) if (t.to !== 'ACCEPTED') expect(t.record.destinationCountry).toBe('UZ');
  });

  it('amend vs a step recorded at the same moment: exactly one wins; the amendment then finds the step and answers 409', async () => {
    for (let run = 0; run < 10; run++) {
      const cas = casStore(awaitingInspection(), bothRead());
      const d = awaitingInspection();
      const inspector = { id: 'prn_ha', kind: 'officer', bureau: 'HA', roles: ['inspector'] } as Officer;
      const results = await Promise.allSettled([
        amend(d.id, amendment(d), owner, lifecyclePorts(withRevisions(cas))),
        recordStepUseCase(
          d.id,
          'ORIGIN_INSPECTION',
          inspector,
          { outcome: 'PASS' },
          { store: cas.store, sealer: async () => testSeal, clock: () => at(502) },
        ),
      ]);
      expect(cas.committed).toHaveLength(1);
      const [a, s] = results;
      if (cas.committed[0]!.to === 'ACCEPTED') {
        expect(a.status).toBe('fulfilled');
        expect(s.status).toBe('rejected'); // the step is gone with the old revision's decision
        expect(cas.current()).toMatchObject({ status: 'ACCEPTED', steps: [], revision: 2 });
      } else {
        expect(s.status).toBe('fulfilled');
        expect(a.status).toBe('rejected');
        expect(((a as PromiseRejectedResult).reason as DomainError).kind).toBe('conflict');
        expect(cas.current().steps[0]!.status).toBe('PASSED');
      }
    }
  });

  it('cancel vs the last pass at the same moment: RELEASED or CANCELLED, never both', async () => {
    const start = oneStepRecorded();
    const cas = casStore(start, bothRead());
    const inspector = { id: 'prn_sd', kind: 'officer', bureau: 'SD', roles: ['inspector'] } as Officer;
    const results = await Promise.allSettled([
      cancel(start.id, { reasonCode: 'C03' }, owner, lifecyclePorts(withRevisions(cas))),
      recordStepUseCase(
        start.id,
        'PORT_VERIFICATION',
        inspector,
        { outcome: 'PASS' },
        { store: cas.store, sealer: async () => testSeal, clock: () => at(503) },
      ),
    ]);
    expect(cas.committed).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(['RELEASED', 'CANCELLED']).toContain(cas.current().status);
  });

  it('another enterprise cannot amend or cancel (not found)', async () => {
    const cas = casStore(returned());
    const stranger: Principal = { id: 'prn_x', kind: 'enterprise', enterpriseId: '91110000802100433B' };
    const d = returned();
    await expect(amend(d.id, amendment(d), stranger, lifecyclePorts(withRevisions(cas)))).rejects.toMatchObject({ kind: 'not-found' });
    await expect(cancel(d.id, { reasonCode: 'C01' }, stranger, lifecyclePorts(withRevisions(cas)))).rejects.toMatchObject({
      kind: 'not-found',
    });
    expect(cas.committed).toEqual([]);
  });
});
