/**
 * Puts first-start data in place if it is not there yet: the default rule set (config/
 * default-ruleset.json) as version 1, published. Runs after every deploy (a CDK trigger) and at
 * every local start; idempotent and safe when two instances start at once.
 */
import defaultRuleSet from '../config/default-ruleset.json' with { type: 'json' };
import { ruleSetStore } from '../shared/adapters/ruleset-store.js';
import { ruleSetInput } from '../shared/schemas/ruleset.js';

export async function seed(): Promise<{ seeded: string[] }> {
  const ruleSet = ruleSetInput.parse(defaultRuleSet);
  const seeded = (await ruleSetStore.seedDefault(ruleSet, new Date().toISOString())) ? ['default rule set (version 1)'] : [];
  return { seeded };
}

export const handler = async () => seed();
