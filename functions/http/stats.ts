/** GET /stats (officer with stats): one source, many views (contract section 10). */
import { routes } from '../../shared/api/routes.js';
import { readStats } from '../../shared/adapters/stats-store.js';
import { invalid } from '../../shared/domain/errors.js';
import { overdueCounts, overdueFor } from '../../shared/app/overdue.js';
import { httpFunction, implement } from '../../shared/http/function.js';
import { bureauCodes } from '../../shared/region.js';

const MAX_DAYS = 366;

export const statsRoutes = [
  implement(routes.getStats, async ({ query }) => {
    const to = query.to ?? new Date().toISOString().slice(0, 10);
    const from = query.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) throw invalid('from is after to', [{ path: 'from', message: 'must not be after to' }]);
    if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_DAYS) {
      throw invalid('the range is too long', [{ path: 'from', message: `at most ${MAX_DAYS} days` }]);
    }
    const [counted, overdue] = await Promise.all([
      readStats(query.groupBy, bureauCodes, from, to, query.direction),
      overdueCounts(bureauCodes, query.direction),
    ]);
    const rows = counted.map((row) => ({ ...row, overdue: overdue.get(row.bureau) ?? 0 }));
    return { status: 200, body: { groupBy: query.groupBy, from, to, direction: query.direction ?? null, rows } };
  }),
  implement(routes.getOverdue, async ({ query, principal }) => ({ status: 200, body: await overdueFor(principal, query.limit) })),
];

export const handler = httpFunction('stats', statsRoutes);
