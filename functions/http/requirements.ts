/** GET /requirements (any principal): what to attach, from the active rule set. Served by the rulesets function. */
import { routes } from '../../shared/api/routes.js';
import { activeRequirements } from '../../shared/app/requirements.js';
import { implement } from '../../shared/http/function.js';

export const requirementsRoutes = [
  implement(routes.getRequirements, async () => ({
    status: 200,
    body: await activeRequirements(),
    // Changes only when a rule set is published; a minute of staleness is harmless before filing.
    headers: { 'cache-control': 'private, max-age=60' },
  })),
];
