/**
 * Credit measures: what an enterprise's credit means for its declarations. The credit lookup and
 * the audit both call `creditMeasures`, so what the lookup promises is what the audit does.
 */
import type { CreditLevel } from '../../schemas/common.js';

export type SamplingTable = Record<CreditLevel, number>;

/** Used only until a rule set is published (the default rule set ships the same table). */
export const DEFAULT_SAMPLING: SamplingTable = { AA: 0.01, A: 0.03, B: 0.1, C: 0.3, D: 1 };

export type CreditSnapshot = { level: CreditLevel; blacklisted: boolean };

export type CreditMeasures = {
  /** Share of this enterprise's declarations inspected before any rule raises it. */
  samplingRate: number;
  /** Inside the regional integration scheme: inspected anywhere, released anywhere. */
  regionalIntegration: boolean;
  /** May be released on the documents alone when not sampled and nothing is mandatory. */
  documentRelease: boolean;
};

/** Blacklisted or level D: outside regional integration, every declaration inspected. */
export function creditMeasures(credit: CreditSnapshot, sampling: SamplingTable): CreditMeasures {
  const outside = credit.blacklisted || credit.level === 'D';
  const samplingRate = outside ? 1 : sampling[credit.level];
  return { samplingRate, regionalIntegration: !outside, documentRelease: !outside && samplingRate < 1 };
}
