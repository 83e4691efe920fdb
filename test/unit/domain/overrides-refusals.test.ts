/**
 * The refusals and the recorded details of overrides (contract section 12) that overrides.test.ts
 * leaves open: written against surviving mutants of shared/domain/overrides.ts (npm run mutation).
 */
import { describe, expect, it } from 'vitest';
import { confirmOverride, proposeOverride } from '../../../shared/domain/overrides.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { ha1, ha2, overrideContext, waiveOrigin } from '../../support/overrides.js';
import { accepted, at, awaitingInspection, kindOf, testSeal } from '../../support/records.js';

const qh1 = { principalId: 'prn_qh_1', bureau: 'QH' };
const ctx = overrideContext;
const waive = waiveOrigin;
const add = (kind: 'DESTINATION_INSPECTION' | 'PORT_DISINFECTION') => ({
  action: 'ADD_STEP' as const,
  kind,
  reasonCode: 'INTELLIGENCE',
  remarks: 'tip-off',
});

describe('ADD_STEP', () => {
  it('is refused once the audit is over (returned, released, failed, cancelled)', () => {
    for (const status of ['RETURNED', 'RELEASED', 'FAILED', 'CANCELLED'] as const) {
      expect(kindOf(() => proposeOverride({ ...awaitingInspection(), status }, add('PORT_DISINFECTION'), ha1, ctx(5)))).toBe('conflict');
    }
  });

  it('puts an origin or destination inspection at the inspection bureau, other kinds at the port, unless told', () => {
    const d = accepted(); // inspection bureau HA, port bureau SD
    expect(proposeOverride(d, add('DESTINATION_INSPECTION'), ha1, ctx(5)).record.steps[0]!.bureau).toBe('HA');
    expect(proposeOverride(d, add('PORT_DISINFECTION'), ha1, ctx(5)).record.steps[0]!.bureau).toBe('SD');
    expect(proposeOverride(d, { ...add('PORT_DISINFECTION'), bureau: 'QH' }, ha1, ctx(5)).record.steps[0]!.bureau).toBe('QH');
  });

  it('before the audit tells no bureau yet (the audit will), and says so in the timeline', () => {
    const t = proposeOverride(accepted(), add('PORT_DISINFECTION'), ha1, ctx(5));
    expect(t.events).toEqual([]);
    expect(t.timeline).toEqual([
      {
        at: at(5),
        status: 'ACCEPTED',
        bureau: 'HA',
        detail: 'override ADD_STEP PORT_DISINFECTION at SD applied by officer prn_ha_1 (HA), reason INTELLIGENCE: tip-off',
      },
    ]);
  });
});

describe('WAIVE_STEP proposal', () => {
  it('is refused while the declaration does not await inspection, even if the step is still pending', () => {
    expect(kindOf(() => proposeOverride({ ...awaitingInspection(), status: 'ACCEPTED' }, waive, ha1, ctx(5)))).toBe('conflict');
  });

  it('is refused twice for the same step while the first awaits confirmation; another step may be proposed', () => {
    const proposed = proposeOverride(awaitingInspection(), waive, ha1, ctx(5)).record;
    expect(kindOf(() => proposeOverride(proposed, waive, ha2, ctx(6, 'ovr_2')))).toBe('conflict');
    const other = proposeOverride(proposed, { ...waive, kind: 'PORT_VERIFICATION' }, ha1, ctx(6, 'ovr_2'));
    expect(other.record.overrides!.map((o) => `${o.kind}:${o.bureau}:${o.status}`)).toEqual([
      'ORIGIN_INSPECTION:HA:PENDING_CONFIRMATION',
      'PORT_VERIFICATION:SD:PENDING_CONFIRMATION',
    ]);
  });

  it('is in the timeline as proposed, with officer, bureau and reason', () => {
    const t = proposeOverride(awaitingInspection(), waive, ha1, ctx(5));
    expect(t.timeline).toEqual([
      {
        at: at(5),
        status: 'INSPECTION_REQUIRED',
        bureau: 'HA',
        detail:
          'override WAIVE_STEP ORIGIN_INSPECTION at HA proposed, awaiting a second officer by officer prn_ha_1 (HA), reason STANDARD_EXCEPTION: sealed at origin',
      },
    ]);
  });
});

describe('WAIVE_STEP confirmation', () => {
  const proposed = () => proposeOverride(awaitingInspection(), waive, ha1, ctx(5)).record;

  it('by an officer of a bureau the declaration does not involve: not found (its existence is not theirs to learn)', () => {
    expect(kindOf(() => confirmOverride(proposed(), 'ovr_1', qh1, ctx(9)))).toBe('not-found');
  });

  it('of a step recorded meanwhile, or of a declaration no longer awaiting inspection: conflict, nothing applied', () => {
    const recorded = recordStep(
      proposed(),
      'ORIGIN_INSPECTION',
      { bureau: 'HA' },
      { outcome: 'PASS' },
      { at: at(7), seal: testSeal },
    ).record;
    expect(kindOf(() => confirmOverride(recorded, 'ovr_1', ha2, ctx(9)))).toBe('conflict');
    expect(kindOf(() => confirmOverride({ ...proposed(), status: 'RETURNED' }, 'ovr_1', ha2, ctx(9)))).toBe('conflict');
  });

  it('of one of two pending steps: that step is waived with its reason, the other still owed, nothing released', () => {
    const t = confirmOverride(proposed(), 'ovr_1', ha2, ctx(9));
    expect(t.to).toBe('INSPECTION_REQUIRED');
    expect(t.record.release).toBeNull();
    expect(t.record.steps.map((s) => `${s.kind}:${s.status}`)).toEqual(['ORIGIN_INSPECTION:WAIVED', 'PORT_VERIFICATION:PENDING']);
    expect(t.record.steps[0]).toMatchObject({ remarks: 'waived: STANDARD_EXCEPTION', recordedByBureau: 'HA', recordedAt: at(9) });
    expect(t.timeline).toEqual([
      expect.objectContaining({
        status: 'INSPECTION_REQUIRED',
        bureau: 'HA',
        detail: expect.stringContaining('override WAIVE_STEP ORIGIN_INSPECTION at HA confirmed and applied by officer prn_ha_2 (HA)'),
      }),
    ]);
    expect(t.record.overrides![0]).toMatchObject({ status: 'APPLIED', confirmedBy: ha2 });
  });
});
