/** Admission control (shared/app/admission.ts): refuse before storing, beyond what can be sustained. */
import { describe, expect, it } from 'vitest';
import {
  Admission,
  admissionDecision,
  admissionLimitsFromEnv,
  backlogLimit,
  type AdmissionLimits,
  type BacklogSample,
} from '../../../shared/app/admission.js';
import { DomainError } from '../../../shared/domain/errors.js';

const limits = { maxInFlight: 3, maxBacklog: 100 };

describe('admission decision', () => {
  it('admits while in-flight work and the backlog are within their limits', () => {
    expect(admissionDecision({ inFlight: 2, backlog: 99 }, limits)).toBeUndefined();
    expect(admissionDecision({ inFlight: 0, backlog: undefined }, limits)).toBeUndefined();
  });
  it('refuses for a second when this container has as much in flight as it may', () => {
    expect(admissionDecision({ inFlight: 3, backlog: 0 }, limits)).toEqual({ retryAfterS: 1, reason: expect.stringContaining('3') });
  });
  it('never refuses the only request in flight, whatever its weight (a 100-item batch on a quiet container)', () => {
    expect(admissionDecision({ inFlight: 0, backlog: 0 }, limits, { transactions: 4, declarations: 100 - 1 })).toBeUndefined();
  });
  it('refuses when the backlog would pass its limit, asking to come back later the longer it is', () => {
    expect(admissionDecision({ inFlight: 0, backlog: 100 }, limits)?.retryAfterS).toBe(1);
    expect(admissionDecision({ inFlight: 0, backlog: 450 }, limits)?.retryAfterS).toBe(5);
    expect(admissionDecision({ inFlight: 0, backlog: 1_000_000 }, limits)?.retryAfterS).toBe(30);
    expect(admissionDecision({ inFlight: 0, backlog: 60 }, limits, { transactions: 2, declarations: 50 })).toBeDefined();
  });
  it('admits a batch larger than the backlog limit onto a short backlog (a limit of 60, a 100-item batch)', () => {
    const local = { maxInFlight: 24, maxBacklog: 60 };
    expect(admissionDecision({ inFlight: 0, backlog: 0 }, local, { transactions: 4, declarations: 100 })).toBeUndefined();
    expect(admissionDecision({ inFlight: 0, backlog: 29 }, local, { transactions: 4, declarations: 100 })).toBeUndefined();
    expect(admissionDecision({ inFlight: 0, backlog: 31 }, local, { transactions: 4, declarations: 100 })).toBeDefined();
  });
  it('lets the backlog hold backlogSeconds of the measured drain when that is more than maxBacklog, up to four times it', () => {
    const timed = { maxInFlight: 8, maxBacklog: 20, backlogSeconds: 1 };
    expect(backlogLimit(timed, undefined)).toBe(20);
    expect(backlogLimit(timed, 12)).toBe(20); // a slow drain: the floor
    expect(backlogLimit(timed, 50.9)).toBe(50); // a second of a 50/s drain
    expect(backlogLimit(timed, 1_000)).toBe(80); // a drain that seems too good to be true is capped
    expect(backlogLimit({ maxInFlight: 8, maxBacklog: 20 }, 50)).toBe(20); // unset: maxBacklog alone
    // 30 waiting: refused when the queues drain 20 a second (1.5 s of work), admitted at 50 a second (0.6 s).
    expect(admissionDecision({ inFlight: 0, backlog: 30, drainPerS: 20 }, timed)).toBeDefined();
    expect(admissionDecision({ inFlight: 0, backlog: 30, drainPerS: 50 }, timed)).toBeUndefined();
  });
  it('reads its limits from the environment, with defaults for missing or bad values', () => {
    expect(admissionLimitsFromEnv({ CLEARWAY_INTAKE_MAX_BACKLOG: '60', CLEARWAY_INTAKE_MAX_IN_FLIGHT: '24' })).toEqual({
      maxBacklog: 60,
      maxInFlight: 24,
      writeTargetMs: 100,
    });
    expect(admissionLimitsFromEnv({ CLEARWAY_INTAKE_MAX_BACKLOG: 'x' })).toEqual({ maxBacklog: 1000, maxInFlight: 64, writeTargetMs: 100 });
    expect(admissionLimitsFromEnv({ CLEARWAY_INTAKE_BACKLOG_SECONDS: '1.5' }).backlogSeconds).toBe(1.5);
  });
});

/** An Admission on a clock and a backlog sample the test moves by hand. */
function onHandClock(limits: AdmissionLimits, sample: BacklogSample | undefined = { depth: 0, takenAt: 0 }) {
  const at = { sample, clock: 0 };
  const admission = new Admission(
    limits,
    () => at.sample,
    () => at.clock,
  );
  return { at, admission };
}

describe('Admission', () => {
  it('runs admitted work, refuses what comes beyond the in-flight limit with overloaded + Retry-After, and admits again after', async () => {
    const admission = new Admission(limits, () => ({ depth: 0, takenAt: 1 }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = [1, 2, 3].map(() => admission.run({ transactions: 1, declarations: 1 }, () => gate.then(() => 'done')));
    const refused = await admission.run({ transactions: 1, declarations: 1 }, async () => 'ran').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).kind).toBe('overloaded');
    expect((refused as DomainError).extensions).toEqual({ retryAfterSeconds: 1 });
    release();
    expect(await Promise.all(running)).toEqual(['done', 'done', 'done']);
    expect(await admission.run({ transactions: 1, declarations: 1 }, async () => 'ran')).toBe('ran');
  });
  it('does not run the work at all when refused', async () => {
    const admission = new Admission(limits, () => ({ depth: 500, takenAt: 1 }));
    let ran = false;
    await expect(admission.run({ transactions: 1, declarations: 1 }, async () => (ran = true))).rejects.toThrow(/nothing was stored/);
    expect(ran).toBe(false);
  });
  it('counts what it admitted onto a sample until the next sample arrives, so one stale sample cannot let a burst in', async () => {
    let sample: BacklogSample | undefined = { depth: 90, takenAt: 1_000 };
    let clock = 1_000;
    const admission = new Admission(
      { maxInFlight: 1000, maxBacklog: 100 },
      () => sample,
      () => clock,
    );
    const file = () => admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted').catch((e: DomainError) => e.kind);
    const first = await Promise.all(Array.from({ length: 15 }, file));
    expect(first.filter((r) => r === 'accepted')).toHaveLength(10);
    expect(first.filter((r) => r === 'overloaded')).toHaveLength(5);
    // The next sample (the queues drained to 40) replaces the estimate: room for 60 more, taken
    // the moment the sample arrives (no time yet for the queues to drain any of them).
    sample = { depth: 40, takenAt: 2_000 };
    clock = 2_000;
    const second = await Promise.all(Array.from({ length: 70 }, file));
    expect(second.filter((r) => r === 'accepted')).toHaveLength(60);
    // No sample (SQS did not answer): no refusal on the backlog.
    sample = undefined;
    expect(await file()).toBe('accepted');
  });
  it('discounts what it stored since the sample by what the queues were seen to drain, so a pipeline that keeps up is not refused', async () => {
    const limits = { maxInFlight: 1000, maxBacklog: 15 };
    let sample: BacklogSample = { depth: 7, takenAt: 0 };
    let clock = 0;
    const admission = new Admission(
      limits,
      () => sample,
      () => clock,
    );
    const file = () => admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted').catch((e: DomainError) => e.kind);
    // The rated load of 2026-12-03, 9 a second, one every 111 ms; the queues hold about 7 messages throughout.
    const answers: string[] = [];
    for (let second = 0; second < 5; second++) {
      sample = { depth: 7, takenAt: second * 1000 };
      for (let i = 0; i < 9; i++) {
        clock = second * 1000 + i * 111;
        answers.push(await file());
      }
    }
    // The first second has no drain to go by and counts every arrival (7 + 9 would pass 15 without
    // the discount at 9 a second); from the second sample on, 9 a second drain and nothing is refused.
    expect(answers.slice(9)).toEqual(Array(36).fill('accepted'));
    // Overload: the queues grow by what was stored (nothing drains), so the arrivals count in full
    // again and what passes the limit is refused within the second.
    sample = { depth: 7, takenAt: 5000 };
    clock = 5000;
    await file();
    sample = { depth: 8, takenAt: 6000 };
    clock = 6000;
    const burst: string[] = [];
    for (let i = 0; i < 20; i++) {
      clock = 6000 + i * 10;
      burst.push(await file());
    }
    // The drain over the last four seconds (27 in 4 s) still discounts a little of the burst.
    expect(burst.filter((r) => r === 'accepted')).toHaveLength(8);
    // The queues stall at 10 for four seconds (replays keep the samples coming, storing nothing):
    // once the window holds only the stall, nothing is discounted, and exactly 15 - 10 are admitted.
    for (let second = 7; second <= 11; second++) {
      sample = { depth: 10, takenAt: second * 1000 };
      clock = second * 1000;
      await admission.run(
        { transactions: 1, declarations: 1 },
        async () => 'replayed',
        () => 0,
      );
    }
    const stalled: string[] = [];
    for (let i = 0; i < 20; i++) {
      clock = 11_000 + i * 10;
      stalled.push(await file());
    }
    expect(stalled.filter((r) => r === 'accepted')).toHaveLength(5);
  });
  it('admits onto a backlog that a fast drain clears within backlogSeconds, and holds a stalled one to maxBacklog', async () => {
    // A pipeline that takes 0.6 s over each declaration: at 50 a second about 30 are in its
    // queues at any moment, more than maxBacklog (20), though each is done within the bound.
    const run = async (limits: { maxInFlight: number; maxBacklog: number; backlogSeconds?: number }) => {
      const stored: number[] = [];
      let stalledSince = Infinity;
      const depthAt = (t: number) => stored.filter((when) => when > t - 600 || when > stalledSince).length;
      const { at, admission } = onHandClock(limits);
      const refusedPerSecond: number[] = [];
      const second = async (s: number) => {
        at.sample = { depth: depthAt(s * 1000), takenAt: s * 1000 };
        let refused = 0;
        for (let i = 0; i < 50; i++) {
          at.clock = s * 1000 + i * 20;
          const answer = await admission
            .run({ transactions: 1, declarations: 1 }, async () => void stored.push(at.clock))
            .then(() => 'accepted')
            .catch((e: DomainError) => e.kind);
          if (answer === 'overloaded') refused += 1;
        }
        refusedPerSecond.push(refused);
      };
      for (let s = 0; s < 15; s++) await second(s);
      // The pipeline stalls: what is stored stays in the queues, nothing drains.
      stalledSince = 15_000;
      for (let s = 15; s < 21; s++) await second(s);
      return refusedPerSecond;
    };
    const byCount = await run({ maxInFlight: 1000, maxBacklog: 20 });
    const byTime = await run({ maxInFlight: 1000, maxBacklog: 20, backlogSeconds: 1 });
    // Held to 20 messages, a third or more of every second is refused; judged by a second of the
    // drain, fewer as the drain seen grows with what is admitted, and within ten seconds none.
    expect(byCount.slice(10, 15).every((refused) => refused >= 15)).toBe(true);
    expect(byTime.slice(10, 15)).toEqual([0, 0, 0, 0, 0]);
    // Stalled, the drain seen falls to nothing within the window and the limit to 20 again: all refused.
    expect(byTime.slice(-1)).toEqual([50]);
  });
  it("judges the drain over several seconds, so samples caught in the pipeline's bursts do not refuse in waves", async () => {
    // 30 a second, all of it drained, but the samples land alternately between the pipeline's
    // bursts (nothing waiting) and inside one (14 waiting). Judged on the last two samples alone,
    // every second sample showed a drain of 16 a second and 9 filings were refused: [.., 9, 0, 9, 0].
    const { at, admission } = onHandClock({ maxInFlight: 1000, maxBacklog: 20 });
    const refusedPerSecond: number[] = [];
    for (let second = 0; second < 10; second++) {
      at.sample = { depth: second % 2 === 0 ? 0 : 14, takenAt: second * 1000 };
      let refused = 0;
      for (let i = 0; i < 30; i++) {
        at.clock = second * 1000 + Math.floor((i * 1000) / 30);
        await admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted').catch(() => (refused += 1));
      }
      refusedPerSecond.push(refused);
    }
    // The first seconds have too little history to go by; once four seconds of it are in, none.
    expect(refusedPerSecond.slice(6)).toEqual([0, 0, 0, 0]);
  });
  it('judges a burst after a pause by the pace quiet queues kept in the last minute, and only while they are quiet', async () => {
    // 20 a second with the queues holding 2 messages at every sample, then a pause of five seconds
    // (the samples go on), then 24 a second, kept up with as well. On the window's drain alone,
    // which the pause brought to nothing, the burst's first second counted every arrival and
    // refused 6 of its 24.
    const limits = { maxInFlight: 1000, maxBacklog: 20 };
    const { at, admission } = onHandClock(limits);
    const second = async (s: number, perSecond: number, depth: number) => {
      at.sample = { depth, takenAt: s * 1000 };
      let refused = 0;
      for (let i = 0; i < perSecond; i++) {
        at.clock = s * 1000 + Math.floor((i * 1000) / perSecond);
        await admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted').catch(() => (refused += 1));
      }
      return refused;
    };
    const refusedPerSecond: number[] = [];
    for (let s = 0; s < 6; s++) refusedPerSecond.push(await second(s, 20, 2));
    for (let s = 6; s < 11; s++) refusedPerSecond.push(await second(s, 0, 0));
    for (let s = 11; s < 16; s++) refusedPerSecond.push(await second(s, 24, 2));
    expect(refusedPerSecond.slice(2)).toEqual(Array(14).fill(0));
    // The same pause, then a sample that finds the queues not quiet (8 waiting, more than a
    // quarter of the limit): the pace shown before does not count, and the arrivals count in full.
    for (let s = 16; s < 21; s++) await second(s, 0, 0);
    expect(await second(21, 24, 8)).toBeGreaterThan(5);
  });
  it('refuses a concurrent filing while even the fastest write of the last interval was over the target, never the only one', async () => {
    let clock = 0;
    const admission = new Admission(
      { maxInFlight: 8, maxBacklog: 1000, writeTargetMs: 50 },
      () => undefined,
      () => clock,
    );
    // A write that takes `ms` of the fake clock; `concurrent` files one while another is held open.
    const write = (ms: number) =>
      admission
        .run({ transactions: 1, declarations: 1 }, async () => void (clock += ms))
        .then(() => 'accepted')
        .catch((e: DomainError) => e.kind);
    const concurrent = async () => {
      let release!: () => void;
      const held = admission.run({ transactions: 1, declarations: 1 }, () => new Promise<void>((r) => (release = r)));
      const answer = await write(0);
      release();
      await held;
      return answer;
    };
    // Writes one after the other from `at`; each call below starts its own interval (250 ms or more after the last).
    const interval = async (at: number, writes: number[]) => {
      clock = at;
      for (const ms of writes) await write(ms);
    };
    // Intervals of 250 ms. Slow writes with a fast one among them are not congestion: the fastest
    // of the last two intervals decides (10 ms here).
    await interval(0, [70, 10, 60]);
    await interval(260, [60, 70, 65]);
    clock = 580;
    expect(await concurrent()).toBe('accepted');
    // Two intervals in a row of three writes each, all over 50 ms: congested, so a concurrent
    // filing is refused...
    await interval(1000, [60, 70, 65]);
    await interval(1320, [60, 70, 65]);
    clock = 1640;
    expect(await concurrent()).toBe('overloaded');
    // ...but one with nothing else in flight is admitted (in the cloud, one request per container,
    // this signal never refuses).
    expect(await write(30)).toBe('accepted');
    // One slow interval is a pause, not a queue.
    await interval(2000, [60, 60, 60]);
    clock = 2320;
    expect(await concurrent()).toBe('accepted');
    // Two slow writes in an interval are no verdict.
    await interval(3000, [60, 60]);
    await interval(3320, [60, 60, 60]);
    clock = 3640;
    expect(await concurrent()).toBe('accepted');
    // A batch's time is its size, not the store's state: slow batches are no verdict.
    const batch = (ms: number) => admission.run({ transactions: 4, declarations: 100 }, async () => void (clock += ms));
    clock = 4200;
    for (let i = 0; i < 3; i++) await batch(60);
    clock = 4520;
    for (let i = 0; i < 3; i++) await batch(60);
    clock = 4840;
    expect(await concurrent()).toBe('accepted');
    // Slow intervals followed by silence: intervals that ended long ago say nothing about now.
    await interval(6000, [60, 60, 60]);
    await interval(6320, [60, 60, 60]);
    clock = 7500;
    expect(await concurrent()).toBe('accepted');
  });
  it('counts only what was stored: a flood of bad requests or replays onto a short backlog is never refused', async () => {
    const admission = new Admission({ maxInFlight: 1000, maxBacklog: 100 }, () => ({ depth: 95, takenAt: 1 }));
    const bad = () =>
      admission
        .run({ transactions: 1, declarations: 1 }, async () => {
          throw new DomainError('invalid', 'enterpriseId is not yours');
        })
        .catch((e: DomainError) => e.kind);
    for (let i = 0; i < 50; i++) expect(await bad()).toBe('invalid');
    const replay = () =>
      admission.run(
        { transactions: 1, declarations: 1 },
        async () => 'replayed',
        () => 0,
      );
    for (let i = 0; i < 50; i++) expect(await replay()).toBe('replayed');
    // What is stored counts, one after the other as well as concurrently.
    const stored = () => admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted').catch((e: DomainError) => e.kind);
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await stored());
    expect(answers).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'overloaded', 'overloaded', 'overloaded']);
  });
  it('counts a batch by its declarations', async () => {
    const admission = new Admission({ maxInFlight: 1000, maxBacklog: 100 }, () => ({ depth: 0, takenAt: 1 }));
    expect(await admission.run({ transactions: 2, declarations: 50 }, async () => 'accepted')).toBe('accepted');
    await expect(admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted')).resolves.toBe('accepted');
    await expect(admission.run({ transactions: 2, declarations: 50 }, async () => 'accepted')).rejects.toThrow(/51 declarations/);
  });
  it('names the backlog in whole declarations, though the drain it discounts is an estimate', async () => {
    const { at, admission } = onHandClock({ maxInFlight: 1000, maxBacklog: 20 });
    // 10 stored in the first second, 7 of them drained by the next sample: 2.33 drained per second.
    for (let i = 0; i < 10; i++) await admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted');
    at.sample = { depth: 3, takenAt: 3000 };
    at.clock = 3000;
    await admission.run({ transactions: 1, declarations: 20 }, async () => 'accepted');
    at.clock = 3100;
    // 3 + 20 - 0.23 drained = 22.77 waiting: named as 23, not as a fraction.
    await expect(admission.run({ transactions: 1, declarations: 1 }, async () => 'accepted')).rejects.toThrow(
      /\(23 declarations and events are waiting/,
    );
  });
});
