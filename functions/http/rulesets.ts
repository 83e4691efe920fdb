/** The virtual audit center's rule library (contract section 7): draft, simulate, publish, read. */
import { routes } from '../../shared/api/routes.js';
import { ruleSetStore, type RuleSetRecord } from '../../shared/adapters/ruleset-store.js';
import { simulate } from '../../shared/app/simulate.js';
import { ruleSetEffectiveness } from '../../shared/app/effectiveness.js';
import { notFound } from '../../shared/domain/errors.js';
import { httpFunction, implement } from '../../shared/http/function.js';
import { requirementsRoutes } from './requirements.js';

// Who may call each route is in the route table: officers of any role and admins read rule sets
// (enterprises do not see the risk rules); officers with the rules role draft, simulate, publish.

async function view(record: RuleSetRecord) {
  return { ...record, active: (await ruleSetStore.activeVersion()) === record.version };
}

export const ruleSetRoutes = [
  implement(routes.createRuleSet, async ({ body, principal }) => {
    const record = await ruleSetStore.createDraft(body, principal.id, new Date().toISOString());
    return { status: 201, body: { version: record.version, status: 'DRAFT' }, headers: { location: `/rulesets/${record.version}` } };
  }),
  implement(routes.listRuleSets, async () => {
    const [versions, active] = await Promise.all([ruleSetStore.list(100), ruleSetStore.activeVersion()]);
    return { status: 200, body: { items: versions.map((v) => ({ ...v, active: v.version === active })) } };
  }),
  implement(routes.getActiveRuleSet, async () => {
    const version = await ruleSetStore.activeVersion();
    const record = version === undefined ? undefined : await ruleSetStore.get(version);
    if (!record) throw notFound('an active rule set');
    return { status: 200, body: { ...record, active: true } };
  }),
  implement(routes.getRuleSet, async ({ params }) => {
    const record = await ruleSetStore.get(params.version);
    if (!record) throw notFound(`rule set ${params.version}`);
    return { status: 200, body: await view(record) };
  }),
  implement(routes.simulateRuleSet, async ({ params, body }) => ({
    status: 200,
    body: await simulate(params.version, body ?? { limit: 500 }),
  })),
  implement(routes.getRuleSetEffectiveness, async ({ params, query }) => ({
    status: 200,
    body: await ruleSetEffectiveness(params.version, query),
  })),
  implement(routes.publishRuleSet, async ({ params, principal }) => {
    const record = await ruleSetStore.get(params.version); // 404 for a version that does not exist
    if (!record) throw notFound(`rule set ${params.version}`);
    const now = new Date().toISOString();
    await ruleSetStore.publish(params.version, principal.id, now);
    return { status: 200, body: { ...record, status: 'PUBLISHED', publishedAt: now, publishedBy: principal.id, active: true } };
  }),
  ...requirementsRoutes,
];

export const handler = httpFunction('rulesets', ruleSetRoutes);
