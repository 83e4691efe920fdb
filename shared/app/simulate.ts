/**
 * Rule set simulation: replays recent declarations of the region under a draft and under the active
 * set, with each enterprise's current credit, and reports what would change before publishing:
 * the changed decisions, the lane mix and the inspection workload per bureau under each.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { dynamoEnterpriseStore } from '../adapters/enterprise-store.js';
import { ruleSetStore } from '../adapters/ruleset-store.js';
import type { Decision } from '../domain/declaration.js';
import { notFound } from '../domain/errors.js';
import { decide } from '../domain/rules/engine.js';
import type { CreditSnapshot } from '../domain/rules/measures.js';
import { inspectionCapacity } from '../domain/capacity.js';
import { bureauCodes, dailyInspectionCapacity } from '../region.js';

const MAX_CHANGED = 1000;
const CONCURRENCY = 16;
const brief = (d: Decision) => ({
  route: d.route,
  mode: d.mode,
  sampled: d.sampled,
  samplingRate: d.samplingRate,
  steps: d.steps,
  releaseBureau: d.releaseBureau,
  hits: d.hits.map((h) => h.ruleId),
});
const sameOutcome = (a: Decision, b: Decision) => JSON.stringify({ ...brief(a), hits: 0 }) === JSON.stringify({ ...brief(b), hits: 0 });

type Lanes = { DOCUMENT_RELEASE: number; INSPECTION: number; RETURNED: number };

/**
 * `budgetMs` bounds the replay (the API function has a 29 s limit): past it, the declarations
 * evaluated so far are the answer and `truncated` says so, rather than a timeout.
 */
export async function simulate(
  draftVersion: number,
  range: { from?: string; to?: string; limit: number },
  now = new Date(),
  budgetMs = 20_000,
) {
  const deadline = Date.now() + budgetMs;
  // Through the compiled cache only: a draft's body (up to 1 MiB) is read and compiled once, not
  // read again on every simulation of it.
  const draft = await ruleSetStore.compiled(draftVersion);
  if (!draft) throw notFound(`rule set ${draftVersion}`);
  const activeVersion = (await ruleSetStore.activeVersion()) ?? null;
  const active = activeVersion === null ? undefined : await ruleSetStore.compiled(activeVersion);

  const to = range.to ?? now.toISOString();
  const from = range.from ?? new Date(Date.parse(to) - 7 * 86_400_000).toISOString();
  // The scan is inside the budget too: a range back to 1990 stops at the deadline, marked truncated.
  const ids = await declarationStore.recentIds(from, to, range.limit, deadline);
  const scanTruncated = Date.now() > deadline;

  const credits = new Map<string, Promise<CreditSnapshot | undefined>>();
  const creditOf = (code: string) => {
    let found = credits.get(code);
    if (!found)
      credits.set(
        code,
        (found = dynamoEnterpriseStore.get(code).then((e) => (e ? { level: e.level, blacklisted: e.blacklisted } : undefined))),
      );
    return found;
  };

  const lanes = {
    active: { DOCUMENT_RELEASE: 0, INSPECTION: 0, RETURNED: 0 } as Lanes,
    draft: { DOCUMENT_RELEASE: 0, INSPECTION: 0, RETURNED: 0 } as Lanes,
  };
  const workload = { active: {} as Record<string, number>, draft: {} as Record<string, number> };
  const count = (which: 'active' | 'draft', d: Decision) => {
    lanes[which][d.mode]++;
    for (const s of d.steps) workload[which][s.bureau] = (workload[which][s.bureau] ?? 0) + 1;
  };
  const changed: { declarationId: string; active: ReturnType<typeof brief> | null; draft: ReturnType<typeof brief> }[] = [];
  let evaluated = 0;
  let oldest: string | undefined;

  let truncated = scanTruncated;
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    if (Date.now() > deadline) {
      truncated = true;
      break;
    }
    const batch = await Promise.all(ids.slice(i, i + CONCURRENCY).map((id) => declarationStore.get(id)));
    for (const d of batch) {
      if (!d) continue;
      const credit = await creditOf(d.enterpriseId);
      if (!credit) continue;
      const underDraft = decide(draft, d, credit);
      const underActive = active ? decide(active, d, credit) : undefined;
      evaluated++;
      if (!oldest || d.createdAt < oldest) oldest = d.createdAt;
      count('draft', underDraft);
      if (underActive) count('active', underActive);
      if ((!underActive || !sameOutcome(underActive, underDraft)) && changed.length < MAX_CHANGED) {
        changed.push({ declarationId: d.id, active: underActive ? brief(underActive) : null, draft: brief(underDraft) });
      }
    }
  }
  // The replay covers [from, to] when it read everything there; when it stopped at `limit` or the
  // budget, only back to the oldest declaration it evaluated.
  const complete = !truncated && ids.length < range.limit;
  const capacity = inspectionCapacity(workload, {
    from: complete || !oldest ? from : oldest,
    to,
    bureaus: bureauCodes,
    capacityOf: dailyInspectionCapacity,
  });
  return {
    evaluated,
    truncated,
    activeVersion,
    draftVersion,
    changed,
    laneMix: lanes,
    inspectionWorkload: workload,
    inspectionCapacity: capacity,
  };
}
