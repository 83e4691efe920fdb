import { describe, expect, it } from 'vitest';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as notifyWorker } from '../../functions/notify-worker.js';
import { redrive } from '../../functions/redrive.js';
import { getEvent } from '../../shared/adapters/outbox.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { newCreditCode } from '../support/fixtures.js';
import { drain } from '../support/queues.js';

const creditOfficer = (bureau: string) => officer(bureau, 'credit');

async function registered(level?: string) {
  const code = newCreditCode();
  const res = await call(enterprises, 'POST /enterprises', {
    principal: creditOfficer('HA'),
    body: { creditCode: code, name: 'Zhengzhou Export Co.', registeredBureau: 'HA', ...(level ? { creditLevel: level } : {}) },
  });
  expect(res.status).toBe(201);
  return code;
}

describe('enterprise registry', () => {
  it('registers once for the whole region; a second registration anywhere is a 409', async () => {
    const code = await registered();
    const again = await call(enterprises, 'POST /enterprises', {
      principal: creditOfficer('XJ'),
      body: { creditCode: code, name: 'Other', registeredBureau: 'XJ' },
    });
    expect(again.status).toBe(409);
    const read = await call(enterprises, 'GET /enterprises/{code}', { principal: officer('QH', 'stats'), params: { code } });
    expect(read.body).toMatchObject({ creditCode: code, registeredBureau: 'HA', level: 'B', blacklisted: false });
  });

  it('rejects a bad credit code naming the field, and unknown fields', async () => {
    const res = await call(enterprises, 'POST /enterprises', {
      principal: admin,
      body: { creditCode: '91350100M000100Y44', name: 'x', registeredBureau: 'SD', creditLevel: 'AAA', vip: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(['creditCode', 'creditLevel', 'vip']);
  });

  it('lets an enterprise read only itself (another is a 404)', async () => {
    const mine = await registered();
    const other = await registered();
    expect((await call(enterprises, 'GET /enterprises/{code}', { principal: enterprise(mine), params: { code: mine } })).status).toBe(200);
    expect((await call(enterprises, 'GET /enterprises/{code}', { principal: enterprise(mine), params: { code: other } })).status).toBe(404);
  });

  it('answers 404 for an unknown enterprise and 403 to an officer without the credit role', async () => {
    expect(
      (await call(enterprises, 'GET /enterprises/{code}/credit', { principal: admin, params: { code: newCreditCode() } })).status,
    ).toBe(404);
    const res = await call(enterprises, 'POST /enterprises', {
      principal: officer('SD', 'inspector'),
      body: { creditCode: newCreditCode(), name: 'x', registeredBureau: 'SD' },
    });
    expect(res.status).toBe(403);
  });
});

describe('region-wide credit', () => {
  it('a change by one bureau is what every bureau reads next, with history and measures', async () => {
    const code = await registered();
    const change = await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: { ...creditOfficer('XJ'), id: 'prn_xj' },
      params: { code },
      body: { level: 'AA', reason: 'AEO certified' },
    });
    expect(change.status).toBe(200);
    for (const bureau of ['SD', 'HA', 'QH']) {
      const read = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: officer(bureau, 'stats'), params: { code } });
      expect(read.body).toMatchObject({
        level: 'AA',
        blacklisted: false,
        updatedByBureau: 'XJ',
        measures: { samplingRate: 0.01, regionalIntegration: true, documentRelease: true },
      });
      expect(read.body.history).toEqual([
        expect.objectContaining({ bureau: 'XJ', principalId: 'prn_xj', from: 'B', to: 'AA', blacklisted: false, reason: 'AEO certified' }),
      ]);
    }
  });

  it('shows enterprises the bureau that changed credit, never the officer (principal id)', async () => {
    const code = await registered();
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: { ...creditOfficer('XJ'), id: 'prn_xj_officer' },
      params: { code },
      body: { level: 'A', reason: 'audit' },
    });
    for (const reader of [enterprise(code), enterprise(newCreditCode())]) {
      const read = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: reader, params: { code } });
      expect(read.status).toBe(200);
      expect(read.body.history).toEqual([expect.objectContaining({ bureau: 'XJ', from: 'B', to: 'A' })]);
      expect(JSON.stringify(read.body)).not.toContain('prn_xj_officer');
    }
    const byAdmin = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: admin, params: { code } });
    expect(byAdmin.body.history[0].principalId).toBe('prn_xj_officer');
  });

  it('blacklisting anywhere takes the enterprise out of regional integration everywhere', async () => {
    const code = await registered('AA');
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: creditOfficer('SN'),
      params: { code },
      body: { blacklisted: true, reason: 'smuggling case 2026-17' },
    });
    const read = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: enterprise(code), params: { code } });
    expect(read.body).toMatchObject({
      level: 'AA',
      blacklisted: true,
      measures: { samplingRate: 1, regionalIntegration: false, documentRelease: false },
    });
  });

  it('keeps every change in order, never rewritten, even when bureaus change it concurrently', async () => {
    const code = await registered();
    const levels = ['A', 'C', 'AA', 'D', 'B', 'A'];
    const results = await Promise.all(
      levels.map((level, i) =>
        call(enterprises, 'PUT /enterprises/{code}/credit', {
          principal: creditOfficer(['SD', 'XJ', 'HA'][i % 3]!),
          params: { code },
          body: { level, reason: `change ${i}` },
        }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const { body } = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: admin, params: { code } });
    // Each entry starts where the previous one ended: no lost update.
    for (let i = 1; i < body.history.length; i++) expect(body.history[i].from).toBe(body.history[i - 1].to);
    expect(body.history.at(-1).to).toBe(body.level);
  });

  it('rejects a change without a reason, an unknown level, an oversized reason and unknown fields', async () => {
    const code = await registered();
    const res = await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: creditOfficer('SD'),
      params: { code },
      body: { level: 'E', reason: 'x'.repeat(501), extra: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(['extra', 'level', 'reason']);
    const noReason = await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: creditOfficer('SD'),
      params: { code },
      body: { level: 'A' },
    });
    expect(noReason.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
  });

  it('does not let an enterprise or an officer without credit change credit', async () => {
    const code = await registered();
    for (const principal of [enterprise(code), officer('SD', 'rules', 'stats', 'inspector'), admin]) {
      const res = await call(enterprises, 'PUT /enterprises/{code}/credit', {
        principal,
        params: { code },
        body: { level: 'AA', reason: 'self-upgrade' },
      });
      expect(res.status).toBe(403);
    }
  });
});

describe('enterprise.credit_changed events', () => {
  it('queues exactly one event per change, and none for a no-op', async () => {
    await drain('Notify');
    const code = await registered();
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: creditOfficer('GS'),
      params: { code },
      body: { level: 'C', reason: 'late filings' },
    });
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: creditOfficer('GS'),
      params: { code },
      body: { level: 'C', reason: 'same again' },
    });
    const messages = await drain('Notify');
    const events = await Promise.all(messages.map((m) => getEvent(m.eventId)));
    const mine = events.filter((e) => e?.enterpriseId === code);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      type: 'enterprise.credit_changed',
      data: { from: 'B', to: 'C', bureau: 'GS', reason: 'late filings' },
    });
    // The message carries only ids (and the type and owner), so a worker can skip enterprises without a webhook.
    expect(messages.find((m) => m.eventId === mine[0]!.id)).toEqual({
      eventId: mine[0]!.id,
      eventType: 'enterprise.credit_changed',
      owner: { kind: 'enterprise', id: code },
    });
  });

  it('redrives an event whose message was lost, and consumes it once however often it arrives', async () => {
    const code = await registered();
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: creditOfficer('NX'),
      params: { code },
      body: { level: 'A', reason: 'audit passed' },
    });
    const queued = await drain('Notify');
    const owners = await Promise.all(queued.map(async (m) => (await getEvent(m.eventId))?.enterpriseId));
    const message = queued[owners.indexOf(code)];
    expect(message).toBeDefined();
    // The message is "lost": nothing consumed it. A sweep after the stranded bound queues it again.
    const result = await redrive(new Date(Date.now() + 10 * 60_000));
    expect(result.events).toBeGreaterThanOrEqual(1);
    const redriven = await drain('Notify');
    expect(redriven.map((m) => m.eventId)).toContain(message.eventId);
    const record = (eventId: string) => ({ messageId: eventId + Math.random(), body: JSON.stringify({ eventId }) });
    const response = await notifyWorker({ Records: [record(message.eventId), record(message.eventId)] } as any, lambdaContext);
    expect(response.batchItemFailures).toEqual([]);
    // Consumed: the next sweep has nothing left of it.
    await redrive(new Date(Date.now() + 20 * 60_000));
    const again = await drain('Notify');
    expect(again.map((m) => m.eventId)).not.toContain(message.eventId);
  });
});
