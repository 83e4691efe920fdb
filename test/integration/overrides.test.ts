import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { seed } from '../../functions/seed.js';
import { admin, call, enterprise, lambdaContext } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import type { Principal } from '../../shared/domain/principal.js';

const inspectorNamed = (bureau: string, name: string): Principal => ({ id: `prn_${name}`, kind: 'officer', bureau, roles: ['inspector'] });
const ha1 = inspectorNamed('HA', 'ha_one');
const ha2 = inspectorNamed('HA', 'ha_two');
const sd1 = inspectorNamed('SD', 'sd_one');

let code: string;
async function awaitingInspection() {
  const body = declarationBody(code, {
    releaseBureau: 'GS',
    lines: [{ hsCode: '0302110000', description: 'fresh trout', quantity: 50, unit: 'KG', valueUsd: 900 }],
    documents: [{ type: 'PRODUCER_RECORD', number: 'PR-9' }],
  });
  const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  await auditWorker({ Records: [{ messageId: 'm', body: JSON.stringify({ declarationId: accepted.id }) }] } as never, lambdaContext);
  return accepted.id as string;
}
const propose = (principal: Principal, id: string, body: object) =>
  call(officers, 'POST /declarations/{id}/overrides', { principal, params: { id }, body });
const confirm = (principal: Principal, id: string, overrideId: string) =>
  call(officers, 'POST /declarations/{id}/overrides/{overrideId}/confirm', { principal, params: { id, overrideId } });
const read = async (id: string) => (await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } })).body;

beforeAll(async () => {
  await seed();
  code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Override Fish Co', registeredBureau: 'SD', creditLevel: 'A' },
  });
});

describe('overrides', () => {
  it('adds a step at once (201) and lists it in the bureau worklist', async () => {
    const id = await awaitingInspection();
    const added = await propose(sd1, id, {
      action: 'ADD_STEP',
      kind: 'PORT_DISINFECTION',
      reasonCode: 'INTELLIGENCE',
      remarks: 'pest alert on this route',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      action: 'ADD_STEP',
      kind: 'PORT_DISINFECTION',
      bureau: 'SD',
      status: 'APPLIED',
      proposedBy: { principalId: 'prn_sd_one', bureau: 'SD' },
    });
    const d = await read(id);
    expect(d.steps.map((s: { kind: string }) => s.kind)).toContain('PORT_DISINFECTION');
    expect(d.overrides).toEqual([added.body]);
    expect(d.timeline.at(-1).detail).toMatch(
      /override ADD_STEP PORT_DISINFECTION at SD applied by officer prn_sd_one \(SD\), reason INTELLIGENCE/,
    );
    const work = await call(officers, 'GET /worklist', { principal: sd1, query: { kind: 'PORT_DISINFECTION', limit: '100' } });
    expect(work.body.items.some((i: { declarationId: string }) => i.declarationId === id)).toBe(true);
  });

  it('waives only with a second officer of the same bureau, and the last waive releases', async () => {
    const id = await awaitingInspection();
    expect(
      (
        await call(officers, 'POST /declarations/{id}/steps/{kind}', {
          principal: sd1,
          params: { id, kind: 'PORT_VERIFICATION' },
          body: { outcome: 'PASS' },
        })
      ).status,
    ).toBe(200);
    const proposed = await propose(ha1, id, {
      action: 'WAIVE_STEP',
      kind: 'ORIGIN_INSPECTION',
      reasonCode: 'STANDARD_EXCEPTION',
      remarks: 'inspected under the origin programme',
    });
    expect(proposed.status).toBe(202);
    expect(proposed.body).toMatchObject({ id: expect.stringMatching(/^ovr_/), status: 'PENDING_CONFIRMATION' });
    expect((await read(id)).status).toBe('INSPECTION_REQUIRED');
    expect((await confirm(ha1, id, proposed.body.id)).status).toBe(403);
    expect((await confirm(sd1, id, proposed.body.id)).status).toBe(403);
    expect((await confirm(ha2, id, 'ovr_nope')).status).toBe(404);
    const confirmed = await confirm(ha2, id, proposed.body.id);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'APPLIED', confirmedBy: { principalId: 'prn_ha_two', bureau: 'HA' } });
    const d = await read(id);
    expect(d).toMatchObject({ status: 'RELEASED', release: { bureau: 'GS' } });
    expect(d.steps[0]).toMatchObject({ kind: 'ORIGIN_INSPECTION', status: 'WAIVED' });
    expect(d.timeline.filter((t: { detail: string }) => t.detail.startsWith('override WAIVE_STEP'))).toHaveLength(2);
    expect((await confirm(ha2, id, proposed.body.id)).status).toBe(409);
  });

  it('releases exactly once when the confirmation and the last step race', async () => {
    const id = await awaitingInspection();
    const proposed = await propose(ha1, id, {
      action: 'WAIVE_STEP',
      kind: 'ORIGIN_INSPECTION',
      reasonCode: 'CAPACITY',
      remarks: 'no inspector on site',
    });
    const [a, b] = await Promise.all([
      confirm(ha2, id, proposed.body.id),
      call(officers, 'POST /declarations/{id}/steps/{kind}', {
        principal: sd1,
        params: { id, kind: 'PORT_VERIFICATION' },
        body: { outcome: 'PASS' },
      }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const d = await read(id);
    expect(d.status).toBe('RELEASED');
    expect(d.timeline.filter((t: { status: string }) => t.status === 'RELEASED')).toHaveLength(1);
  });

  it('refuses unknown reason codes, missing remarks and outsiders', async () => {
    const id = await awaitingInspection();
    const bad = await propose(ha1, id, { action: 'WAIVE_STEP', kind: 'ORIGIN_INSPECTION', reasonCode: 'BECAUSE', remarks: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['reasonCode', 'remarks']);
    expect(
      (await propose(inspectorNamed('QH', 'qh'), id, { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', reasonCode: 'OTHER', remarks: 'x' }))
        .status,
    ).toBe(404);
    expect(
      (await propose(enterprise(code), id, { action: 'ADD_STEP', kind: 'PORT_DISINFECTION', reasonCode: 'OTHER', remarks: 'x' })).status,
    ).toBe(403);
  });
});
