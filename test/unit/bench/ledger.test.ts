/**
 * bench:pipeline's ledger splits a release's latency at the audit's decision: the released event's
 * `timestamp` is put on the run's clock (performance.now()), the clock every other time of the
 * ledger is on.
 */
import { describe, expect, it } from 'vitest';
import { Ledger, onRunClock, type Record_ } from '../../../bench/pipeline/ledger.js';

const filed = (clientRef: string, scheduledAt: number): Record_ => ({
  clientRef,
  intent: 'EXPORT_DIRECT',
  level: 'AA',
  lines: 1,
  enterprise: 'E',
  scheduledAt,
  via: 'single',
});

describe('the ledger', () => {
  it("puts an event's timestamp on the run's clock", () => {
    expect(onRunClock('2026-12-07T18:00:00.250Z', Date.parse('2026-12-07T18:00:00.000Z'))).toBe(250);
    expect(onRunClock('not a time', 0)).toBeUndefined();
  });

  it('records when the final transition was decided, beside when its webhook arrived', () => {
    const ledger = new Ledger();
    const record = filed('ref-1', 1_000);
    ledger.add(record);
    const decidedOnRunClock = 1_080;
    const timestamp = new Date(performance.timeOrigin + decidedOnRunClock).toISOString();
    ledger.onEvent(
      {
        type: 'declaration.released',
        timestamp,
        data: { clientRef: 'ref-1', declarationId: 'dcl_1', decision: { mode: 'DOCUMENT_RELEASE' } },
      },
      1_200,
    );
    expect(record).toMatchObject({ final: 'RELEASED', finalAt: 1_200 });
    // ISO timestamps carry milliseconds: the run clock's fraction of a millisecond is lost.
    expect(record.finalDecidedAt).toBeGreaterThan(decidedOnRunClock - 1);
    expect(record.finalDecidedAt).toBeLessThanOrEqual(decidedOnRunClock);
  });
});
