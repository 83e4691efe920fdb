/**
 * What is late (contract sections 12 and 14): steps pending past their due time, and for the
 * whole region also credit objections past `dueBy`. An officer with stats sees the region; an
 * inspector (without stats) its own bureau.
 */
import { dynamoObjectionStore } from '../adapters/objection-store.js';
import { countOverdue, overdueSteps } from '../adapters/worklist-store.js';
import type { Principal } from '../domain/principal.js';
import { overdueSeconds } from '../domain/time-limits.js';
import { bureauCodes, stepTimeLimitS } from '../region.js';

export async function overdueFor(by: Principal, limit: number, now = new Date().toISOString()) {
  const region = (by.roles ?? []).includes('stats');
  const bureaus = region ? bureauCodes : [by.bureau!];
  const [steps, objections] = await Promise.all([
    overdueSteps(bureaus, now, limit, stepTimeLimitS),
    region ? dynamoObjectionStore.overdue(now, limit) : Promise.resolve([]),
  ]);
  const items = [
    ...steps.map((s) => ({
      declarationId: s.declarationId,
      kind: s.kind,
      bureau: s.bureau,
      requiredSince: s.requiredSince,
      dueAt: s.dueAt!,
      overdueSeconds: overdueSeconds({ dueAt: s.dueAt! }, now),
    })),
    ...objections.map((o) => ({
      kind: 'CREDIT_OBJECTION',
      objectionId: o.id,
      creditCode: o.creditCode,
      dueAt: o.dueBy,
      overdueSeconds: overdueSeconds({ dueAt: o.dueBy }, now),
    })),
  ];
  return { items: items.sort((a, b) => b.overdueSeconds - a.overdueSeconds).slice(0, limit) };
}

/** Per bureau: how many steps it owes pending past dueAt now (the `overdue` of the statistics rows). */
export async function overdueCounts(bureaus: readonly string[], direction?: string, now = new Date().toISOString()) {
  const counts = await Promise.all(bureaus.map((b) => countOverdue(b, now, stepTimeLimitS, direction)));
  return new Map(bureaus.map((b, i) => [b, counts[i]!]));
}
