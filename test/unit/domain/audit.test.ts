import { describe, expect, it } from 'vitest';
import { decideAudit } from '../../../shared/domain/audit.js';
import { auditDeclaration, type AuditPorts } from '../../../shared/app/audit.js';
import { compileRuleSet } from '../../../shared/domain/rules/engine.js';
import type { DomainError } from '../../../shared/domain/errors.js';
import { accepted, at, casStore, decision, testSeal } from '../../support/records.js';

const limits = (kind: string) => (kind === 'PORT_VERIFICATION' ? 3_600 : 86_400);
const ctx = { at: at(2), seal: testSeal, timeLimitS: limits };

describe('deciding an audit (pure transition)', () => {
  it('requires inspection: pending steps owed from now, due after the limit of their kind', () => {
    const steps = [
      { kind: 'ORIGIN_INSPECTION' as const, bureau: 'HA' },
      { kind: 'PORT_VERIFICATION' as const, bureau: 'SD' },
    ];
    const t = decideAudit(accepted(), decision(steps), ctx);
    expect(t).toMatchObject({ from: 'ACCEPTED', to: 'INSPECTION_REQUIRED', expectedVersion: 0, counters: { inspected: 1 } });
    expect(t.record.steps).toEqual([
      { kind: 'ORIGIN_INSPECTION', bureau: 'HA', status: 'PENDING', requiredSince: at(2), dueAt: at(2 + 86_400) },
      { kind: 'PORT_VERIFICATION', bureau: 'SD', status: 'PENDING', requiredSince: at(2), dueAt: at(2 + 3_600) },
    ]);
    expect(t.worklist).toEqual(t.record.steps);
    expect(t.events.map((e) => [e.type, e.owner])).toEqual([
      ['declaration.inspection_required', undefined],
      ['step.required', { kind: 'bureau', id: 'HA' }],
      ['step.required', { kind: 'bureau', id: 'SD' }],
    ]);
    expect(t.events[2]!.data).toEqual({
      declarationId: t.record.id,
      enterpriseId: t.record.enterpriseId,
      direction: 'EXPORT',
      route: 'EXPORT_ORIGIN_AND_PORT',
      kind: 'PORT_VERIFICATION',
      bureau: 'SD',
      requiredSince: at(2),
      dueAt: at(2 + 3_600),
    });
    expect(t.timeline[0]!.detail).toBe(
      'inspection required (rule set v3, credit A, route EXPORT_ORIGIN_AND_PORT): ORIGIN_INSPECTION at HA, PORT_VERIFICATION at SD',
    );
    expect(t.certificate).toBeUndefined();
  });

  it('releases on documents with a certificate and the release time', () => {
    const t = decideAudit(accepted(), decision([], { mode: 'DOCUMENT_RELEASE', route: 'EXPORT_DIRECT' }), ctx);
    expect(t).toMatchObject({ to: 'RELEASED', counters: { released: 1, documentReleased: 1 }, releaseSeconds: 2, worklist: [] });
    expect(t.record.release).toMatchObject({ bureau: 'GS', mode: 'DOCUMENT_RELEASE', releasedAt: at(2) });
    expect(t.certificate!.content.certificateNo).toBe(t.record.release!.certificateNo);
    expect(t.events[0]).toMatchObject({ type: 'declaration.released', data: { release: t.record.release } });
  });

  it('returns with the reasons', () => {
    const t = decideAudit(accepted(), decision([], { mode: 'RETURNED', reasons: ['missing PRODUCER_RECORD'] }), ctx);
    expect(t).toMatchObject({ to: 'RETURNED', counters: { returned: 1 } });
    expect(t.events[0]).toMatchObject({ type: 'declaration.returned', data: { reasons: ['missing PRODUCER_RECORD'] } });
  });

  it('refuses a declaration that was audited already', () => {
    const once = decideAudit(accepted(), decision([]), ctx).record;
    expect(() => decideAudit(once, decision([]), ctx)).toThrowError(expect.objectContaining({ kind: 'conflict' }) as DomainError);
  });
});

describe('auditing (the use case over a compare-and-set store)', () => {
  const ruleSet = compileRuleSet(
    { description: 'all documents', negativeLists: { export: [], import: [] }, sampling: { AA: 0, A: 0, B: 0, C: 0, D: 0 }, rules: [] },
    7,
  );
  it('decides once: a redelivered message changes nothing', async () => {
    const cas = casStore(accepted());
    const ports: AuditPorts = {
      store: cas.store,
      enterprises: { get: async () => ({ level: 'A', blacklisted: false }) },
      activeRuleSet: async () => ruleSet,
      sealer: async () => testSeal,
      clock: () => at(5),
    };
    const [a, b] = await Promise.all([auditDeclaration('d', ports), auditDeclaration('d', ports)]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already-audited', 'decided']);
    expect(cas.committed).toHaveLength(1);
    expect(cas.current()).toMatchObject({ status: 'RELEASED', decision: { ruleSetVersion: 7, mode: 'DOCUMENT_RELEASE' } });
    expect(await auditDeclaration('d', ports)).toEqual({ outcome: 'already-audited' });
  });
});
