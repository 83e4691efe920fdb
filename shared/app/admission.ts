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
 *
 * A refused request costs one Lambda invocation and nothing else.
 */
import { overloaded } from '../domain/errors.js';

export type AdmissionLimits = {
  /** Intake work in flight in this container, in transactions (a batch weighs one per 25 declarations). */
  maxInFlight: number;
  /** Messages waiting on the work queues beyond which new declarations would miss the bound. */
  maxBacklog: number;
};

/** The limits from the function's environment (its manifest sets them; see docs/scaling.md). */
export function admissionLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): AdmissionLimits {
  const num = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return { maxInFlight: num('CLEARWAY_INTAKE_MAX_IN_FLIGHT', 64), maxBacklog: num('CLEARWAY_INTAKE_MAX_BACKLOG', 1000) };
}

export type Refusal = { retryAfterS: number; reason: string };

/** Messages on the work queues, and when the request that counted them was sent (epoch ms). */
export type BacklogSample = { depth: number; takenAt: number };

/** What a request adds: transactions it holds while it runs, declarations it adds to the backlog. */
export type IntakeWeight = { transactions: number; declarations: number };

/** Pure: whether a request of `weight` may start, given the signals. */
export function admissionDecision(
  signals: { inFlight: number; backlog: number | undefined },
  limits: AdmissionLimits,
  weight: IntakeWeight = { transactions: 1, declarations: 1 },
): Refusal | undefined {
  if (signals.inFlight > 0 && signals.inFlight + weight.transactions > limits.maxInFlight) {
    return { retryAfterS: 1, reason: `${signals.inFlight} intake transactions are in progress here` };
  }
  // A request's own room is capped at half the limit: otherwise a batch larger than the limit (100
  // declarations against the local 60) would be refused even onto an empty backlog, for ever.
  const room = Math.min(weight.declarations, Math.floor(limits.maxBacklog / 2));
  if (signals.backlog !== undefined && signals.backlog + room > limits.maxBacklog) {
    // Each maxBacklog of waiting work is about one latency budget (a second) of draining.
    const retryAfterS = Math.min(30, Math.max(1, Math.ceil(signals.backlog / limits.maxBacklog)));
    return { retryAfterS, reason: `${signals.backlog} declarations and events are waiting to be processed` };
  }
  return undefined;
}

export class Admission {
  private inFlight = 0;
  /** Declarations of the requests running now: they are about to add to the backlog. */
  private declarationsInFlight = 0;
  /** The sample the count below is relative to, and the declarations stored here since it arrived. */
  private sampleTakenAt: number | undefined;
  private addedSinceSample = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    /** The latest backlog sample (undefined when none yet); must not do I/O on the caller's path. */
    private readonly sample: () => BacklogSample | undefined,
  ) {}

  /** The latest sample; a new one replaces the count of what was added since the previous. */
  private latestSample(): BacklogSample | undefined {
    const sample = this.sample();
    if (sample !== undefined && sample.takenAt !== this.sampleTakenAt) {
      this.sampleTakenAt = sample.takenAt;
      this.addedSinceSample = 0;
    }
    return sample;
  }

  /** The sampled backlog plus what this container stored since the sample arrived or is storing now. */
  private backlog(): number | undefined {
    const sample = this.latestSample();
    return sample === undefined ? undefined : sample.depth + this.addedSinceSample + this.declarationsInFlight;
  }

  /**
   * Runs `work` if admitted, else throws an `overloaded` DomainError (503 + Retry-After).
   * `added` says how many declarations the work stored (and so queued for audit): a replay or a
   * refused item adds nothing, and neither does work that throws (a bad declaration, a conflict).
   */
  async run<T>(weight: IntakeWeight, work: () => Promise<T>, added: (result: T) => number = () => weight.declarations): Promise<T> {
    const refusal = admissionDecision({ inFlight: this.inFlight, backlog: this.backlog() }, this.limits, weight);
    if (refusal) {
      throw overloaded(
        `Clearway is at capacity (${refusal.reason}); nothing was stored, submit again after ${refusal.retryAfterS} s`,
        refusal.retryAfterS,
      );
    }
    this.inFlight += weight.transactions;
    this.declarationsInFlight += weight.declarations;
    let result: T;
    try {
      result = await work();
    } finally {
      this.inFlight -= weight.transactions;
      this.declarationsInFlight -= weight.declarations;
    }
    this.latestSample();
    this.addedSinceSample += added(result);
    return result;
  }
}
