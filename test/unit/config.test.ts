import { describe, expect, it } from 'vitest';
import { DEFAULT_STRANDED_AFTER_S, DEFAULT_WEBHOOK_SCHEDULE_S, strandedAfterS, webhookScheduleS } from '../../shared/config.js';

describe('operational defaults', () => {
  it('the stranded bound follows CLEARWAY_STRANDED_AFTER_S and falls back to the default on nonsense', () => {
    expect(strandedAfterS(undefined)).toBe(DEFAULT_STRANDED_AFTER_S);
    expect(strandedAfterS('')).toBe(DEFAULT_STRANDED_AFTER_S);
    expect(strandedAfterS('7')).toBe(7);
    expect(strandedAfterS('0.5')).toBe(0.5);
    expect(strandedAfterS('soon')).toBe(DEFAULT_STRANDED_AFTER_S);
    expect(strandedAfterS('-1')).toBe(DEFAULT_STRANDED_AFTER_S);
  });

  it('the webhook schedule is a fresh copy: a caller cannot change the default for everyone', () => {
    const schedule = webhookScheduleS(undefined);
    schedule.push(1);
    expect(webhookScheduleS(undefined)).toEqual([...DEFAULT_WEBHOOK_SCHEDULE_S]);
    expect(webhookScheduleS('1,x')).toEqual([...DEFAULT_WEBHOOK_SCHEDULE_S]);
  });
});
