import { describe, expect, it } from 'vitest';
import { decideAudit } from '../../../shared/domain/audit.js';
import { followUpAt, postReleaseRate, recordFollowUp, selectedForFollowUp } from '../../../shared/domain/follow-up.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { markOverdue } from '../../../shared/domain/time-limits.js';
import { recordStep as recordStepUseCase, type InspectionPorts } from '../../../shared/app/inspection.js';
import type { DeclarationRecord } from '../../../shared/domain/declaration.js';
import type { DomainError } from '../../../shared/domain/errors.js';
import type { Officer } from '../../../shared/domain/principal.js';
import { isSampled } from '../../../shared/domain/rules/sampling.js';
import { changeDeclaration } from '../../../shared/app/declaration-change.js';
import { accepted, at, awaitingInspection, casStore, decision, testSeal, kindOf } from '../../support/records.js';

const ALL = { AA: 1, A: 1, B: 1, C: 1, D: 1 };
const NONE = { AA: 0, A: 0, B: 0, C: 0, D: 0 };
const auditCtx = (s: number, postRelease = ALL) => ({ at: at(s), seal: testSeal, timeLimitS: () => 3600, postRelease });
const GS = { bureau: 'GS' };

/** Released on documents with a follow-up check owed by GS (the release bureau). */
function releasedWithCheck(): DeclarationRecord {
  return decideAudit(accepted({ version: 0 }), decision([]), auditCtx(1)).record;
}

describe('follow-up checks after release (contract section 15)', () => {
  it('a document release selected by the postRelease rate owes POST_RELEASE_CHECK at the release bureau, listed and told', () => {
    const t = decideAudit(accepted(), decision([]), auditCtx(1));
    expect(t.to).toBe('RELEASED');
    expect(t.record.decision!.postReleaseRate).toBe(1);
    expect(t.record.release!.followUp).toEqual({
      kind: 'POST_RELEASE_CHECK',
      bureau: 'GS',
      status: 'PENDING',
      requiredSince: at(1),
      dueAt: at(3601),
    });
    // In the release bureau's worklist (same transaction), and its system gets step.required.
    expect(t.worklist).toEqual([t.record.release!.followUp]);
    expect(t.events.map((e) => [e.type, e.owner?.id ?? null])).toEqual([
      ['declaration.released', null],
      ['step.required', 'GS'],
    ]);
    expect(t.events[1]!.data).toMatchObject({ kind: 'POST_RELEASE_CHECK', bureau: 'GS', dueAt: at(3601) });
    // The certificate does not change with the check: it certifies the release, not the follow-up.
    expect(t.certificate!.content).not.toHaveProperty('followUp');
  });

  it('rate 0 (the default) starts no check; no rate table at all neither', () => {
    for (const t of [
      decideAudit(accepted(), decision([]), auditCtx(1, NONE)),
      decideAudit(accepted(), decision([]), { at: at(1), seal: testSeal, timeLimitS: () => 1 }),
    ]) {
      expect(t.record.release!.followUp).toBeUndefined();
      expect(t.record.decision!.postReleaseRate).toBeUndefined();
      expect(t.worklist).toEqual([]);
      expect(t.events.map((e) => e.type)).toEqual(['declaration.released']);
    }
  });

  it('a release after inspection selects with the rate fixed at the audit', () => {
    const d = awaitingInspection();
    d.decision = { ...d.decision!, postReleaseRate: 1 };
    const half = recordStep(d, 'ORIGIN_INSPECTION', { bureau: 'HA' }, { outcome: 'PASS' }, { at: at(60), seal: testSeal }).record;
    const t = recordStep(
      half,
      'PORT_VERIFICATION',
      { bureau: 'SD' },
      { outcome: 'PASS' },
      { at: at(120), seal: testSeal, timeLimitS: () => 10 },
    );
    expect(t.to).toBe('RELEASED');
    expect(t.record.release!.followUp).toMatchObject({ bureau: 'GS', status: 'PENDING', requiredSince: at(120), dueAt: at(130) });
    expect(t.worklist.map((w) => `${w.kind}:${w.status}`)).toEqual(['PORT_VERIFICATION:PASSED', 'POST_RELEASE_CHECK:PENDING']);
    expect(t.events.map((e) => e.type)).toEqual(['declaration.released', 'step.required']);
  });

  it('selection is deterministic per declaration and version, matches the rate, and is independent of sampling', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `dcl_${i.toString(36).padStart(8, '0')}`);
    const selected = ids.filter((id) => selectedForFollowUp(id, { ruleSetVersion: 4, postReleaseRate: 0.1 }));
    expect(selected.length / ids.length).toBeGreaterThan(0.09);
    expect(selected.length / ids.length).toBeLessThan(0.11);
    expect(ids.filter((id) => selectedForFollowUp(id, { ruleSetVersion: 4, postReleaseRate: 0.1 }))).toEqual(selected);
    // Among declarations NOT sampled at 10%, about 10% are still checked after release (a shared draw would give 0%).
    const notSampled = ids.filter((id) => !isSampled(id, 4, 0.1));
    const checked = notSampled.filter((id) => selectedForFollowUp(id, { ruleSetVersion: 4, postReleaseRate: 0.1 }));
    expect(checked.length / notSampled.length).toBeGreaterThan(0.09);
    expect(checked.length / notSampled.length).toBeLessThan(0.11);
    expect(followUpAt({ id: 'x' }, null, at(0), () => 1)).toBeUndefined();
  });

  it('a blacklisted enterprise gets at least the D rate', () => {
    const table = { AA: 0, A: 0.01, B: 0.02, C: 0.05, D: 0.5 };
    expect(postReleaseRate(table, { level: 'A', blacklisted: false })).toBe(0.01);
    expect(postReleaseRate(table, { level: 'A', blacklisted: true })).toBe(0.5);
    expect(postReleaseRate(undefined, { level: 'D', blacklisted: true })).toBe(0);
  });

  it('PASS: recorded once by the release bureau, still RELEASED, nothing sent, the worklist entry leaves PENDING', () => {
    const d = releasedWithCheck();
    const t = recordFollowUp(d, GS, { outcome: 'PASS', remarks: 'papers match' }, at(500));
    expect(t).toMatchObject({ from: 'RELEASED', to: 'RELEASED', events: [], counters: {} });
    expect(t.record.release).toMatchObject({ certificateNo: d.release!.certificateNo, digest: d.release!.digest });
    expect(t.record.release!.followUp).toMatchObject({
      status: 'PASSED',
      recordedAt: at(500),
      recordedByBureau: 'GS',
      remarks: 'papers match',
    });
    expect(t.worklist).toEqual([t.record.release!.followUp]);
    expect(t.timeline[0]).toMatchObject({ status: 'RELEASED', bureau: 'GS' });
  });

  it('FAIL keeps RELEASED, is kept in release.followUp, sends declaration.follow_up_failed and counts followUpFailed', () => {
    const d = releasedWithCheck();
    const t = recordFollowUp(d, GS, { outcome: 'FAIL', remarks: 'invoice does not match' }, at(500));
    expect(t.to).toBe('RELEASED');
    expect(t.record.status).toBe('RELEASED');
    expect(t.record.release!.followUp!.status).toBe('FAILED');
    expect(t.counters).toEqual({ followUpFailed: 1 });
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatchObject({
      type: 'declaration.follow_up_failed',
      enterpriseId: d.enterpriseId,
      data: { declarationId: d.id, status: 'RELEASED', followUp: { status: 'FAILED', bureau: 'GS', remarks: 'invoice does not match' } },
    });
    expect(t.events[0]!.owner).toBeUndefined(); // the enterprise's event
    // What the rules that fired on it achieve after release, beside the follow-up baseline.
    expect(t.effectiveness).toMatchObject({ random: { followUpChecked: 1, followUpFailed: 1, inspected: 0, failed: 0 } });
    const passed = recordFollowUp(d, GS, { outcome: 'PASS' }, at(500));
    expect(passed.effectiveness!.random).toMatchObject({ followUpChecked: 1, followUpFailed: 0 });
  });

  it('answers 404 (not involved, not selected), 403 (another bureau), 409 (before release, recorded already)', () => {
    const d = releasedWithCheck();
    expect(kindOf(() => recordFollowUp(d, { bureau: 'QH' }, { outcome: 'PASS' }, at(2)))).toBe('not-found');
    expect(kindOf(() => recordFollowUp(d, { bureau: 'HA' }, { outcome: 'PASS' }, at(2)))).toBe('forbidden');
    const unselected = decideAudit(accepted(), decision([]), auditCtx(1, NONE)).record;
    expect(kindOf(() => recordFollowUp(unselected, GS, { outcome: 'PASS' }, at(2)))).toBe('not-found');
    expect(kindOf(() => recordFollowUp(awaitingInspection(), GS, { outcome: 'PASS' }, at(2)))).toBe('conflict');
    const once = recordFollowUp(d, GS, { outcome: 'PASS' }, at(2)).record;
    expect(kindOf(() => recordFollowUp(once, GS, { outcome: 'FAIL' }, at(3)))).toBe('conflict');
  });

  it('the overdue sweep marks a pending check once, with step.overdue for the release bureau', () => {
    const d = releasedWithCheck(); // due at(3601)
    expect(markOverdue(d, at(3000))).toBeUndefined();
    const t = markOverdue(d, at(4000))!;
    expect(t.record.release!.followUp!.overdueNotifiedAt).toBe(at(4000));
    expect(t.events.map((e) => [e.type, e.owner?.id, e.data.kind])).toEqual([['step.overdue', 'GS', 'POST_RELEASE_CHECK']]);
    expect(t.worklist).toEqual([t.record.release!.followUp]);
    expect(markOverdue(t.record, at(5000))).toBeUndefined();
    const recorded = recordFollowUp(d, GS, { outcome: 'PASS' }, at(3500)).record;
    expect(markOverdue(recorded, at(5000))).toBeUndefined();
  });
});

describe('recording a follow-up check that races (use case over a compare-and-set store)', () => {
  const gs = (n: number): Officer => ({ id: `prn_gs_${n}`, kind: 'officer', bureau: 'GS', roles: ['inspector'] });

  it('two officers recording the same check at once: one commits, the other gets 409; one event, one count', async () => {
    let readers = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const cas = casStore(releasedWithCheck(), async () => {
      if (++readers === 2) release();
      await bothRead;
    });
    const ports: InspectionPorts = { store: cas.store, sealer: async () => testSeal, clock: () => at(900) };
    const results = await Promise.allSettled([
      recordStepUseCase('d', 'POST_RELEASE_CHECK', gs(1), { outcome: 'FAIL' }, ports),
      recordStepUseCase('d', 'POST_RELEASE_CHECK', gs(2), { outcome: 'FAIL' }, ports),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as DomainError).kind).toBe('conflict');
    expect(cas.committed).toHaveLength(1);
    expect(cas.committed.flatMap((t) => t.events).map((e) => e.type)).toEqual(['declaration.follow_up_failed']);
    expect(cas.committed[0]!.counters).toEqual({ followUpFailed: 1 });
    expect(cas.current().status).toBe('RELEASED');
  });

  it('the overdue sweep and the recording racing: both apply once, whichever commits first; one step.overdue, one FAIL', async () => {
    let readers = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const cas = casStore(releasedWithCheck(), async () => {
      if (++readers === 2) release();
      await bothRead;
    });
    const ports: InspectionPorts = { store: cas.store, sealer: async () => testSeal, clock: () => at(5000) };
    await Promise.all([
      changeDeclaration('d', (d) => markOverdue(d, at(4000)), cas.store),
      recordStepUseCase('d', 'POST_RELEASE_CHECK', gs(1), { outcome: 'FAIL' }, ports),
    ]);
    const types = cas.committed.flatMap((t) => t.events).map((e) => e.type);
    expect(types.filter((t) => t === 'declaration.follow_up_failed')).toHaveLength(1);
    expect(types.filter((t) => t === 'step.overdue').length).toBeLessThanOrEqual(1);
    expect(cas.current().release!.followUp!.status).toBe('FAILED');
    expect(cas.committed.reduce((n, t) => n + (t.counters.followUpFailed ?? 0), 0)).toBe(1);
  });
});
