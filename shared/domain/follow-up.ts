/**
 * Follow-up checks after release (contract section 15), as pure code.
 *
 * A rule set's `postRelease` table gives, per credit level, the share of released declarations
 * that get a follow-up document check at the release bureau. Selection is deterministic like
 * sampling: a keyed draw of (declaration id, rule set version), but a draw of its own (the id is
 * tagged), so that which declarations are checked after release is independent of which were
 * sampled before it. The rate is fixed at the audit (`decision.postReleaseRate`), so a release
 * after inspection, days later, selects under the rule set that decided the declaration.
 *
 * The check is recorded like a step (`POST /declarations/{id}/steps/POST_RELEASE_CHECK`) by an
 * inspector of the release bureau, only once the declaration is RELEASED. A FAIL keeps it RELEASED
 * (the goods are gone; the failure is kept, counted and told to the enterprise).
 */
import type { CreditLevel } from '../schemas/common.js';
import type { FollowUp } from '../schemas/declaration.js';
import type { DeclarationRecord, Decision } from './declaration.js';
import { involvesBureau } from './declaration.js';
import { conflict, forbidden, notFound } from './errors.js';
import { isSampled } from './rules/sampling.js';
import { followUpCounts } from './effectiveness.js';
import type { SamplingTable } from './rules/measures.js';
import { declarationEvent, stepEvent, transition, type DeclarationTransition } from './transition.js';

export const FOLLOW_UP_KIND = 'POST_RELEASE_CHECK' as const;

/** The follow-up rate for a credit snapshot: its level's, or D's for a blacklisted enterprise (outside the scheme). */
export function postReleaseRate(table: SamplingTable | undefined, credit: { level: CreditLevel; blacklisted: boolean }): number {
  if (!table) return 0;
  return credit.blacklisted ? Math.max(table.D, table[credit.level]) : table[credit.level];
}

/** Whether this declaration, released under `decision`, gets a follow-up check (deterministic). */
export function selectedForFollowUp(id: string, decision: Pick<Decision, 'ruleSetVersion' | 'postReleaseRate'>): boolean {
  return isSampled(`${id}#${FOLLOW_UP_KIND}`, decision.ruleSetVersion, decision.postReleaseRate ?? 0);
}

/**
 * The follow-up check a release at `at` starts, or undefined when the declaration is not selected.
 * Owed by the release bureau, due after the region's limit for POST_RELEASE_CHECK.
 */
export function followUpAt(
  d: Pick<DeclarationRecord, 'id'>,
  decision: Pick<Decision, 'ruleSetVersion' | 'postReleaseRate' | 'releaseBureau'> | null,
  at: string,
  limitS: (kind: string) => number,
): FollowUp | undefined {
  if (!decision || !selectedForFollowUp(d.id, decision)) return undefined;
  return {
    kind: FOLLOW_UP_KIND,
    bureau: decision.releaseBureau,
    status: 'PENDING',
    requiredSince: at,
    dueAt: new Date(Date.parse(at) + limitS(FOLLOW_UP_KIND) * 1000).toISOString(),
  };
}

export type FollowUpResult = { outcome: 'PASS' | 'FAIL'; remarks?: string };

/**
 * Records the follow-up check (404 not involved / no check, 403 another bureau's check, 409 not
 * released yet or recorded already). The declaration stays RELEASED either way.
 */
export function recordFollowUp(d: DeclarationRecord, by: { bureau: string }, result: FollowUpResult, at: string): DeclarationTransition {
  if (!involvesBureau(d, by.bureau)) throw notFound(`declaration ${d.id}`);
  if (d.status !== 'RELEASED')
    throw conflict(`declaration ${d.id} is ${d.status}; ${FOLLOW_UP_KIND} is recorded after release`, { status: d.status });
  const release = d.release!;
  const check = release.followUp;
  if (!check) throw notFound(`${FOLLOW_UP_KIND} of declaration ${d.id} (it was not selected for a follow-up check)`);
  if (check.bureau !== by.bureau) throw forbidden(`${FOLLOW_UP_KIND} is assigned to bureau ${check.bureau}`);
  if (check.status !== 'PENDING')
    throw conflict(
      `${FOLLOW_UP_KIND} was recorded already (${check.status}${check.recordedByBureau ? ` by ${check.recordedByBureau}` : ''}${check.recordedAt ? ` at ${check.recordedAt}` : ''})`,
    );
  const failed = result.outcome === 'FAIL';
  const recorded: FollowUp = {
    ...check,
    status: failed ? 'FAILED' : 'PASSED',
    recordedAt: at,
    recordedByBureau: by.bureau,
    ...(result.remarks ? { remarks: result.remarks } : {}),
  };
  return transition(d, {
    at,
    set: { release: { ...release, followUp: recorded } },
    timeline: [
      {
        at,
        status: 'RELEASED',
        bureau: by.bureau,
        detail: `follow-up check ${FOLLOW_UP_KIND} ${failed ? 'failed' : 'passed'} at ${by.bureau}${result.remarks ? `: ${result.remarks}` : ''}; the declaration stays released`,
      },
    ],
    events: failed ? [declarationEvent(d, 'RELEASED', at, { followUp: recorded }, 'declaration.follow_up_failed')] : [],
    counters: failed ? { followUpFailed: 1 } : {},
    worklist: [recorded],
    // What the rules that fired on it achieve after release (contract section 15, beside inspections).
    ...(d.decision ? { effectiveness: followUpCounts(d.decision, failed) } : {}),
  });
}

/** The follow-up's `step.required` for the release bureau's system (emitted with the release). */
export const followUpRequired = (d: Parameters<typeof stepEvent>[0], check: FollowUp, at: string) =>
  stepEvent(d, check, 'step.required', at);
