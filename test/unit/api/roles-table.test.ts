/**
 * docs/api.md's roles table covers every route of the route table, and says what the route's
 * `allow` says: a new route without a row, or a row that promises a caller the handler refuses,
 * fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../../shared/api/routes.js';

const COLUMNS = ['admin', 'enterprise', 'inspector', 'credit', 'rules', 'stats'] as const;
const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

/** The table's rows by route (`METHOD /path`): which columns hold a ✓. */
function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([A-Z]+ \/[^`]*)` \|(.*)\|$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split('|').map((c) => c.trim());
    rows.set(m[1]!, COLUMNS.filter((_, i) => cells[i] === '✓'));
  }
  return rows;
}

describe('docs/api.md roles table', () => {
  const rows = tableRows();

  it('has a row for every route, and no row for a route that does not exist', () => {
    const routes = allRoutes.map((r) => `${r.method} ${r.path}`);
    expect([...rows.keys()].sort()).toEqual([...routes].sort());
  });

  it('ticks exactly the callers the route table allows', () => {
    for (const route of allRoutes) {
      const allow = (route.allow ?? []) as readonly string[];
      const expected = COLUMNS.filter((c) =>
        c === 'admin' || c === 'enterprise' ? allow.includes(c) : allow.includes('officer') || allow.includes(`officer:${c}`),
      );
      expect(rows.get(`${route.method} ${route.path}`), `${route.method} ${route.path}`).toEqual(expected);
    }
  });
});
