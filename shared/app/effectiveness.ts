/**
 * `GET /rulesets/{version}/effectiveness` (contract section 15): the counters kept with the audit
 * decisions and the step outcomes (shared/adapters/effectiveness-counters.ts), laid out per rule
 * of the version, in the version's own rule order, with the random-sampling baseline beside them.
 */
import { readEffectiveness } from '../adapters/effectiveness-counters.js';
import { ruleSetStore } from '../adapters/ruleset-store.js';
import { failRate, liftOverRandom } from '../domain/effectiveness.js';
import { invalid, notFound } from '../domain/errors.js';

export async function ruleSetEffectiveness(version: number, range: { from?: string; to?: string }) {
  if (range.from && range.to && range.from > range.to)
    throw invalid('from is after to', [{ path: 'from', message: 'must not be after to' }]);
  const [record, totals] = await Promise.all([ruleSetStore.get(version), readEffectiveness(version, range.from, range.to)]);
  if (!record) throw notFound(`rule set ${version}`);
  const randomRate = failRate(totals.random.failed, totals.random.inspected);
  const followUp = (checked: number, failed: number) => ({ checked, failed, failRate: failRate(failed, checked) });
  return {
    version,
    from: range.from ?? null,
    to: range.to ?? null,
    rules: record.rules.map((rule) => {
      const counts = totals.rules.get(rule.id) ?? { fired: 0, inspected: 0, failed: 0, followUpChecked: 0, followUpFailed: 0 };
      const rate = failRate(counts.failed, counts.inspected);
      return {
        ruleId: rule.id,
        description: rule.description,
        fired: counts.fired,
        inspected: counts.inspected,
        failed: counts.failed,
        failRate: rate,
        liftOverRandom: liftOverRandom(rate, randomRate),
        followUp: followUp(counts.followUpChecked, counts.followUpFailed),
      };
    }),
    random: {
      inspected: totals.random.inspected,
      failed: totals.random.failed,
      failRate: randomRate,
      followUp: followUp(totals.random.followUpChecked, totals.random.followUpFailed),
    },
  };
}
