/**
 * Chaos (issue 9): declarations arrive at a steady rate while the platform's whole process group is
 * SIGKILLed (and started again on the same data directory), then only DynamoDB Local is killed (the
 * platform restarts it), then the enterprise's webhook receiver answers 500 for a while. Afterwards:
 * every declaration that got a 202 is audited exactly once, the statistics equal a recount of the
 * declarations, every event reached the receiver with a 2xx under one webhook-id, nothing is left
 * ACCEPTED, parked or undelivered, and no JVM outlives the platform.
 *
 * Requests whose outcome the client cannot know (connection refused while the platform is down, a
 * 503 while it starts or while the table is back) are sent again afterwards with the same clientRef,
 * as a client would: 200 means it had been stored, 202 that it is stored now. Nothing else may
 * answer: a 500 fails the test.
 */
import { afterAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { jvmsServing } from '../../local/data-lock.js';
import { client, newDataDir, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import type { DeclarationInput } from '../../shared/schemas/declaration.js';

// Two starts of the platform on a loaded 2-core machine can take well over a minute each.
vi.setConfig({ testTimeout: 420_000, hookTimeout: 120_000 });

const ADMIN_KEY = 'chaos-admin';
const ENV = {
  CLEARWAY_ADMIN_KEY: ADMIN_KEY,
  // Work left behind by a kill is driven on within seconds (the sweep runs every 2 s).
  CLEARWAY_STRANDED_AFTER_S: '4',
  // A delivery retries for ~17 s: longer than the receiver's bad spell, so none ends failed.
  CLEARWAY_WEBHOOK_SCHEDULE: '1,1,2,2,3,3,5',
};
/** Submissions per second while the faults happen. */
const RATE_PER_S = 4;
const MAX_IN_FLIGHT = 6;

let platform: LocalProcess | undefined;
let receiver: Receiver | undefined;
afterAll(async () => {
  await platform?.stop('SIGKILL');
  await receiver?.close();
  removeDataDirs();
});

type Outcome = 'accepted' | 'unknown';
const EVENT_OF_STATUS: Record<string, string> = {
  RELEASED: 'declaration.released',
  INSPECTION_REQUIRED: 'declaration.inspection_required',
  RETURNED: 'declaration.returned',
};

/** Submits at a steady rate until stopped; remembers what each attempt answered. */
function steadySubmitter(url: () => string, key: string, code: string) {
  const accepted = new Map<string, string>(); // clientRef -> id
  const unknown: DeclarationInput[] = [];
  const statuses = new Map<string, number>();
  let inFlight = 0;
  let stopped = false;
  let sent = 0;
  const count = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
  const submitOne = async () => {
    const body = declarationBody(code, { declaredAt: 'NX', portBureau: 'NX', port: 'INC', inspectionBureau: 'NX', releaseBureau: 'NX' });
    inFlight++;
    sent++;
    let outcome: Outcome = 'unknown';
    try {
      const res = await client(url(), key)('POST', '/declarations', body);
      count(String(res.status));
      if (res.status >= 500 && res.status !== 503 && statuses.get(String(res.status))! <= 3)
        console.log(`chaos: a ${res.status}: ${JSON.stringify(res.body)}`);
      if (res.status === 202) {
        outcome = 'accepted';
        accepted.set(body.clientRef, res.body.id as string);
      }
    } catch {
      count('no answer');
    } finally {
      inFlight--;
    }
    if (outcome === 'unknown') unknown.push(body);
  };
  const done = (async () => {
    for (let next = Date.now(); !stopped; next += 1000 / RATE_PER_S) {
      if (inFlight < MAX_IN_FLIGHT) void submitOne();
      else count('skipped (client busy)');
      await new Promise((r) => setTimeout(r, Math.max(0, next + 1000 / RATE_PER_S - Date.now())));
    }
    await waitFor('the last submissions to answer', () => inFlight === 0, 60_000);
  })();
  return {
    accepted,
    unknown,
    statuses,
    sent: () => sent,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

describe('chaos: kills and a failing receiver under steady intake', () => {
  it('loses nothing, audits each 202 once, counts exactly, delivers every event under one webhook-id, leaves no JVM', async () => {
    onTestFailed(() => console.log(`platform output (last 8000 characters):\n${platform?.output().slice(-8000)}`));
    const dataDir = newDataDir();
    const dbPath = `${dataDir}/dynamodb`;
    receiver = await startReceiver();
    platform = await startLocal({ dataDir, env: ENV, detached: true });
    const port = platform.port;
    const url = () => platform!.url;

    const admin = client(url(), ADMIN_KEY);
    const code = newCreditCode();
    expect(
      (await admin('POST', '/enterprises', { creditCode: code, name: 'Chaos Co', registeredBureau: 'NX', creditLevel: 'A' })).status,
    ).toBe(201);
    const key = (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey as string;
    const statsKey = (await admin('POST', '/principals', { kind: 'officer', bureau: 'NX', roles: ['stats'] })).body.apiKey as string;
    expect((await client(url(), key)('PUT', '/webhook', { url: receiver.url() })).status).toBe(200);

    const submitter = steadySubmitter(url, key, code);
    const acceptedSoFar = () => submitter.accepted.size;
    const t0 = Date.now();
    const phase = (what: string) =>
      console.log(
        `chaos +${((Date.now() - t0) / 1000).toFixed(1)} s: ${what} (accepted ${acceptedSoFar()}, webhook requests ${receiver!.received.length}, answers ${JSON.stringify(Object.fromEntries(submitter.statuses))})`,
      );

    // 1. SIGKILL the platform's whole process group mid-intake; its JVM must die with it.
    await waitFor('some declarations accepted', () => acceptedSoFar() >= 10, 30_000);
    phase('SIGKILL the process group');
    process.kill(-platform.child.pid!, 'SIGKILL');
    await waitFor('the JVM to die with the platform', () => jvmsServing(dbPath).length === 0, 10_000);
    const beforeRestart = acceptedSoFar();
    platform = await startLocal({ dataDir, port, env: ENV, detached: true });
    expect(jvmsServing(dbPath)).toHaveLength(1);
    phase('restarted');

    // 2. Kill only DynamoDB Local: the platform restarts it and carries on.
    await waitFor('intake after the restart', () => acceptedSoFar() >= beforeRestart + 10, 60_000);
    const [jvm] = jvmsServing(dbPath);
    phase('SIGKILL DynamoDB Local');
    process.kill(jvm!, 'SIGKILL');
    await waitFor('a new JVM', () => jvmsServing(dbPath).some((pid) => pid !== jvm), 30_000);
    const beforeReceiverFails = acceptedSoFar();
    await waitFor('intake after DynamoDB Local came back', () => acceptedSoFar() >= beforeReceiverFails + 10, 60_000);

    // 3. The receiver answers 500 for a while (its next 20 requests), then 200 again; intake goes on a
    // few seconds into the bad spell, then stops (the spell's end is awaited below).
    phase('the receiver answers 500');
    receiver.answers.push(...Array.from({ length: 20 }, () => ({ status: 500 })));
    await new Promise((r) => setTimeout(r, 4_000));
    phase('stop submitting');
    await submitter.stop();

    // Whatever had no definite answer is sent again with the same clientRef: 200 (it had been
    // stored) or 202 (stored now) tell its id.
    const api = client(url(), key);
    const stored = new Map(submitter.accepted);
    for (const body of submitter.unknown) {
      const res = await waitFor(`a definite answer for ${body.clientRef}`, async () => {
        const r = await api('POST', '/declarations', body).catch(() => undefined);
        return r && (r.status === 200 || r.status === 202) ? r : undefined;
      });
      stored.set(body.clientRef, res.body.id as string);
    }
    const statuses = Object.fromEntries(submitter.statuses);
    console.log(`chaos: ${submitter.sent()} submissions, answers ${JSON.stringify(statuses)}, ${stored.size} stored`);
    // No request was a 500, whatever was killed.
    expect(Object.keys(statuses).filter((s) => s.startsWith('5') && s !== '503')).toEqual([]);
    expect(submitter.accepted.size).toBeGreaterThan(30);

    // Every stored declaration leaves ACCEPTED, audited exactly once. (Polled gently: DynamoDB Local
    // serialises every request, and the audits need it more than this test does.)
    const ids = [...stored.values()];
    let pending = ids;
    const auditDeadline = Date.now() + 240_000;
    while (pending.length && Date.now() < auditDeadline) {
      const reads = await Promise.all(pending.map((id) => api('GET', `/declarations/${id}`).catch(() => undefined)));
      pending = pending.filter((_, i) => reads[i]?.status !== 200 || reads[i]!.body.status === 'ACCEPTED');
      if (pending.length) await new Promise((r) => setTimeout(r, 2_000));
    }
    phase(`audits done (${pending.length} still ACCEPTED)`);
    expect(pending).toEqual([]);
    const views = (await Promise.all(ids.map((id) => api('GET', `/declarations/${id}`)))).map((r) => r.body);
    for (const d of views) {
      expect(
        d.timeline.filter((t: { detail: string }) => /rule set v\d/.test(t.detail)),
        d.id,
      ).toHaveLength(1);
      expect(d.parked, d.id).toBeUndefined();
    }

    // The statistics equal a recount of the declarations themselves.
    const recount = {
      declarations: views.length,
      lines: views.reduce((n, d) => n + d.lines.length, 0),
      released: views.filter((d) => d.status === 'RELEASED').length,
      documentReleased: views.filter((d) => d.decision?.mode === 'DOCUMENT_RELEASE').length,
      inspected: views.filter((d) => d.decision?.mode === 'INSPECTION').length,
      returned: views.filter((d) => d.status === 'RETURNED').length,
    };
    const stats = await client(url(), statsKey)('GET', '/stats?groupBy=declaredAt');
    expect(stats.status).toBe(200);
    expect(stats.body.rows.find((r: { bureau: string }) => r.bureau === 'NX')).toMatchObject(recount);

    // Every event reached the receiver with a 2xx, each under exactly one webhook-id.
    const byEvent = new Map<string, { ids: Set<string>; delivered: boolean }>();
    const eventsDelivered = await waitFor(
      'every event delivered',
      () => {
        byEvent.clear();
        for (const r of receiver!.received) {
          const payload = JSON.parse(r.body) as { type: string; data: { declarationId?: string } };
          const k = `${payload.type} ${payload.data.declarationId}`;
          const entry = byEvent.get(k) ?? { ids: new Set<string>(), delivered: false };
          entry.ids.add(String(r.headers['webhook-id']));
          entry.delivered ||= r.status !== undefined && r.status >= 200 && r.status < 300;
          byEvent.set(k, entry);
        }
        return views.every((d) => byEvent.get(`${EVENT_OF_STATUS[d.status]} ${d.id}`)?.delivered) ? byEvent : undefined;
      },
      180_000,
    );
    phase('every event delivered');
    for (const [event, { ids: webhookIds }] of eventsDelivered) expect(webhookIds.size, event).toBe(1);
    expect(receiver.received.some((r) => r.status === 500)).toBe(true); // the bad spell really hit deliveries

    // Nothing stranded: no delivery waiting or failed, nothing parked.
    for (const status of ['PENDING', 'RETRYING']) {
      await waitFor(`no delivery left ${status}`, async () => {
        const res = await api('GET', `/webhook/deliveries?status=${status}&limit=100`);
        expect(res.status).toBe(200);
        return res.body.items.length === 0;
      });
    }
    expect((await api('GET', '/webhook/deliveries?status=FAILED&limit=100')).body.items).toEqual([]);
    expect((await admin('GET', '/declarations/parked')).body.items).toEqual([]);
    expect((await api('GET', '/webhook')).body.disabled).toBe(false);

    // And no JVM outlives the platform.
    await platform.stop('SIGTERM');
    platform = undefined;
    await waitFor('no JVM left on the data directory', () => jvmsServing(dbPath).length === 0, 15_000);
  });
});
