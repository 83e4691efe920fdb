import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as stats } from '../../functions/http/stats.js';
import { seed } from '../../functions/seed.js';
import { auditDeclaration, auditPorts } from '../../shared/app/audit.js';
import { sweepOverdue } from '../../shared/app/time-limits.js';
import { getEvent } from '../../shared/adapters/outbox.js';
import { admin, call, enterprise, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

// Bureaus no other test leaves overdue steps at, so counts here are exact.
const PLACE = { declaredAt: 'XJ', portBureau: 'SC', port: 'CDR', inspectionBureau: 'NX', releaseBureau: 'GS' } as const;
const inspector = (bureau: string) => officer(bureau, 'inspector');
const HOUR = 3_600_000;

let code: string;
/** An export with a negative-list line: ORIGIN_INSPECTION at NX and PORT_VERIFICATION at SC, required `hoursAgo` ago. */
async function requiredHoursAgo(hoursAgo: number) {
  const body = declarationBody(code, {
    ...PLACE,
    lines: [{ hsCode: '0302110000', description: 'fresh trout', quantity: 50, unit: 'KG', valueUsd: 900 }],
    documents: [{ type: 'PRODUCER_RECORD', number: 'PR-9' }],
  });
  const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  const auditedAt = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  const outcome = await auditDeclaration(accepted.id, { ...auditPorts, clock: () => auditedAt });
  if (outcome.outcome !== 'decided') throw new Error('not audited');
  return { id: accepted.id as string, auditedAt, events: outcome.events };
}
const overdueCount = async (bureau: string) =>
  (await call(stats, 'GET /stats', { principal: officer('SD', 'stats'), query: { groupBy: 'declaredAt' } })).body.rows.find(
    (r: { bureau: string }) => r.bureau === bureau,
  ).overdue as number;

beforeAll(async () => {
  await seed();
  code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Late Fish Co', registeredBureau: 'SD', creditLevel: 'A' },
  });
});

describe('time limits', () => {
  it("tells each bureau's system of the step it owes, in the audit's transaction", async () => {
    const { id, auditedAt, events } = await requiredHoursAgo(0);
    const required = events.filter((e) => e.type === 'step.required');
    expect(required.map((e) => e.owner)).toEqual([
      { kind: 'bureau', id: 'NX' },
      { kind: 'bureau', id: 'SC' },
    ]);
    const stored = await getEvent(required[0]!.id);
    expect(stored).toMatchObject({
      type: 'step.required',
      enterpriseId: code,
      data: { declarationId: id, kind: 'ORIGIN_INSPECTION', bureau: 'NX', route: 'EXPORT_ORIGIN_AND_PORT', requiredSince: auditedAt },
    });
  });

  it('lists overdue steps most overdue first, per bureau for an inspector and region-wide for stats, and counts them in /stats', async () => {
    const before = { NX: await overdueCount('NX'), SC: await overdueCount('SC') };
    const older = await requiredHoursAgo(30); // 6 h overdue
    const newer = await requiredHoursAgo(25); // 1 h overdue
    const fresh = await requiredHoursAgo(1); // not overdue
    expect({ NX: await overdueCount('NX'), SC: await overdueCount('SC') }).toEqual({ NX: before.NX + 2, SC: before.SC + 2 });

    const nx = (await call(stats, 'GET /stats/overdue', { principal: inspector('NX') })).body.items;
    const ours = nx.filter((i: { declarationId?: string }) => [older.id, newer.id, fresh.id].includes(i.declarationId!));
    expect(ours.map((i: { declarationId: string }) => i.declarationId)).toEqual([older.id, newer.id]);
    expect(ours[0]).toMatchObject({ kind: 'ORIGIN_INSPECTION', bureau: 'NX', requiredSince: older.auditedAt });
    expect(ours[0].overdueSeconds).toBeGreaterThanOrEqual(6 * 3600 - 5);
    expect(ours[0].overdueSeconds).toBeLessThan(6 * 3600 + 120);
    expect(nx.every((i: { bureau: string }) => i.bureau === 'NX')).toBe(true);
    const seconds = nx.map((i: { overdueSeconds: number }) => i.overdueSeconds);
    expect(seconds).toEqual([...seconds].sort((a, b) => b - a));

    const region = (await call(stats, 'GET /stats/overdue', { principal: officer('SD', 'stats'), query: { limit: '1000' } })).body.items;
    const bureaus = region.filter((i: { declarationId?: string }) => i.declarationId === older.id).map((i: { bureau: string }) => i.bureau);
    expect(bureaus.sort()).toEqual(['NX', 'SC']);

    // Recorded: no longer overdue anywhere.
    const recorded = await call(officers, 'POST /declarations/{id}/steps/{kind}', {
      principal: inspector('NX'),
      params: { id: older.id, kind: 'ORIGIN_INSPECTION' },
      body: { outcome: 'PASS' },
    });
    expect(recorded.status).toBe(200);
    expect(await overdueCount('NX')).toBe(before.NX + 1);
    const after = (await call(stats, 'GET /stats/overdue', { principal: inspector('NX') })).body.items;
    expect(after.some((i: { declarationId: string }) => i.declarationId === older.id)).toBe(false);
  });

  it('sends step.overdue once per step when the sweep finds it past its due time', async () => {
    const late = await requiredHoursAgo(24.5);
    const first = (await sweepOverdue(new Date().toISOString())).filter((e) => e.data.declarationId === late.id);
    expect(first.map((e) => [e.type, e.owner?.id, e.data.kind])).toEqual([
      ['step.overdue', 'NX', 'ORIGIN_INSPECTION'],
      ['step.overdue', 'SC', 'PORT_VERIFICATION'],
    ]);
    expect(first[0]!.data.overdueSeconds).toBeGreaterThanOrEqual(1800 - 5);
    // Marked once: the next sweep does not find it again.
    expect((await sweepOverdue(new Date().toISOString())).filter((e) => e.data.declarationId === late.id)).toEqual([]);
    const d = (await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id: late.id } })).body;
    expect(d.steps.every((s: { overdueNotifiedAt?: string }) => s.overdueNotifiedAt)).toBe(true);
    expect(d.timeline.filter((t: { detail: string }) => t.detail.includes('overdue'))).toHaveLength(2);
    // Still owed, still listed as overdue.
    const nx = (await call(officers, 'GET /worklist', { principal: inspector('NX'), query: { limit: '100' } })).body.items;
    expect(nx.find((i: { declarationId: string }) => i.declarationId === late.id)).toMatchObject({ status: 'PENDING', overdue: true });
  });

  it('refuses /stats/overdue to others', async () => {
    for (const principal of [admin, enterprise(code), officer('NX', 'credit')])
      expect((await call(stats, 'GET /stats/overdue', { principal })).status).toBe(403);
  });
});
