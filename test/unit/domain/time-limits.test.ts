import { describe, expect, it } from 'vitest';
import { isOverdue, markOverdue, overdueSeconds } from '../../../shared/domain/time-limits.js';
import { recordStep } from '../../../shared/domain/inspection.js';
import { at, awaitingInspection, testSeal } from '../../support/records.js';

// awaitingInspection(): both steps required at T0 + 1 s, due 24 h later.
const DUE = 1 + 86_400;

describe('time limits (pure)', () => {
  it('a pending step is overdue only after its due time', () => {
    const step = awaitingInspection().steps[0]!;
    expect(isOverdue(step, at(DUE))).toBe(false);
    expect(isOverdue(step, at(DUE + 1))).toBe(true);
    expect(isOverdue({ ...step, status: 'PASSED' }, at(DUE + 1))).toBe(false);
    expect(overdueSeconds(step, at(DUE + 90))).toBe(90);
    expect(overdueSeconds(step, at(10))).toBe(0);
  });

  it('marks each newly overdue step once, with step.overdue for its bureau', () => {
    const d = awaitingInspection();
    expect(markOverdue(d, at(DUE))).toBeUndefined();
    const t = markOverdue(d, at(DUE + 60))!;
    expect(t).toMatchObject({ from: 'INSPECTION_REQUIRED', to: 'INSPECTION_REQUIRED', counters: {} });
    expect(t.record.steps.map((s) => s.overdueNotifiedAt)).toEqual([at(DUE + 60), at(DUE + 60)]);
    expect(t.events.map((e) => [e.type, e.owner?.id, e.data.kind, e.data.overdueSeconds])).toEqual([
      ['step.overdue', 'HA', 'ORIGIN_INSPECTION', 60],
      ['step.overdue', 'SD', 'PORT_VERIFICATION', 60],
    ]);
    // The worklist items are rewritten (so they leave the sweep's index).
    expect(t.worklist).toHaveLength(2);
    expect(markOverdue(t.record, at(DUE + 120))).toBeUndefined();
  });

  it('does not mark a step recorded before the sweep saw it', () => {
    const d = awaitingInspection();
    const recorded = recordStep(d, 'ORIGIN_INSPECTION', { bureau: 'HA' }, { outcome: 'PASS' }, { at: at(DUE + 10), seal: testSeal }).record;
    const t = markOverdue(recorded, at(DUE + 60))!;
    expect(t.events.map((e) => e.data.kind)).toEqual(['PORT_VERIFICATION']);
  });
});
