import { describe, expect, it } from 'vitest';
import { confirmOverride, proposeOverride } from '../../../shared/domain/overrides.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { decideAudit } from '../../../shared/domain/audit.js';
import { changeDeclaration } from '../../../shared/app/declaration-change.js';
import { amendDeclaration, bodyOf, officerAddedSteps } from '../../../shared/domain/amendment.js';
import { ha1, ha2, overrideContext, waiveOrigin } from '../../support/overrides.js';
import { accepted, at, awaitingInspection, kindOf, casStore, decision, testSeal } from '../../support/records.js';

const sd1 = { principalId: 'prn_sd_1', bureau: 'SD' };
const ctx = overrideContext;
const waive = waiveOrigin;

describe('overrides (pure transitions)', () => {
  it('ADD_STEP applies at once: a pending step owed from now, step.required, in the timeline and overrides', () => {
    const d = awaitingInspection();
    const t = proposeOverride(
      d,
      { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
      sd1,
      ctx(50),
    );
    expect(t.record.steps.at(-1)).toEqual({
      kind: 'PORT_DISINFECTION',
      bureau: 'SD',
      status: 'PENDING',
      requiredSince: at(50),
      dueAt: at(50 + 86_400),
    });
    expect(t.record.overrides).toEqual([
      expect.objectContaining({
        id: 'ovr_1',
        action: 'ADD_STEP',
        status: 'APPLIED',
        reasonCode: 'INTELLIGENCE',
        proposedBy: sd1,
        bureau: 'SD',
      }),
    ]);
    expect(t.events.map((e) => [e.type, e.owner?.id])).toEqual([['step.required', 'SD']]);
    expect(t.timeline[0]!.detail).toContain('reason INTELLIGENCE');
    expect(t.worklist.map((s) => s.kind)).toEqual(['PORT_DISINFECTION']);
    expect(
      kindOf(() =>
        proposeOverride(t.record, { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', reasonCode: 'OTHER', remarks: 'x' }, sd1, ctx(51)),
      ),
    ).toBe('conflict');
  });

  it('ADD_STEP before the audit turns a document release into an inspection', () => {
    const added = proposeOverride(
      accepted(),
      { action: 'ADD_STEP', kind: 'ORIGIN_INSPECTION', reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
      ha1,
      ctx(1),
    ).record;
    expect(added.status).toBe('ACCEPTED');
    const audited = decideAudit(added, decision([], { mode: 'DOCUMENT_RELEASE', route: 'EXPORT_DIRECT' }), {
      at: at(2),
      seal: testSeal,
      timeLimitS: () => 86_400,
    });
    expect(audited.to).toBe('INSPECTION_REQUIRED');
    expect(audited.record.steps).toEqual([
      expect.objectContaining({ kind: 'ORIGIN_INSPECTION', bureau: 'HA', status: 'PENDING', requiredSince: at(1) }),
    ]);
    expect(audited.record.release).toBeNull();
    expect(audited.events.map((e) => e.type)).toEqual(['declaration.inspection_required', 'step.required']);
  });

  it('an ADD_STEP made while ACCEPTED is not lost when the enterprise amends: still owed, kept by the new audit', () => {
    const added = proposeOverride(
      accepted(),
      { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', bureau: 'QH', reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
      ha1,
      ctx(1),
    ).record;
    const amended = amendDeclaration(added, { ...bodyOf(added), transport: 'ROAD', amendmentReason: 'truck, not train' }, at(5))!;
    expect(amended.to).toBe('ACCEPTED');
    const owed = added.steps[0]!;
    expect(amended.record.steps).toEqual([owed]); // same requiredSince and dueAt: the clock did not restart
    expect(amended.worklist).toEqual([]); // its worklist entry stays as it is
    expect(amended.timeline[0]!.detail).toContain('still owed (added by an officer): PORT_DISINFECTION at QH');
    const audited = decideAudit(amended.record, decision([], { mode: 'DOCUMENT_RELEASE', route: 'EXPORT_DIRECT' }), {
      at: at(6),
      seal: testSeal,
      timeLimitS: () => 86_400,
    });
    expect(audited.to).toBe('INSPECTION_REQUIRED');
    expect(audited.record.steps).toEqual([owed]);
  });

  it('an ADD_STEP made while ACCEPTED is withdrawn when the audit RETURNS the declaration, and owed again on the next amendment', () => {
    const added = proposeOverride(
      accepted(),
      { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', bureau: 'QH', reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
      ha1,
      ctx(1),
    ).record;
    const owed = added.steps[0]!;
    const returned = decideAudit(added, decision([], { mode: 'RETURNED', reasons: ['missing PRODUCER_RECORD'] }), {
      at: at(2),
      seal: testSeal,
      timeLimitS: () => 86_400,
    });
    expect(returned.to).toBe('RETURNED');
    // Not owed while returned: CANCELLED, and its worklist item is rewritten (out of PENDING and the due index).
    expect(returned.record.steps).toEqual([{ ...owed, status: 'CANCELLED' }]);
    expect(returned.worklist.map((s) => `${s.kind}:${s.status}`)).toEqual(['PORT_DISINFECTION:CANCELLED']);
    expect(returned.events.map((e) => e.type)).toEqual(['declaration.returned']);

    const amended = amendDeclaration(returned.record, { ...bodyOf(added), amendmentReason: 'producer record attached' }, at(100))!;
    expect(amended.to).toBe('ACCEPTED');
    // Owed again from the amendment, with the same time limit (86,400 s).
    expect(amended.record.steps).toEqual([
      { ...owed, requiredSince: at(100), dueAt: new Date(Date.parse(at(100)) + 86_400_000).toISOString() },
    ]);
    expect(amended.record.steps.map((s) => s.kind)).toEqual(['PORT_DISINFECTION']);
    expect(amended.timeline[0]!.detail).toContain('still owed (added by an officer): PORT_DISINFECTION at QH');
    // The step changed (CANCELLED → PENDING), so the transaction puts it back in the worklist.
    expect(amended.worklist.map((s) => `${s.kind}:${s.status}:${s.requiredSince}`)).toEqual([`PORT_DISINFECTION:PENDING:${at(100)}`]);

    const audited = decideAudit(amended.record, decision([], { mode: 'DOCUMENT_RELEASE', route: 'EXPORT_DIRECT' }), {
      at: at(101),
      seal: testSeal,
      timeLimitS: () => 86_400,
    });
    expect(audited.to).toBe('INSPECTION_REQUIRED');
    expect(audited.record.steps.map((s) => `${s.kind}@${s.bureau}:${s.status}`)).toEqual(['PORT_DISINFECTION@QH:PENDING']);
  });

  it('a step the audit withdrew on RETURNED is not owed again by anything but an amendment of that RETURNED record', () => {
    const d = { ...accepted(), status: 'INSPECTION_REQUIRED' as const };
    const cancelledStep = {
      kind: 'PORT_DISINFECTION' as const,
      bureau: 'QH',
      status: 'CANCELLED' as const,
      requiredSince: at(1),
      dueAt: at(2),
    };
    expect(
      officerAddedSteps(
        {
          ...d,
          steps: [cancelledStep],
          overrides: [
            {
              id: 'ovr_1',
              action: 'ADD_STEP',
              kind: 'PORT_DISINFECTION',
              bureau: 'QH',
              reasonCode: 'INTELLIGENCE',
              remarks: 'x',
              status: 'APPLIED',
              proposedAt: at(1),
              proposedBy: ha1,
            },
          ],
        },
        at(5),
      ),
    ).toEqual([]);
  });

  it("an ADD_STEP made while INSPECTION_REQUIRED survives an amendment too; the audit's own steps are withdrawn and decided again", () => {
    const added = proposeOverride(
      awaitingInspection(),
      { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', reasonCode: 'INTELLIGENCE', remarks: 'tip-off' },
      sd1,
      ctx(50),
    ).record;
    const amended = amendDeclaration(added, { ...bodyOf(added), amendmentReason: 'corrected weight' }, at(60))!;
    expect(amended.record.steps.map((s) => `${s.kind}:${s.status}`)).toEqual(['PORT_DISINFECTION:PENDING']);
    expect(amended.worklist.map((s) => `${s.kind}:${s.status}`)).toEqual(['ORIGIN_INSPECTION:CANCELLED', 'PORT_VERIFICATION:CANCELLED']);
  });

  it('a step the audit required is not kept by an amendment (only an applied ADD_STEP is)', () => {
    const d = awaitingInspection();
    const amended = amendDeclaration(d, { ...bodyOf(d), amendmentReason: 'corrected weight' }, at(60))!;
    expect(amended.record.steps).toEqual([]);
  });

  it('WAIVE_STEP waits for a different officer of the same bureau; the waive of the last pending step releases', () => {
    const d = recordStep(
      awaitingInspection(),
      'PORT_VERIFICATION',
      { bureau: 'SD' },
      { outcome: 'PASS' },
      { at: at(10), seal: testSeal },
    ).record;
    const proposed = proposeOverride(d, waive, ha1, ctx(20));
    expect(proposed.record.overrides![0]).toMatchObject({ status: 'PENDING_CONFIRMATION', bureau: 'HA' });
    expect(proposed.record.steps[0]!.status).toBe('PENDING');
    expect(proposed.events).toEqual([]);
    expect(kindOf(() => confirmOverride(proposed.record, 'ovr_1', ha1, ctx(30)))).toBe('forbidden'); // same officer
    expect(kindOf(() => confirmOverride(proposed.record, 'ovr_1', sd1, ctx(30)))).toBe('forbidden'); // another bureau
    expect(kindOf(() => confirmOverride(proposed.record, 'ovr_9', ha2, ctx(30)))).toBe('not-found');
    const confirmed = confirmOverride(proposed.record, 'ovr_1', ha2, ctx(30));
    expect(confirmed).toMatchObject({ to: 'RELEASED', counters: { released: 1 } });
    expect(confirmed.record.steps[0]).toMatchObject({ status: 'WAIVED', recordedByBureau: 'HA', recordedAt: at(30) });
    expect(confirmed.record.overrides![0]).toMatchObject({ status: 'APPLIED', confirmedBy: ha2, confirmedAt: at(30) });
    expect(confirmed.set.overrides).toEqual(confirmed.record.overrides);
    expect(confirmed.certificate).toBeDefined();
    expect(confirmed.events.map((e) => e.type)).toEqual(['declaration.released']);
    expect(kindOf(() => confirmOverride(confirmed.record, 'ovr_1', ha2, ctx(31)))).toBe('conflict');
  });

  it('refuses to waive what is not pending', () => {
    const d = recordStep(
      awaitingInspection(),
      'ORIGIN_INSPECTION',
      { bureau: 'HA' },
      { outcome: 'PASS' },
      { at: at(10), seal: testSeal },
    ).record;
    expect(kindOf(() => proposeOverride(d, waive, ha1, ctx(20)))).toBe('conflict');
    expect(kindOf(() => proposeOverride(d, { ...waive, kind: 'PORT_INSPECTION' }, ha1, ctx(20)))).toBe('not-found');
    expect(kindOf(() => proposeOverride(d, waive, { principalId: 'x', bureau: 'QH' }, ctx(20)))).toBe('not-found');
  });

  it('releases exactly once when a waive confirmation and the last step race', async () => {
    const proposed = proposeOverride(awaitingInspection(), waive, ha1, ctx(20)).record;
    let arrived = 0;
    let go!: () => void;
    const bothRead = new Promise<void>((r) => (go = r));
    const cas = casStore(proposed, async () => {
      if (++arrived === 2) go();
      await bothRead;
    });
    await Promise.all([
      changeDeclaration('d', (d) => confirmOverride(d, 'ovr_1', ha2, ctx(30)), cas.store),
      changeDeclaration(
        'd',
        (d) => recordStep(d, 'PORT_VERIFICATION', { bureau: 'SD' }, { outcome: 'PASS' }, { at: at(30), seal: testSeal }),
        cas.store,
      ),
    ]);
    const final = cas.current();
    expect(final.status).toBe('RELEASED');
    expect(final.steps.map((s) => s.status)).toEqual(['WAIVED', 'PASSED']);
    expect(final.timeline.filter((e) => e.status === 'RELEASED')).toHaveLength(1);
    expect(cas.committed.filter((t) => t.certificate)).toHaveLength(1);
    expect(cas.committed.flatMap((t) => t.events).filter((e) => e.type === 'declaration.released')).toHaveLength(1);
  });
});
