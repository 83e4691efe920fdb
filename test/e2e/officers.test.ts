/**
 * The officers' side end to end (contract sections 12 and 15), over HTTP against the local runtime
 * with a real webhook receiver: a rule set with follow-up checks is published; inspectors find
 * their work in the worklist, are told by their bureau systems' webhooks (step.required, then
 * step.overdue with a 4 s limit), add a step at an uninvolved bureau, waive it with a second
 * officer, record steps; the release bureau records a failed follow-up check and the enterprise is
 * told; the statistics and the rule set's effectiveness say what happened, exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { client, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { startReceiver, type Receiver, type Received } from '../support/webhook-receiver.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { waitFor } from '../support/wait.js';

let platform: LocalProcess;
let receiver: Receiver;
type Api = ReturnType<typeof client>;
type Payload = { type: string; data: Record<string, unknown> & { declarationId?: string; kind?: string } };

const verified = (secret: string, r: Received) =>
  new Webhook(secret.slice('whsec_'.length)).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as Payload;
/** Verified payloads received at `path` about one declaration. */
const at = (path: string, secret: string, id: string) =>
  receiver.received
    .filter((r) => r.path === path)
    .map((r) => verified(secret, r))
    .filter((p) => p.data.declarationId === id);

const ruleSet = {
  description: 'officers e2e: laptops inspected at origin, every export carries an invoice, everything released is checked after',
  negativeLists: { export: [], import: [] },
  sampling: { AA: 0, A: 0, B: 0, C: 0, D: 1 },
  postRelease: { AA: 1, A: 1, B: 1, C: 1, D: 1 },
  rules: [
    {
      id: 'R-LAPTOP',
      description: 'laptops are inspected at origin',
      when: { anyLine: { field: 'hsCode', op: 'startsWith', value: '8471' } },
      then: [{ inspect: 'ORIGIN' }],
    },
    {
      id: 'R-INVOICE',
      description: 'every export carries an invoice',
      when: { field: 'direction', op: 'eq', value: 'EXPORT' },
      then: [{ requireDocuments: ['INVOICE'] }],
    },
  ],
};
const furniture = [{ hsCode: '9403600000', description: 'wooden tables', quantity: 10, unit: 'PCS', valueUsd: 2000 }];

let admin: Api;
let enterprise: Api;
let code: string;
const officers: Record<string, Api> = {};
const secrets: Record<string, string> = {};

async function officer(name: string, bureau: string, roles: string[]) {
  const key = (await admin('POST', '/principals', { kind: 'officer', bureau, roles })).body.apiKey;
  officers[name] = client(platform.url, key);
  return officers[name]!;
}
const settled = (id: string) =>
  waitFor(`declaration ${id} audited`, async () => {
    const { body } = await enterprise('GET', `/declarations/${id}`);
    return body.status !== 'ACCEPTED' ? body : undefined;
  });
const file = async (overrides = {}) => {
  const filed = await enterprise(
    'POST',
    '/declarations',
    declarationBody(code, { inspectionBureau: 'HA', releaseBureau: 'GS', ...overrides }),
  );
  expect(filed.status).toBe(202);
  return settled(filed.body.id as string);
};
const inWorklist = async (api: Api, id: string, query: string) =>
  ((await api('GET', `/worklist?${query}&limit=100`)).body.items as { declarationId: string }[]).find((i) => i.declarationId === id);

beforeAll(async () => {
  receiver = await startReceiver();
  platform = await startLocal({
    env: {
      CLEARWAY_ADMIN_KEY: 'e2e-admin',
      CLEARWAY_WEBHOOK_SCHEDULE: '1,1,1',
      // Steps (and follow-up checks) fall due 4 s after they are required; the sweep runs every second.
      CLEARWAY_STEP_TIME_LIMIT_S: '4',
      CLEARWAY_SCHEDULE_EVERY_S: '1',
    },
  });
  admin = client(platform.url, 'e2e-admin');
  code = newCreditCode();
  await admin('POST', '/enterprises', { creditCode: code, name: 'Officers Trading', registeredBureau: 'HA', creditLevel: 'A' });
  enterprise = client(platform.url, (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey);
  secrets.enterprise = (await enterprise('PUT', '/webhook', { url: receiver.url('/enterprise') })).body.secret;
  await officer('ha', 'HA', ['inspector']);
  await officer('gs', 'GS', ['inspector']);
  await officer('qh1', 'QH', ['inspector']);
  await officer('qh2', 'QH', ['inspector']);
  await officer('rules', 'SD', ['rules']);
  await officer('stats', 'SD', ['stats']);
  secrets.ha = (await officers.ha!('PUT', '/bureaus/HA/webhook', { url: receiver.url('/ha') })).body.secret;
  secrets.gs = (await officers.gs!('PUT', '/bureaus/GS/webhook', { url: receiver.url('/gs') })).body.secret;
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
  await receiver?.close();
});

describe('officers over HTTP', () => {
  let version: number;
  let laptopId: string;

  it('publishes a rule set with follow-up checks after release (rules role only)', async () => {
    expect((await officers.ha!('POST', '/rulesets', ruleSet)).status).toBe(403);
    const bad = await officers.rules!('POST', '/rulesets', { ...ruleSet, postRelease: { ...ruleSet.postRelease, B: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('postRelease.B');
    const created = await officers.rules!('POST', '/rulesets', ruleSet);
    expect(created.status).toBe(201);
    version = created.body.version;
    expect((await officers.rules!('POST', `/rulesets/${version}/publish`)).status).toBe(200);
    expect((await officers.ha!('GET', '/rulesets/active')).body).toMatchObject({ version, postRelease: ruleSet.postRelease });
  });

  it('the inspector finds the step in its worklist, its system is told step.required and then step.overdue', async () => {
    const d = await file();
    laptopId = d.id;
    expect(d).toMatchObject({ status: 'INSPECTION_REQUIRED', steps: [{ kind: 'ORIGIN_INSPECTION', bureau: 'HA', status: 'PENDING' }] });
    const item = await inWorklist(officers.ha!, laptopId, 'status=PENDING&kind=ORIGIN_INSPECTION');
    expect(item).toMatchObject({ kind: 'ORIGIN_INSPECTION', bureau: 'HA', enterpriseId: code, requiredSince: d.steps[0].requiredSince });
    // Another bureau's worklist does not have it.
    expect(await inWorklist(officers.gs!, laptopId, 'status=PENDING')).toBeUndefined();

    const required = await waitFor('step.required at HA', () => at('/ha', secrets.ha!, laptopId).find((p) => p.type === 'step.required'));
    expect(required.data).toMatchObject({ kind: 'ORIGIN_INSPECTION', bureau: 'HA', dueAt: d.steps[0].dueAt });
    const overdue = await waitFor(
      'step.overdue at HA',
      () => at('/ha', secrets.ha!, laptopId).find((p) => p.type === 'step.overdue'),
      60_000,
    );
    expect(overdue.data).toMatchObject({ kind: 'ORIGIN_INSPECTION', overdueSeconds: expect.any(Number) });
    expect(await inWorklist(officers.ha!, laptopId, 'status=PENDING')).toMatchObject({ overdue: true });
    const late = await officers.ha!('GET', '/stats/overdue');
    expect(late.body.items.find((i: { declarationId: string }) => i.declarationId === laptopId)).toMatchObject({ bureau: 'HA' });
  });

  it('an ADD_STEP at an uninvolved bureau lists the declaration there; its waive needs a second officer of that bureau', async () => {
    const listedForQh = async () =>
      ((await officers.qh1!('GET', '/declarations?limit=100')).body.items as { id: string }[]).some((i) => i.id === laptopId);
    expect(await listedForQh()).toBe(false);
    expect((await officers.qh1!('GET', `/declarations/${laptopId}`)).status).toBe(404);
    const added = await officers.ha!('POST', `/declarations/${laptopId}/overrides`, {
      action: 'ADD_STEP',
      kind: 'PORT_DISINFECTION',
      bureau: 'QH',
      reasonCode: 'INTELLIGENCE',
      remarks: 'pest alert: fumigate at Xining',
    });
    expect(added.status).toBe(201);
    expect(await listedForQh()).toBe(true);
    expect(await inWorklist(officers.qh1!, laptopId, 'status=PENDING&kind=PORT_DISINFECTION')).toBeTruthy();

    const proposed = await officers.qh1!('POST', `/declarations/${laptopId}/overrides`, {
      action: 'WAIVE_STEP',
      kind: 'PORT_DISINFECTION',
      reasonCode: 'STANDARD_EXCEPTION',
      remarks: 'alert withdrawn',
    });
    expect(proposed.status).toBe(202);
    expect(proposed.body.status).toBe('PENDING_CONFIRMATION');
    expect((await officers.qh1!('POST', `/declarations/${laptopId}/overrides/${proposed.body.id}/confirm`)).status).toBe(403);
    expect((await officers.ha!('POST', `/declarations/${laptopId}/overrides/${proposed.body.id}/confirm`)).status).toBe(403);
    const confirmed = await officers.qh2!('POST', `/declarations/${laptopId}/overrides/${proposed.body.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'APPLIED', confirmedBy: { bureau: 'QH' } });
    const d = (await enterprise('GET', `/declarations/${laptopId}`)).body;
    expect(d.status).toBe('INSPECTION_REQUIRED'); // the origin inspection is still owed
    expect(d.overrides.map((o: { action: string; status: string }) => `${o.action}:${o.status}`)).toEqual([
      'ADD_STEP:APPLIED',
      'WAIVE_STEP:APPLIED',
    ]);
  });

  it('the last pass releases at GS with a follow-up check; its FAIL keeps RELEASED and tells the enterprise', async () => {
    const passed = await officers.ha!('POST', `/declarations/${laptopId}/steps/ORIGIN_INSPECTION`, { outcome: 'PASS' });
    expect(passed.status).toBe(200);
    expect(passed.body.status).toBe('RELEASED');
    expect(passed.body.release).toMatchObject({ bureau: 'GS', followUp: { kind: 'POST_RELEASE_CHECK', bureau: 'GS', status: 'PENDING' } });
    expect(await inWorklist(officers.gs!, laptopId, 'status=PENDING&kind=POST_RELEASE_CHECK')).toMatchObject({
      kind: 'POST_RELEASE_CHECK',
    });
    const required = await waitFor('step.required at GS', () =>
      at('/gs', secrets.gs!, laptopId).find((p) => p.type === 'step.required' && p.data.kind === 'POST_RELEASE_CHECK'),
    );
    expect(required.data).toMatchObject({ bureau: 'GS' });
    // Only the release bureau records it.
    expect((await officers.ha!('POST', `/declarations/${laptopId}/steps/POST_RELEASE_CHECK`, { outcome: 'PASS' })).status).toBe(403);
    const failed = await officers.gs!('POST', `/declarations/${laptopId}/steps/POST_RELEASE_CHECK`, {
      outcome: 'FAIL',
      remarks: 'invoice value understated',
    });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe('RELEASED');
    expect(failed.body.release.followUp).toMatchObject({ status: 'FAILED', recordedByBureau: 'GS', remarks: 'invoice value understated' });
    expect((await officers.gs!('POST', `/declarations/${laptopId}/steps/POST_RELEASE_CHECK`, { outcome: 'FAIL' })).status).toBe(409);
    const told = await waitFor('declaration.follow_up_failed', () =>
      at('/enterprise', secrets.enterprise!, laptopId).find((p) => p.type === 'declaration.follow_up_failed'),
    );
    expect(told.data).toMatchObject({ status: 'RELEASED', followUp: { status: 'FAILED', bureau: 'GS' } });
    expect(await inWorklist(officers.gs!, laptopId, 'status=DONE&kind=POST_RELEASE_CHECK')).toMatchObject({ status: 'FAILED' });
    const today = new Date().toISOString().slice(0, 10);
    const stats = await officers.stats!('GET', `/stats?groupBy=declaredAt&from=${today}&to=${today}`);
    expect(stats.body.rows.find((r: { bureau: string }) => r.bureau === 'SD')).toMatchObject({ followUpFailed: 1 });
  });

  it('says what the rules achieved: fired, inspected, failed, against the random baseline', async () => {
    const failedId = (await file()).id;
    expect((await officers.ha!('POST', `/declarations/${failedId}/steps/ORIGIN_INSPECTION`, { outcome: 'FAIL' })).body.status).toBe(
      'FAILED',
    );
    const tables = await file({ lines: furniture });
    expect(tables.status).toBe('RELEASED'); // documents complete, credit A sampled at 0
    expect(tables.release.followUp).toMatchObject({ status: 'PENDING' });

    expect((await officers.stats!('GET', `/rulesets/${version}/effectiveness`)).status).toBe(403);
    expect((await enterprise('GET', `/rulesets/${version}/effectiveness`)).status).toBe(403);
    const res = await officers.rules!('GET', `/rulesets/${version}/effectiveness`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      version,
      rules: [
        { ruleId: 'R-LAPTOP', fired: 2, inspected: 2, failed: 1, failRate: 0.5, followUp: { checked: 1, failed: 1, failRate: 1 } },
        { ruleId: 'R-INVOICE', fired: 3, inspected: 2, failed: 1, failRate: 0.5, followUp: { checked: 1, failed: 1, failRate: 1 } },
      ],
      random: { inspected: 0, failed: 0, failRate: null, followUp: { checked: 1, failed: 1, failRate: 1 } },
    });
    const today = new Date().toISOString().slice(0, 10);
    expect((await officers.rules!('GET', `/rulesets/${version}/effectiveness?from=${today}&to=${today}`)).body.rules[0].fired).toBe(2);
    expect((await officers.rules!('GET', `/rulesets/${version}/effectiveness?from=tomorrow`)).status).toBe(400);
  });

  it('simulation sets the expected inspections per bureau against its daily capacity', async () => {
    const draft = await officers.rules!('POST', '/rulesets', { ...ruleSet, sampling: { AA: 1, A: 1, B: 1, C: 1, D: 1 } });
    const sim = await officers.rules!('POST', `/rulesets/${draft.body.version}/simulate`, {});
    expect(sim.status).toBe(200);
    const ha = sim.body.inspectionCapacity.bureaus.find((b: { bureau: string }) => b.bureau === 'HA');
    expect(ha).toMatchObject({ dailyCapacity: 1500, overCapacity: { active: false, draft: false } });
    expect(ha.expectedPerDay.draft).toBeGreaterThan(ha.expectedPerDay.active);
  });
});
