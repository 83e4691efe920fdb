/**
 * Officers find their work (contract section 12): the declarations involving their bureau, and the
 * steps their bureau owes. An enterprise lists its own declarations; an admin lists the region's.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { listAll, listInvolving, listWorklist, type WorklistQuery } from '../adapters/worklist-store.js';
import { forbidden, invalid } from '../domain/errors.js';
import type { Officer, Principal } from '../domain/principal.js';
import type { INVOLVEMENTS } from '../schemas/declaration.js';
import type { DeclarationStatus } from '../schemas/declaration.js';

export type ListDeclarationsQuery = {
  status?: DeclarationStatus;
  involvement?: (typeof INVOLVEMENTS)[number];
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
};

const badCursor = () => invalid('the cursor is not valid', [{ path: 'cursor', message: 'is not a cursor this API issued to you' }]);

/** A page of the declarations `by` may list, newest first: summaries (no lines, no timeline). */
export async function listDeclarations(by: Principal, q: ListDeclarationsQuery, now = new Date().toISOString()) {
  if (q.from && q.to && q.from > q.to) throw invalid('from is after to', [{ path: 'from', message: 'must not be after to' }]);
  if (q.involvement && by.kind !== 'officer')
    throw invalid('involvement narrows an officer listing', [{ path: 'involvement', message: 'only for officers' }]);
  const page =
    by.kind === 'enterprise' && by.enterpriseId
      ? await declarationStore.listByEnterprise(by.enterpriseId, q)
      : by.kind === 'officer' && by.bureau
        ? await listInvolving(by.bureau, q)
        : by.kind === 'admin'
          ? await listAll(q, now)
          : undefined;
  if (page === undefined) throw forbidden('this principal may not list declarations');
  if (page === 'bad-cursor') throw badCursor();
  return page;
}

/** A page of the steps `officer`'s bureau owes (PENDING) or has done (DONE). */
export async function worklistOf(officer: Officer, q: WorklistQuery, now = new Date().toISOString()) {
  const page = await listWorklist(officer.bureau, q, now);
  if (page === 'bad-cursor') throw badCursor();
  return page;
}
