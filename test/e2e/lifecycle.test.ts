/**
 * The declaration's whole life end to end (contract sections 13 and 14), through HTTP against the
 * local runtime with a real webhook receiver: a returned declaration is amended and audited again,
 * another is cancelled, a credit objection is decided, and each is told to the enterprise by a
 * signed webhook. Then hostile bodies against the new routes: only 4xx problems, nothing changed.
 */
import http from 'node:http';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { waitFor } from '../support/wait.js';
import { amendmentInput, cancelRequest } from '../../shared/schemas/lifecycle.js';
import { decideObjectionRequest } from '../../shared/schemas/objection.js';

type Received = { headers: http.IncomingHttpHeaders; body: string };
let platform: LocalProcess;
let receiver: http.Server;
let hookUrl: string;
const received: Received[] = [];

const signedBy = (secret: string, r: Received) => {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`)
    .digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
};
const eventsAbout = (id: string) =>
  received
    .map((r) => ({ r, e: JSON.parse(r.body) as { type: string; data: Record<string, unknown> } }))
    .filter(({ e }) => e.data.declarationId === id || e.data.objectionId === id);

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
  platform = await startLocal({ env: { CLEARWAY_ADMIN_KEY: 'e2e-admin', CLEARWAY_WEBHOOK_SCHEDULE: '1,1,1' } });
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
  receiver?.close();
});

async function newEnterprise(level = 'AA') {
  const admin = client(platform.url, 'e2e-admin');
  const code = newCreditCode();
  await admin('POST', '/enterprises', { creditCode: code, name: 'Lifecycle Trading', registeredBureau: 'SN', creditLevel: level });
  const key = (await admin('POST', '/principals', { kind: 'enterprise', enterpriseId: code })).body.apiKey;
  const officerKey = (await admin('POST', '/principals', { kind: 'officer', bureau: 'SN', roles: ['credit', 'inspector'] })).body.apiKey;
  const api = client(platform.url, key);
  const { body: hook } = await api('PUT', '/webhook', { url: hookUrl });
  return { code, api, officer: client(platform.url, officerKey), secret: hook.secret as string };
}
const settled = (api: ReturnType<typeof client>, id: string) =>
  waitFor(`declaration ${id} audited`, async () => {
    const { body } = await api('GET', `/declarations/${id}`);
    return body.status !== 'ACCEPTED' ? body : undefined;
  });
const food = { hsCode: '2001100000', description: 'pickled cucumbers', quantity: 5, unit: 'KG', valueUsd: 50 };

describe('the declaration’s whole life over HTTP', () => {
  it('what to attach, a check, a return, the amendment, its audit and the webhooks', async () => {
    const { code, api, secret } = await newEnterprise();
    const requirements = await api('GET', '/requirements');
    expect(requirements.status).toBe(200);
    const producer = requirements.body.documentRules.find((r: { documentTypes: string[] }) => r.documentTypes.includes('PRODUCER_RECORD'));
    expect(producer.hsPrefixes).toContain('20');
    const openapi = (await fetch(`${platform.url}/openapi.json`).then((r) => r.json())) as any;
    expect(openapi.components.schemas.DocumentType.enum).toEqual(requirements.body.documentTypes);

    const body = declarationBody(code, { declaredAt: 'SN', lines: [food], documents: [] });
    const check = await api('POST', '/declarations/check', body);
    expect(check.body).toMatchObject({ stored: false, mode: 'RETURNED', missingDocuments: [{ documentTypes: ['PRODUCER_RECORD'] }] });

    const { body: filed } = await api('POST', '/declarations', body);
    expect((await settled(api, filed.id)).status).toBe('RETURNED');
    const amended = await api('PUT', `/declarations/${filed.id}`, {
      ...body,
      documents: [{ type: 'PRODUCER_RECORD', number: 'PR-5' }],
      amendmentReason: 'producer record attached',
    });
    expect(amended.status).toBe(202);
    expect(amended.body).toMatchObject({ status: 'ACCEPTED', revision: 2 });
    const after = await settled(api, filed.id);
    expect(['RELEASED', 'INSPECTION_REQUIRED']).toContain(after.status);
    expect(after.revision).toBe(2);
    const revisions = await api('GET', `/declarations/${filed.id}/revisions`);
    expect(revisions.body.items.map((r: { revision: number; status: string }) => [r.revision, r.status])).toEqual([[1, 'RETURNED']]);

    const hooks = await waitFor('three webhooks', () => {
      const got = eventsAbout(filed.id);
      return got.length >= 3 ? got : undefined;
    });
    // Deliveries are concurrent: the set is what is promised, not the order of arrival.
    expect(hooks.map(({ e }) => e.type).sort()).toEqual(
      [
        'declaration.returned',
        'declaration.amended',
        after.status === 'RELEASED' ? 'declaration.released' : 'declaration.inspection_required',
      ].sort(),
    );
    expect(hooks.every(({ r }) => signedBy(secret, r))).toBe(true);
    expect(hooks.find(({ e }) => e.type === 'declaration.amended')!.e.data).toMatchObject({ revision: 2, previousStatus: 'RETURNED' });
  });

  it('cancels with a coded reason, tells the enterprise, and counts it', async () => {
    const { code, api, secret } = await newEnterprise();
    const admin = client(platform.url, 'e2e-admin');
    const stats = client(
      platform.url,
      (await admin('POST', '/principals', { kind: 'officer', bureau: 'SN', roles: ['stats'] })).body.apiKey,
    );
    const row = async () => (await stats('GET', '/stats?groupBy=declaredAt')).body.rows.find((r: { bureau: string }) => r.bureau === 'GS');
    const before = await row();
    const { body: filed } = await api('POST', '/declarations', declarationBody(code, { declaredAt: 'GS', lines: [food], documents: [] }));
    await settled(api, filed.id);
    const res = await api('POST', `/declarations/${filed.id}/cancel`, { reasonCode: 'C02', remarks: 'wrong consignee' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'C02' } });
    expect((await api('POST', `/declarations/${filed.id}/cancel`, { reasonCode: 'C02' })).status).toBe(409);
    expect((await row()).cancelled - before.cancelled).toBe(1);
    const hook = await waitFor('declaration.cancelled', () => eventsAbout(filed.id).find(({ e }) => e.type === 'declaration.cancelled'));
    expect(signedBy(secret, hook.r)).toBe(true);
  });

  it('a credit objection decided once, upheld region-wide, told by webhook', async () => {
    const { code, api, officer, secret } = await newEnterprise('C');
    const filed = await api('POST', `/enterprises/${code}/credit/objections`, { reason: 'the late filings were the port system' });
    expect(filed.status).toBe(201);
    expect((await api('POST', `/enterprises/${code}/credit/objections`, { reason: 'again' })).status).toBe(409);
    const decided = await officer('POST', `/enterprises/${code}/credit/objections/${filed.body.id}/decision`, {
      outcome: 'UPHELD',
      reason: 'port outage confirmed',
      level: 'B',
    });
    expect(decided.status).toBe(200);
    expect(
      (await officer('POST', `/enterprises/${code}/credit/objections/${filed.body.id}/decision`, { outcome: 'REJECTED', reason: 'x' }))
        .status,
    ).toBe(409);
    const credit = await api('GET', `/enterprises/${code}/credit`);
    expect(credit.body).toMatchObject({ level: 'B' });
    expect(credit.body.history.at(-1).objectionId).toBe(filed.body.id);
    const hook = await waitFor('objection decided', () =>
      eventsAbout(filed.body.id).find(({ e }) => e.type === 'enterprise.credit_objection_decided'),
    );
    expect(signedBy(secret, hook.r)).toBe(true);
    expect(JSON.parse(hook.r.body).data).toMatchObject({ outcome: 'UPHELD', creditChanged: true });
  });
});

describe('hostile input on the new routes', () => {
  it('answers 2,000 generated bad amendments, cancellations, objections and checks with 4xx problems, changing nothing', async () => {
    const { code, api, officer } = await newEnterprise();
    const body = declarationBody(code, { lines: [food], documents: [] });
    const { body: filed } = await api('POST', '/declarations', body);
    const target = await settled(api, filed.id);
    const { body: objection } = await api('POST', `/enterprises/${code}/credit/objections`, { reason: 'objecting' });
    const valid = {
      amend: { ...body, amendmentReason: 'fix' } as Record<string, unknown>,
      cancel: { reasonCode: 'C01', remarks: 'dup' } as Record<string, unknown>,
      decide: { outcome: 'REJECTED', reason: 'no' } as Record<string, unknown>,
    };
    const wrong = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.boolean(),
      fc.object({ maxDepth: 2 }),
      fc.constantFrom('', '\u0000', 'x'.repeat(600), 'C99', 'NaN', '__proto__'),
    );
    // Mutations the schema still accepts (an optional field left out, "NaN" as a reason) would
    // really amend, cancel or decide: keep only the ones it refuses.
    const schemaOf = { amend: amendmentInput, cancel: cancelRequest, decide: decideObjectionRequest };
    const mutate = (kind: keyof typeof valid) =>
      fc
        .oneof(
          fc
            .record({ field: fc.constantFrom(...Object.keys(valid[kind])), value: wrong })
            .map(({ field, value }) => ({ ...valid[kind], [field]: value })),
          fc.string({ minLength: 1, maxLength: 12 }).map((k) => ({ ...valid[kind], [`x_${k}`]: 1 })),
          fc.constantFrom(...Object.keys(valid[kind])).map((f) => Object.fromEntries(Object.entries(valid[kind]).filter(([k]) => k !== f))),
          fc.constantFrom('[]', 'null', '42', '{', '{"__proto__":{"admin":true}}', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`),
        )
        .filter((b) => typeof b === 'string' || !schemaOf[kind].safeParse(b).success);
    const cases = fc.oneof(
      mutate('amend').map((b) => ({ who: api, method: 'PUT', path: `/declarations/${filed.id}`, b })),
      // an amendment with someone else's clientRef or enterprise, or no reason at all
      fc
        .constantFrom({ ...valid.amend, clientRef: 'other' }, { ...valid.amend, enterpriseId: newCreditCode() }, body)
        .map((b) => ({ who: api, method: 'PUT', path: `/declarations/${filed.id}`, b })),
      mutate('cancel').map((b) => ({ who: api, method: 'POST', path: `/declarations/${filed.id}/cancel`, b })),
      mutate('decide').map((b) => ({
        who: officer,
        method: 'POST',
        path: `/enterprises/${code}/credit/objections/${objection.id}/decision`,
        b,
      })),
      fc
        .constantFrom({}, { reason: '' }, { reason: 'x'.repeat(2001) }, { reason: 1 }, { reason: 'ok', extra: true })
        .map((b) => ({ who: api, method: 'POST', path: `/enterprises/${code}/credit/objections`, b })),
      mutate('amend').map((b) => ({ who: api, method: 'POST', path: '/declarations/check', b })),
    );
    const samples = fc.sample(cases, { numRuns: 2000, seed: 20261201 });
    const bad: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const s = samples[next++]!;
        const payload = typeof s.b === 'string' ? s.b : JSON.stringify(s.b);
        const res = await s.who(s.method, s.path, payload);
        const validBody = s.path.endsWith('/check') && !(typeof s.b === 'string');
        // A mutated body that happens to stay valid may pass (e.g. a check); nothing else may.
        if (
          res.status >= 500 ||
          (res.status < 400 && !validBody) ||
          (res.status >= 400 && res.headers.get('content-type') !== 'application/problem+json')
        )
          bad.push(`${res.status} ${s.method} ${s.path} ${payload.slice(0, 100)} → ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(bad).toEqual([]);
    // Nothing changed: the declaration, its revisions, the objection.
    const now = (await api('GET', `/declarations/${filed.id}`)).body;
    expect({ status: now.status, revision: now.revision, updatedAt: now.updatedAt }).toEqual({
      status: target.status,
      revision: 1,
      updatedAt: target.updatedAt,
    });
    expect((await api('GET', `/declarations/${filed.id}/revisions`)).body.items).toEqual([]);
    const list = await api('GET', `/enterprises/${code}/credit/objections`);
    expect(list.body.items.map((o: { status: string }) => o.status)).toEqual(['OPEN']);
    expect((await fetch(`${platform.url}/health`)).status).toBe(200);
  });
});
