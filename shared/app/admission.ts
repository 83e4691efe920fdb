/**
 * Admission control for intake (contract section 16): beyond what the platform can sustain, a
 * filing is refused with 503 + Retry-After before anything is stored, instead of being accepted
 * into a pipeline that would break its latency bound (or timing out). Two signals, both cheap on
 * the hot path (no I/O per request):
 *
 * - work in flight in this container (locally: one thread serves every intake request, and each
 *   waits for one of a few DynamoDB connections; in the cloud a container serves one request at a
 *   time, so this never refuses there and Lambda scales out instead);
 * - the backlog waiting on the audit and notify queues, sampled at most once a second per
 *   container (`shared/adapters/queue-depth.ts`): messages waiting there are latency every new
 *   declaration will queue behind. This is the signal that works across all containers in the cloud.
 *   A sample is up to a second old, so the container adds the declarations it stored since the
 *   latest sample arrived and those it is storing now: without that, a sample one under the limit
 *   admits every arrival of the next second (48 of them at 48/s offered), all of which then wait
 *   behind each other. Only what was stored counts: requests refused by validation, replays and
 *   refused batch items add no work (a flood of bad requests must not look like a backlog).
 *   What was stored since is discounted by what the queues were seen to drain over the samples of
 *   the last `DRAIN_WINDOW_MS` (oldest depth + what was stored since - this depth, per millisecond): when
 *   the pipeline keeps up, most of a second's arrivals are gone again before the next sample, and
 *   counting them all would refuse a pipeline that keeps up on its own arrivals once the limit is
 *   low enough to hold the latency bound at 3x (README, Measured). When the queues grow, the
 *   estimated drain falls and the arrivals count in full again. Several seconds, not the last two
 *   samples: a sample lands at a random point of the pipeline's own bursts (an audit batch of 10
 *   taken or not), so one second's drain swings between 0 and twice the real rate, and judged on
 *   it alone admission refused every other second in waves at a load it sustained (docs/pipeline.md,
 *   "Admission's drain"). While a sample finds the queues quiet (a quarter of the limit or less),
 *   the discount is at least the fastest pace that quiet queues kept over the last minute: the
 *   window's drain lags a step up in arrivals and falls to nothing over a pause, and a burst after
 *   a pause was refused in its first second with the queues all but empty. In the cloud a
 *   container sees only what it stored itself, so it underestimates the drain and the pace: it
 *   discounts less, never more.
 *   The limit is `maxBacklog` messages, or `backlogSeconds` of that drain when the queues drain
 *   faster (`backlogLimit`): what waits is judged in time, as docs/scaling.md sets the cloud's
 *   limit ("about a second of the measured drain"), so a pipeline that drains 50 a second is not
 *   held to the 20 messages that are a second of work at 20 a second.
 * - how long this container's own single filings take to write: when even the fastest of each of the
 *   last two quarter seconds (of at least three each) took longer than `writeTargetMs`, the store
 *   is persistently congested (locally: DynamoDB Local, shared with the consumers, is saturated)
 *   and a further concurrent write would only queue behind the others and take the consumers' share. The
 *   minimum, not the mean (the way CoDel judges a queue): a burst of concurrent filings onto a
 *   quiet store is not congestion, and is admitted up to `maxInFlight`. A container with nothing
 *   in flight always admits, so in the cloud (one request per container) this never refuses.
 *
 * A refused request costs one Lambda invocation and nothing else.
 */
import { overloaded } from '../domain/errors.js';

export type AdmissionLimits = {
  /** Intake work in flight in this container, in transactions (a batch weighs one per 25 declarations). */
  maxInFlight: number;
  /** Messages waiting on the work queues beyond which new declarations would miss the bound. */
  maxBacklog: number;
  /** Intake's share of the 1 s bound: a store slower than this for two intervals running is congested (unset: not judged). */
  writeTargetMs?: number;
  /**
   * The backlog may also hold this many seconds of what the queues were seen to drain, when that
   * is more than `maxBacklog` (unset: `maxBacklog` alone). A queue is judged by how long its work
   * waits, not by how many messages it holds: the same 20 messages are a second of work at 20
   * declarations a second and 0.4 s at 50 (Little's law: waiting = backlog ÷ drain).
   */
  backlogSeconds?: number;
};

/** However fast the drain seems, the backlog limit grows to at most this many times `maxBacklog`. */
export const MAX_BACKLOG_GROWTH = 4;

/** The backlog limit for a drain of `drainPerS` declarations a second: `maxBacklog`, or `backlogSeconds` of the drain if more. */
export function backlogLimit(limits: AdmissionLimits, drainPerS: number | undefined): number {
  const ofDrain = Math.floor((drainPerS ?? 0) * (limits.backlogSeconds ?? 0));
  return Math.min(MAX_BACKLOG_GROWTH * limits.maxBacklog, Math.max(limits.maxBacklog, ofDrain));
}

/**
 * The store counts as congested when the fastest write of each of the last two intervals of this
 * length was over the target: half a second of it, so a pause of a few hundred milliseconds (a
 * garbage collection in DynamoDB Local, say) is not taken for a queue.
 */
export const CONGESTION_INTERVAL_MS = 250;
/** Writes an interval needs for a verdict: one or two slow ones are a hiccup (a pause), not a queue. */
export const CONGESTION_MIN_WRITES = 3;
/**
 * The queues' drain is judged over the samples of this long (about four at one a second): long
 * enough that one sample caught in a burst moves it by a quarter, short enough that a pipeline
 * that stalls counts arrivals in full again within a few seconds.
 */
export const DRAIN_WINDOW_MS = 4_000;
/**
 * How long the pace that quiet queues were seen to keep is remembered (`Admission.backlog`): longer
 * than the pauses between bursts of filings, so that the next burst is judged by what the pipeline
 * has shown it takes in its stride.
 */
export const QUIET_PACE_MEMORY_MS = 60_000;
/** Queues holding at most this share of `maxBacklog` at a sample are quiet: the pipeline keeps up. */
export const QUIET_SHARE = 0.25;

/** The limits from the function's environment (its manifest sets them; see docs/scaling.md). */
export function admissionLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): AdmissionLimits {
  const num = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    maxInFlight: num('CLEARWAY_INTAKE_MAX_IN_FLIGHT', 64),
    maxBacklog: num('CLEARWAY_INTAKE_MAX_BACKLOG', 1000),
    writeTargetMs: num('CLEARWAY_INTAKE_WRITE_TARGET_MS', 100),
    ...(env.CLEARWAY_INTAKE_BACKLOG_SECONDS !== undefined ? { backlogSeconds: num('CLEARWAY_INTAKE_BACKLOG_SECONDS', 0) } : {}),
  };
}

export type Refusal = { retryAfterS: number; reason: string };

/** Messages on the work queues, and when the request that counted them was sent (epoch ms). */
export type BacklogSample = { depth: number; takenAt: number };

/** A sample as this container first saw it, with how many declarations it had stored by then. */
type SeenSample = BacklogSample & { storedBefore: number };

/** What a request adds: transactions it holds while it runs, declarations it adds to the backlog. */
export type IntakeWeight = { transactions: number; declarations: number };

/** Pure: whether a request of `weight` may start, given the signals. */
export function admissionDecision(
  signals: { inFlight: number; backlog: number | undefined; fastestRecentWriteMs?: number; drainPerS?: number },
  limits: AdmissionLimits,
  weight: IntakeWeight = { transactions: 1, declarations: 1 },
): Refusal | undefined {
  if (signals.inFlight > 0 && signals.inFlight + weight.transactions > limits.maxInFlight) {
    return { retryAfterS: 1, reason: `${signals.inFlight} intake transactions are in progress here` };
  }
  const fastest = signals.fastestRecentWriteMs;
  if (signals.inFlight > 0 && fastest !== undefined && limits.writeTargetMs !== undefined && fastest > limits.writeTargetMs) {
    return { retryAfterS: 1, reason: `the store is congested (no intake write took less than ${Math.round(fastest)} ms of late)` };
  }
  const maxBacklog = backlogLimit(limits, signals.drainPerS);
  // A request's own room is capped at half the limit: otherwise a batch larger than the limit (100
  // declarations against the local 60) would be refused even onto an empty backlog, for ever.
  const room = Math.min(weight.declarations, Math.floor(maxBacklog / 2));
  if (signals.backlog !== undefined && signals.backlog + room > maxBacklog) {
    // Each maxBacklog of waiting work is about one latency budget (a second) of draining.
    const retryAfterS = Math.min(30, Math.max(1, Math.ceil(signals.backlog / maxBacklog)));
    // An estimate (the drain discount is fractional); the message names whole declarations.
    return { retryAfterS, reason: `${Math.ceil(signals.backlog)} declarations and events are waiting to be processed` };
  }
  return undefined;
}

export class Admission {
  private inFlight = 0;
  /** Declarations of the requests running now: they are about to add to the backlog. */
  private declarationsInFlight = 0;
  /** The samples of the last `DRAIN_WINDOW_MS`, oldest first; the newest is the one the backlog is counted from. */
  private recent: SeenSample[] = [];
  /** Declarations this container has stored, ever: what was stored between two samples is a difference of it. */
  private storedTotal = 0;
  /** Declarations per millisecond the queues drained over the recent samples (0: not known). */
  private drainPerMs = 0;
  /** Between two samples that both found the queues quiet: when, and how many declarations per millisecond were stored. */
  private quietPaces: { at: number; perMs: number }[] = [];
  /** The fastest of `quietPaces` while the latest sample found the queues quiet (else 0). */
  private quietPacePerMs = 0;
  /** The fastest single filing's write of the current interval, and of the last two complete ones. */
  private intervalStartedAt = 0;
  private fastestThisInterval = Infinity;
  private writesThisInterval = 0;
  private fastestLastInterval: number | undefined;
  private fastestIntervalBefore: number | undefined;

  constructor(
    private readonly limits: AdmissionLimits,
    /** The latest backlog sample (undefined when none yet); must not do I/O on the caller's path. */
    private readonly sample: () => BacklogSample | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The latest sample; a new one joins the window and gives the drain over it. */
  private latestSample(): SeenSample | undefined {
    const sample = this.sample();
    const newest = this.recent.at(-1);
    if (sample === undefined) return undefined;
    if (sample.takenAt === newest?.takenAt) return newest;
    const seen = { ...sample, storedBefore: this.storedTotal };
    if (newest && seen.takenAt > newest.takenAt && this.isQuiet(newest) && this.isQuiet(seen)) {
      this.quietPaces.push({ at: seen.takenAt, perMs: (seen.storedBefore - newest.storedBefore) / (seen.takenAt - newest.takenAt) });
    }
    while (this.quietPaces.length && seen.takenAt - this.quietPaces[0]!.at > QUIET_PACE_MEMORY_MS) this.quietPaces.shift();
    this.quietPacePerMs = this.isQuiet(seen) ? this.quietPaces.reduce((fastest, p) => Math.max(fastest, p.perMs), 0) : 0;
    this.recent.push(seen);
    while (this.recent.length > 1 && seen.takenAt - this.recent[0]!.takenAt > DRAIN_WINDOW_MS) this.recent.shift();
    const oldest = this.recent[0]!;
    const elapsedMs = seen.takenAt - oldest.takenAt;
    const storedBetween = seen.storedBefore - oldest.storedBefore;
    this.drainPerMs = elapsedMs > 0 ? Math.max(0, oldest.depth + storedBetween - seen.depth) / elapsedMs : 0;
    return seen;
  }

  private isQuiet(sample: BacklogSample): boolean {
    return sample.depth <= Math.floor(this.limits.maxBacklog * QUIET_SHARE);
  }

  /**
   * The sampled backlog, plus what this container stored since the sample less what the queues
   * drain in that time, plus what it is storing now. While the latest sample found the queues
   * quiet, the drain in that time is at least the fastest pace of filings that quiet queues took
   * in their stride over the last minute: the window's drain lags a rise in arrivals by the
   * window's length, and falls to nothing over a pause, so a pipeline that keeps up with a burst
   * after a pause, or with a step up, was refused a few filings in each of the first seconds with
   * its queues all but empty (at 22 and 24/s: 3 of 1,320 and 2 of 1,440, with at most 4 messages
   * queued, 2026-12-07). Only a pace shown with quiet queues at both ends counts, and only while
   * they are quiet: once arrivals pass what the pipeline takes, the next sample finds the queues
   * grown and the window alone judges again. The limit itself goes by the window (`backlogLimit`).
   */
  private backlog(): number | undefined {
    const sample = this.latestSample();
    if (sample === undefined) return undefined;
    const storedSince = this.storedTotal - sample.storedBefore;
    const drainedSince = Math.max(this.drainPerMs, this.quietPacePerMs) * Math.max(0, this.now() - sample.takenAt);
    return sample.depth + Math.max(0, storedSince - drainedSince) + this.declarationsInFlight;
  }

  /**
   * Closes the interval once it is over. An interval with too few writes says nothing (undefined),
   * and after one that ended long ago, neither interval says anything about now.
   */
  private rollInterval(now: number): void {
    if (now - this.intervalStartedAt < CONGESTION_INTERVAL_MS) return;
    const endedJustNow = now - this.intervalStartedAt < 2 * CONGESTION_INTERVAL_MS;
    this.fastestIntervalBefore = endedJustNow ? this.fastestLastInterval : undefined;
    this.fastestLastInterval = endedJustNow && this.writesThisInterval >= CONGESTION_MIN_WRITES ? this.fastestThisInterval : undefined;
    this.intervalStartedAt = now;
    this.fastestThisInterval = Infinity;
    this.writesThisInterval = 0;
  }

  private recordWrite(ms: number): void {
    this.rollInterval(this.now());
    this.fastestThisInterval = Math.min(this.fastestThisInterval, ms);
    this.writesThisInterval += 1;
  }

  /** The fastest write of the last two intervals, when both have a verdict. */
  private fastestRecentWrite(): number | undefined {
    const [last, before] = [this.fastestLastInterval, this.fastestIntervalBefore];
    return last === undefined || before === undefined ? undefined : Math.min(last, before);
  }

  /**
   * Runs `work` if admitted, else throws an `overloaded` DomainError (503 + Retry-After).
   * `added` says how many declarations the work stored (and so queued for audit): a replay or a
   * refused item adds nothing, and neither does work that throws (a bad declaration, a conflict).
   */
  async run<T>(weight: IntakeWeight, work: () => Promise<T>, added: (result: T) => number = () => weight.declarations): Promise<T> {
    this.rollInterval(this.now());
    const refusal = admissionDecision(
      {
        inFlight: this.inFlight,
        backlog: this.backlog(),
        fastestRecentWriteMs: this.fastestRecentWrite(),
        drainPerS: this.drainPerMs * 1000,
      },
      this.limits,
      weight,
    );
    if (refusal) {
      throw overloaded(
        `Clearway is at capacity (${refusal.reason}); nothing was stored, submit again after ${refusal.retryAfterS} s`,
        refusal.retryAfterS,
      );
    }
    this.inFlight += weight.transactions;
    this.declarationsInFlight += weight.declarations;
    const startedAt = this.now();
    let result: T;
    try {
      result = await work();
    } finally {
      this.inFlight -= weight.transactions;
      this.declarationsInFlight -= weight.declarations;
    }
    const stored = added(result);
    // Only a single filing that wrote times the store. A refused item or a replay reads at most,
    // and a flood of them must not hide a congested store behind fast answers; a batch writes its
    // transactions in parallel, 25 declarations each, so its time says how big it was, not how
    // busy the store is.
    if (stored > 0 && weight.declarations === 1) this.recordWrite(this.now() - startedAt);
    // A sample that arrived while the work ran was taken before this was stored, or during: it
    // joins the window first, so this counts as stored after it (at worst counted twice, never missed).
    this.latestSample();
    this.storedTotal += stored;
    return result;
  }
}
