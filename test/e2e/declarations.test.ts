/**
 * Declare anywhere, over HTTP against the local runtime: the whole path from intake through the
 * audit queue to a decision, and a hostile client that must never get anything but a 4xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, removeDataDirs, startLocal, type LocalProcess } from '../support/local-process.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { declarationInput } from '../../shared/schemas/declaration.js';

let platform: LocalProcess;
let adminApi: ReturnType<typeof client>;

async function newEnterpriseKey(level = 'AA') {
  const code = newCreditCode();
  expect(
    (await adminApi('POST', '/enterprises', { creditCode: code, name: 'E2E Trading', registeredBureau: 'XJ', creditLevel: level })).status,
  ).toBe(201);
  const principal = await adminApi('POST', '/principals', { kind: 'enterprise', enterpriseId: code });
  return { code, api: client(platform.url, principal.body.apiKey), key: principal.body.apiKey as string };
}

async function waitForStatus(api: ReturnType<typeof client>, id: string, predicate: (status: string) => boolean) {
  for (let i = 0; i < 100; i++) {
    const res = await api('GET', `/declarations/${id}`);
    if (predicate(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`declaration ${id} did not move on`);
}

beforeAll(async () => {
  platform = await startLocal({ env: { CLEARWAY_ADMIN_KEY: 'e2e-admin' } });
  adminApi = client(platform.url, 'e2e-admin');
});
afterAll(async () => {
  await platform?.stop();
  removeDataDirs();
});

describe('declare anywhere', () => {
  it('takes a declaration at any bureau and audits it within seconds', async () => {
    const { code, api } = await newEnterpriseKey('AA');
    const started = Date.now();
    const accepted = await api('POST', '/declarations', declarationBody(code, { declaredAt: 'QH' }));
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/declarations/${accepted.body.id}`);
    const done = await waitForStatus(api, accepted.body.id, (s) => s !== 'ACCEPTED');
    expect(['RELEASED', 'INSPECTION_REQUIRED']).toContain(done.status);
    expect(done.decision.ruleSetVersion).toBe(1);
    expect(done.timeline[0]).toMatchObject({ status: 'ACCEPTED', bureau: 'QH' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('returns a declaration without its permit and tells why', async () => {
    const { code, api } = await newEnterpriseKey('A');
    const accepted = await api(
      'POST',
      '/declarations',
      declarationBody(code, {
        direction: 'IMPORT',
        portBureau: 'XJ',
        port: 'AKU',
        lines: [{ hsCode: '0808100000', description: 'apples', quantity: 1000, unit: 'KG', valueUsd: 900 }],
        documents: [],
      }),
    );
    const done = await waitForStatus(api, accepted.body.id, (s) => s !== 'ACCEPTED');
    expect(done.status).toBe('RETURNED');
    expect(done.decision.reasons.join()).toContain('ENTRY_QUARANTINE_PERMIT');
  });
});

describe('hostile input', () => {
  it('answers 10,000 generated invalid or malicious requests with 4xx problems, stores none and stays up', async () => {
    const { code, key } = await newEnterpriseKey();
    const valid = declarationBody(code) as unknown as Record<string, unknown>;
    const fields = Object.keys(valid);
    const wrongValue = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.boolean(),
      fc.object({ maxDepth: 2 }),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.constantFrom('NaN', 'Infinity', '-1e999', '', '\u0000', 'x'.repeat(600)),
    );
    const raw = (text: string) => ({ text });
    const cases = fc.oneof(
      // a required field with a value of the wrong type (or wrong content)
      fc
        .record({ field: fc.constantFrom(...fields.filter((f) => f !== 'containers' && f !== 'documents')), value: wrongValue })
        .map(({ field, value }) => ({ body: { ...valid, [field]: value } }))
        // "NaN" is a fine clientRef: keep only mutations the schema really refuses.
        .filter(({ body }) => !declarationInput.safeParse(body).success),
      // numbers out of range: huge literals, negatives, NaN-like strings
      fc
        .constantFrom('1e400', '-5', '"NaN"', '"Infinity"', '1e309', '-0.0000001')
        .map((n) =>
          raw(JSON.stringify({ ...valid, lines: [{ ...(valid.lines as object[])[0], quantity: '__N__' }] }).replace('"__N__"', n)),
        ),
      // prototype-pollution keys, top level or in a line
      fc
        .constantFrom('__proto__', 'constructor', 'prototype')
        .map((k) => raw(JSON.stringify(valid).replace('{', `{"${k}":{"polluted":true},`))),
      fc
        .constantFrom('__proto__', 'constructor')
        .map((k) => raw(JSON.stringify(valid).replace('"hsCode"', `"${k}":{"isAdmin":true},"hsCode"`))),
      // deep nesting
      fc.integer({ min: 100, max: 50_000 }).map((depth) => raw(`{"clientRef":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
      // not JSON, or not a JSON object
      fc.oneof(fc.string(), fc.constantFrom('[]', 'null', '42', '"s"', '{', '{"a":}')).map((text) => raw(text)),
      // invalid UTF-8
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
        bytes: Buffer.concat([Buffer.from('{"clientRef":"'), Buffer.from([0xff, 0xfe]), Buffer.from(bytes), Buffer.from('"}')]),
      })),
      // unknown fields, missing fields, too many lines
      fc
        .string({ minLength: 1, maxLength: 20 })
        .filter((k) => !fields.includes(k))
        .map((k) => ({ body: { ...valid, [k]: 1 } })),
      fc
        .constantFrom(...fields.filter((f) => !['port', 'containers', 'documents'].includes(f)))
        .map((f) => ({ body: Object.fromEntries(Object.entries(valid).filter(([k]) => k !== f)) })),
      fc.constant({ body: { ...valid, lines: Array.from({ length: 501 }, () => (valid.lines as object[])[0]) } }),
      // hostile headers: bad idempotency keys, bad or other credentials
      fc.string({ minLength: 129, maxLength: 200 }).map((k) => ({ body: valid, headers: { 'idempotency-key': k } })),
      fc
        .constantFrom('Bearer ', 'Basic YWRtaW4=', `Bearer ${'x'.repeat(300)}`, 'Bearer local-admin-key')
        .map((auth) => ({ body: valid, headers: { authorization: auth } })),
      // someone else's enterprise id
      fc.constant({ body: { ...valid, enterpriseId: newCreditCode() } }),
    );
    const samples = fc.sample(cases, { numRuns: 10_000, seed: 20261121 }) as {
      body?: unknown;
      text?: string;
      bytes?: Buffer;
      headers?: Record<string, string>;
    }[];
    samples.push({ text: JSON.stringify({ ...valid, pad: 'x'.repeat(1024 * 1024) }) });

    const statuses = new Map<number, number>();
    const nonProblem: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const s = samples[next++]!;
        const payload = s.bytes ?? s.text ?? JSON.stringify(s.body);
        const res = await fetch(`${platform.url}/declarations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...s.headers },
          body: payload,
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status < 400 || res.status >= 500 || res.headers.get('content-type') !== 'application/problem+json') {
          nonProblem.push(`${res.status} ${String(payload).slice(0, 120)} → ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    expect(nonProblem.slice(0, 5)).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    const mine = await client(platform.url, key)('GET', '/declarations');
    expect(mine.body.items).toEqual([]);
    expect((await client(platform.url)('GET', '/health')).status).toBe(200);
    expect(platform.child.exitCode).toBeNull();
  });
});

describe('batch intake over HTTP (contract section 16)', () => {
  it('files a batch over 1 MiB through the gateway, audits it, and keeps 1 MiB for a single filing (413 problem) and 5 MiB for a batch', async () => {
    const { code, api } = await newEnterpriseKey('AA');
    const line = { hsCode: '8471300000', description: 'x'.repeat(500), quantity: 1, unit: 'PCS', valueUsd: 1 };
    const items = Array.from({ length: 10 }, () => declarationBody(code, { lines: Array.from({ length: 250 }, () => line) }));
    const body = JSON.stringify({ declarations: items });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const res = await api('POST', '/declarations/batch', body);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => [r.index, r.status])).toEqual(items.map((_, i) => [i, 202]));
    const done = await waitForStatus(api, res.body.results[9].id, (s) => s !== 'ACCEPTED');
    expect(['RELEASED', 'INSPECTION_REQUIRED']).toContain(done.status);

    const bigSingle = JSON.stringify(declarationBody(code)) + ' '.repeat(1024 * 1024);
    const single = await api('POST', '/declarations', bigSingle);
    expect(single.status).toBe(413);
    expect(single.headers.get('content-type')).toContain('application/problem+json');
    expect(single.body).toMatchObject({ status: 413 });

    const overBatch = await api('POST', '/declarations/batch', body + ' '.repeat(5 * 1024 * 1024 - body.length + 1));
    expect(overBatch.status).toBe(413);
    expect(overBatch.body).toMatchObject({ status: 413 });
    // Nothing of the refused bodies was stored: only the batch's 10.
    expect((await api('GET', '/declarations?limit=100')).body.items).toHaveLength(10);
  });
});
