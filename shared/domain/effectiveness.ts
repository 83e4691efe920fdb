/**
 * Rule effectiveness (contract section 15), as pure counter deltas. For each rule of a version:
 * the declarations it fired on, how many of those were inspected, how many of those failed; and
 * the same for the random-sampling baseline (inspections caused by sampling alone). The deltas ride
 * on the transitions that decide them (the audit: fired, inspected; the failing step: failed; an
 * amendment: the superseded decision taken back), so the store moves them in the same conditional
 * transaction as the state: a redelivered audit or a repeated step counts nothing twice.
 *
 * "Inspected" for a rule: the declaration it fired on was sent to inspection (for whatever reason:
 * a rule that only requires documents is still judged by the inspections of what it fired on).
 * "Random": sampled at a rate below 1, on a route where inspection is not mandatory, with no rule
 * that inspects, disinfects or raised the rate: nothing but the draw chose it. That is the
 * baseline a rule's fail rate should beat to earn its inspections.
 */
import type { DeclarationStatus } from '../schemas/declaration.js';
import type { Decision } from './declaration.js';

/**
 * Per rule: fired / inspected / failed; and of the released declarations it fired on, how many got
 * a follow-up check after release (section 15) and how many of those failed it.
 */
export type RuleCounts = {
  ruleId: string;
  fired: number;
  inspected: number;
  failed: number;
  followUpChecked: number;
  followUpFailed: number;
};
/** The baselines: inspections caused by sampling alone; follow-up checks (all chosen by their own draw). */
export type BaselineCounts = { inspected: number; failed: number; followUpChecked: number; followUpFailed: number };
export type EffectivenessDelta = {
  ruleSetVersion: number;
  rules: RuleCounts[];
  random: BaselineCounts;
};

const NONE = { fired: 0, inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 };
const NO_BASELINE: BaselineCounts = { inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 };

/** A hit effect that (partly) caused an inspection: the inspection is the rule's, not the draw's. */
const CAUSES_INSPECTION = /(^|\+)(INSPECT_|DISINFECT|RAISE_SAMPLING)/;

/** Whether nothing but the sampling draw sent this decision to inspection. */
export function isRandomInspection(
  decision: Pick<Decision, 'mode' | 'sampled' | 'samplingRate' | 'route' | 'hits' | 'blacklisted' | 'creditLevel'>,
): boolean {
  return (
    decision.mode === 'INSPECTION' &&
    decision.sampled &&
    decision.samplingRate < 1 &&
    (decision.route === 'EXPORT_DIRECT' || decision.route === 'IMPORT_DESTINATION') &&
    !decision.blacklisted &&
    !decision.hits.some((h) => CAUSES_INSPECTION.test(h.effect))
  );
}

/** What an audit decision counts: every hit fired; and inspected, when it went to inspection. */
export function auditCounts(decision: Decision, status: DeclarationStatus): EffectivenessDelta {
  const inspected = status === 'INSPECTION_REQUIRED' ? 1 : 0;
  return {
    ruleSetVersion: decision.ruleSetVersion,
    rules: decision.hits.map((h) => ({ ...NONE, ruleId: h.ruleId, fired: 1, inspected })),
    random: { ...NO_BASELINE, inspected: inspected && isRandomInspection(decision) ? 1 : 0 },
  };
}

/** What a failed inspection counts, for the rules of the decision that sent it there. */
export function failureCounts(decision: Decision): EffectivenessDelta {
  return {
    ruleSetVersion: decision.ruleSetVersion,
    rules: decision.hits.map((h) => ({ ...NONE, ruleId: h.ruleId, failed: 1 })),
    random: { ...NO_BASELINE, failed: isRandomInspection(decision) ? 1 : 0 },
  };
}

/**
 * What a recorded follow-up check after release counts: checked (and failed) for the rules that
 * fired on the declaration, and for the follow-up baseline (every check is chosen by its own draw).
 */
export function followUpCounts(decision: Decision, failed: boolean): EffectivenessDelta {
  const f = failed ? 1 : 0;
  return {
    ruleSetVersion: decision.ruleSetVersion,
    rules: decision.hits.map((h) => ({ ...NONE, ruleId: h.ruleId, followUpChecked: 1, followUpFailed: f })),
    random: { ...NO_BASELINE, followUpChecked: 1, followUpFailed: f },
  };
}

/** The same counts taken back (an amendment supersedes the decision that counted them). */
export function negated(delta: EffectivenessDelta): EffectivenessDelta {
  const neg = (n: number) => (n === 0 ? 0 : -n);
  return {
    ruleSetVersion: delta.ruleSetVersion,
    rules: delta.rules.map((r) => ({
      ruleId: r.ruleId,
      fired: neg(r.fired),
      inspected: neg(r.inspected),
      failed: neg(r.failed),
      followUpChecked: neg(r.followUpChecked),
      followUpFailed: neg(r.followUpFailed),
    })),
    random: {
      inspected: neg(delta.random.inspected),
      failed: neg(delta.random.failed),
      followUpChecked: neg(delta.random.followUpChecked),
      followUpFailed: neg(delta.random.followUpFailed),
    },
  };
}

const RULE_METRICS = ['fired', 'inspected', 'failed', 'followUpChecked', 'followUpFailed'] as const;
const BASELINE_METRICS = ['inspected', 'failed', 'followUpChecked', 'followUpFailed'] as const;

/**
 * Several deltas of one rule set version as one (an audit batch's, committed together): each
 * rule's counts and the baseline's summed.
 */
export function summed(ruleSetVersion: number, deltas: readonly EffectivenessDelta[]): EffectivenessDelta {
  const rules = new Map<string, RuleCounts>();
  const random = { ...NO_BASELINE };
  for (const delta of deltas) {
    for (const m of BASELINE_METRICS) random[m] += delta.random[m];
    for (const rule of delta.rules) {
      const sum = rules.get(rule.ruleId) ?? { ruleId: rule.ruleId, ...NONE };
      for (const m of RULE_METRICS) sum[m] += rule[m];
      rules.set(rule.ruleId, sum);
    }
  }
  return { ruleSetVersion, rules: [...rules.values()], random };
}
/** Whether a delta moves anything. */
export const movesAnything = (delta: EffectivenessDelta | undefined): delta is EffectivenessDelta =>
  !!delta &&
  (Object.values(delta.random).some((v) => v !== 0) ||
    delta.rules.some((r) => r.fired !== 0 || r.inspected !== 0 || r.failed !== 0 || r.followUpChecked !== 0 || r.followUpFailed !== 0));

/** failed / inspected, or null when nothing was inspected (no rate to speak of). */
export const failRate = (failed: number, inspected: number): number | null =>
  inspected > 0 ? Math.round((failed / inspected) * 10_000) / 10_000 : null;

/** A rule's fail rate over the random baseline's (null when either is unknown or the baseline is 0). */
export const liftOverRandom = (rule: number | null, random: number | null): number | null =>
  rule === null || random === null || random === 0 ? null : Math.round((rule / random) * 100) / 100;
