import { describe, expect, it } from 'vitest';
import { decideAudit } from '../../../shared/domain/audit.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { amendDeclaration, bodyOf } from '../../../shared/domain/amendment.js';
import {
  auditCounts,
  failRate,
  followUpCounts,
  isRandomInspection,
  liftOverRandom,
  movesAnything,
  negated,
  summed,
} from '../../../shared/domain/effectiveness.js';
import { inspectionCapacity } from '../../../shared/domain/capacity.js';
import { recordStep as recordStepUseCase, type InspectionPorts } from '../../../shared/app/inspection.js';
import type { DeclarationTransition } from '../../../shared/domain/transition.js';
import type { Officer } from '../../../shared/domain/principal.js';
import { accepted, at, casStore, decision, testSeal } from '../../support/records.js';

const ctx = { at: at(2), seal: testSeal, timeLimitS: () => 86_400 };
const HA = [{ kind: 'ORIGIN_INSPECTION' as const, bureau: 'HA' }];
const docRule = { ruleId: 'DOCS', effect: 'REQUIRE_DOCUMENTS', detail: 'docs present' };
const inspectRule = { ruleId: 'FISH', effect: 'INSPECT_ORIGIN', detail: 'fish' };
const raiseRule = { ruleId: 'RAISE', effect: 'RAISE_SAMPLING', detail: 'raised' };
const sampledOnly = decision(HA, { route: 'EXPORT_DIRECT', sampled: true, samplingRate: 0.1, hits: [docRule] });

/** The sum of every committed delta, per rule and for the baseline (what the counters end up holding). */
function totals(ts: DeclarationTransition[]) {
  const rules: Record<string, Record<string, number>> = {};
  const random: Record<string, number> = {};
  for (const t of ts) {
    if (!t.effectiveness) continue;
    for (const { ruleId, ...counts } of t.effectiveness.rules) {
      const sum = (rules[ruleId] ??= {});
      for (const [k, v] of Object.entries(counts)) if (v) sum[k] = (sum[k] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(t.effectiveness.random)) if (v) random[k] = (random[k] ?? 0) + v;
  }
  return { rules, random };
}

describe('rule effectiveness counts (contract section 15)', () => {
  it('the audit counts every hit as fired, and as inspected when it goes to inspection; with its version', () => {
    const d = decision(HA, { route: 'EXPORT_ORIGIN_AND_PORT', hits: [inspectRule, docRule] });
    const t = decideAudit(accepted(), d, ctx);
    expect(t.effectiveness).toEqual({
      ruleSetVersion: 3,
      rules: [
        { ruleId: 'FISH', fired: 1, inspected: 1, failed: 0, followUpChecked: 0, followUpFailed: 0 },
        { ruleId: 'DOCS', fired: 1, inspected: 1, failed: 0, followUpChecked: 0, followUpFailed: 0 },
      ],
      random: { inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 },
    });
    const released = decideAudit(accepted(), decision([], { hits: [docRule] }), ctx);
    expect(released.effectiveness!.rules).toMatchObject([{ ruleId: 'DOCS', fired: 1, inspected: 0, failed: 0 }]);
    const returned = decideAudit(accepted(), decision([], { mode: 'RETURNED', hits: [docRule] }), ctx);
    expect(returned.effectiveness!.rules).toMatchObject([{ ruleId: 'DOCS', fired: 1, inspected: 0, failed: 0 }]);
    expect(movesAnything(decideAudit(accepted(), decision([]), ctx).effectiveness)).toBe(false);
  });

  it('random is sampling alone: not mandatory, rate below 1, no rule that inspects, disinfects or raised the rate', () => {
    expect(isRandomInspection(sampledOnly)).toBe(true);
    expect(isRandomInspection({ ...sampledOnly, hits: [inspectRule] })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, hits: [{ ...docRule, effect: 'REQUIRE_DOCUMENTS+DISINFECT' }] })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, hits: [raiseRule] })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, route: 'EXPORT_ORIGIN_AND_PORT' })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, samplingRate: 1 })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, blacklisted: true })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, sampled: false })).toBe(false);
    expect(isRandomInspection({ ...sampledOnly, route: 'IMPORT_DESTINATION' })).toBe(true);
    expect(decideAudit(accepted(), sampledOnly, ctx).effectiveness!.random).toMatchObject({ inspected: 1, failed: 0 });
  });

  it('an officer’s ADD_STEP before the audit is not the draw: inspected for the rules, not random', () => {
    const withStep = { ...accepted(), steps: [{ kind: 'PORT_DISINFECTION' as const, bureau: 'SD', status: 'PENDING' as const }] };
    const t = decideAudit(withStep, decision([], { route: 'EXPORT_DIRECT', hits: [docRule] }), ctx);
    expect(t.to).toBe('INSPECTION_REQUIRED');
    expect(t.effectiveness).toMatchObject({ rules: [{ ruleId: 'DOCS', inspected: 1 }], random: { inspected: 0 } });
  });

  it('a failed inspection counts failed for the rules that fired (and the baseline when sampling alone sent it); a pass counts nothing', () => {
    const audited = decideAudit(accepted(), sampledOnly, ctx).record;
    const failed = recordStep(audited, 'ORIGIN_INSPECTION', { bureau: 'HA' }, { outcome: 'FAIL' }, { at: at(9), seal: testSeal });
    expect(failed.effectiveness).toEqual({
      ruleSetVersion: 3,
      rules: [{ ruleId: 'DOCS', fired: 0, inspected: 0, failed: 1, followUpChecked: 0, followUpFailed: 0 }],
      random: { inspected: 0, failed: 1, followUpChecked: 0, followUpFailed: 0 },
    });
    const passed = recordStep(audited, 'ORIGIN_INSPECTION', { bureau: 'HA' }, { outcome: 'PASS' }, { at: at(9), seal: testSeal });
    expect(passed.effectiveness).toBeUndefined();
  });

  it('an amendment takes back what the superseded decision counted, so a declaration counts once per version', () => {
    const audited = decideAudit(accepted(), sampledOnly, ctx);
    const amended = amendDeclaration(audited.record, { ...bodyOf(audited.record), amendmentReason: 'weight' }, at(20))!;
    expect(amended.effectiveness).toEqual(negated(audited.effectiveness!));
    const again = decideAudit(amended.record, sampledOnly, { ...ctx, at: at(30) });
    expect(totals([audited, amended, again])).toEqual({ rules: { DOCS: { fired: 1, inspected: 1 } }, random: { inspected: 1 } });
    // Amended before any audit: nothing to take back.
    expect(amendDeclaration(accepted(), { ...bodyOf(accepted()), amendmentReason: 'x' }, at(3))!.effectiveness).toBeUndefined();
  });

  it('a follow-up check after release counts checked (and failed) for the rules and the follow-up baseline; the store writes it', () => {
    const failed = followUpCounts(sampledOnly, true);
    expect(failed.rules).toEqual([{ ruleId: 'DOCS', fired: 0, inspected: 0, failed: 0, followUpChecked: 1, followUpFailed: 1 }]);
    expect(failed.random).toEqual({ inspected: 0, failed: 0, followUpChecked: 1, followUpFailed: 1 });
    // Only follow-up counts move: still something to write.
    expect(movesAnything(followUpCounts(sampledOnly, false))).toBe(true);
    expect(movesAnything(followUpCounts({ ...sampledOnly, hits: [] }, false))).toBe(true);
    expect(movesAnything(negated(followUpCounts(sampledOnly, false)))).toBe(true);
  });

  it('fail rates and the lift over the random baseline', () => {
    expect(failRate(1, 3)).toBe(0.3333);
    expect(failRate(0, 0)).toBeNull();
    expect(liftOverRandom(0.3, 0.05)).toBe(6);
    expect(liftOverRandom(null, 0.05)).toBeNull();
    expect(liftOverRandom(0.3, 0)).toBeNull();
    expect(auditCounts(sampledOnly, 'RETURNED').random.inspected).toBe(0);
  });
});

describe('effectiveness under races and redelivery (use case over a compare-and-set store)', () => {
  const officer = (n: number): Officer => ({ id: `prn_ha_${n}`, kind: 'officer', bureau: 'HA', roles: ['inspector'] });

  it('the same FAIL recorded twice at the same moment counts failed once', async () => {
    let readers = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const cas = casStore(decideAudit(accepted(), sampledOnly, ctx).record, async () => {
      if (++readers === 2) release();
      await bothRead;
    });
    const ports: InspectionPorts = { store: cas.store, sealer: async () => testSeal, clock: () => at(99) };
    await Promise.allSettled([
      recordStepUseCase('d', 'ORIGIN_INSPECTION', officer(1), { outcome: 'FAIL' }, ports),
      recordStepUseCase('d', 'ORIGIN_INSPECTION', officer(2), { outcome: 'FAIL' }, ports),
    ]);
    expect(cas.committed).toHaveLength(1);
    expect(totals(cas.committed)).toEqual({ rules: { DOCS: { failed: 1 } }, random: { failed: 1 } });
  });
});

describe('simulation capacity per bureau', () => {
  it('turns the replay workload into a daily rate over the period and compares it with each bureau’s capacity', () => {
    const result = inspectionCapacity(
      { active: { HA: 70 }, draft: { HA: 1400, SD: 7 } },
      { from: at(0), to: at(7 * 86_400), bureaus: ['SD', 'HA'], capacityOf: (b) => (b === 'HA' ? 150 : 1000) },
    );
    expect(result.periodDays).toBe(7);
    expect(result.bureaus).toEqual([
      {
        bureau: 'SD',
        dailyCapacity: 1000,
        expectedPerDay: { active: 0, draft: 1 },
        utilisation: { active: 0, draft: 0.001 },
        overCapacity: { active: false, draft: false },
      },
      {
        bureau: 'HA',
        dailyCapacity: 150,
        expectedPerDay: { active: 10, draft: 200 },
        utilisation: { active: 0.067, draft: 1.333 },
        overCapacity: { active: false, draft: true },
      },
    ]);
  });

  it('a replay covering minutes is taken as at least an hour (no absurd daily rates from a burst)', () => {
    const result = inspectionCapacity(
      { active: {}, draft: { HA: 2 } },
      { from: at(0), to: at(60), bureaus: ['HA'], capacityOf: () => 1000 },
    );
    expect(result.periodDays).toBe(0.042);
    expect(result.bureaus[0]!.expectedPerDay.draft).toBe(48);
  });
});

describe('summed effectiveness deltas', () => {
  it('adds each rule and the baseline across deltas, one entry per rule, and an amendment and its take-back cancel out', () => {
    const delta = (fired: number, inspected: number, ruleId = 'R1') => ({
      ruleSetVersion: 3,
      rules: [{ ruleId, fired, inspected, failed: 0, followUpChecked: 0, followUpFailed: 0 }],
      random: { inspected, failed: 0, followUpChecked: 0, followUpFailed: 0 },
    });
    const total = summed(3, [delta(1, 1), delta(1, 0), delta(1, 0, 'R2')]);
    expect(total.rules).toEqual([
      { ruleId: 'R1', fired: 2, inspected: 1, failed: 0, followUpChecked: 0, followUpFailed: 0 },
      { ruleId: 'R2', fired: 1, inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 },
    ]);
    expect(total.random.inspected).toBe(1);
    expect(movesAnything(summed(3, [delta(1, 1), negated(delta(1, 1))]))).toBe(false);
  });
});
