import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as certificates } from '../../functions/http/certificates.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { seed } from '../../functions/seed.js';
import { dynamo } from '../../shared/adapters/aws.js';
import { keys } from '../../shared/adapters/keys.js';
import { signingKey } from '../../shared/adapters/signing-key.js';
import { digestOf, sign } from '../../shared/domain/certificate.js';
import { canonicalJson } from '../../shared/domain/declaration.js';
import { getEvent } from '../../shared/adapters/outbox.js';
import { declarationStore } from '../../shared/adapters/declaration-store.js';
import type { DeclarationChangeStore } from '../../shared/app/declaration-change.js';
import { inspectionPorts, recordStep as recordStepOf } from '../../shared/app/inspection.js';
import type { Officer } from '../../shared/domain/principal.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { drain } from '../support/queues.js';

const inspector = (bureau: string) => officer(bureau, 'inspector');

/** An export with a negative-list line: origin inspection at HA, port verification at SD. */
async function awaitingInspection() {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Fish Export Co', registeredBureau: 'SD', creditLevel: 'A' },
  });
  const body = declarationBody(code, {
    releaseBureau: 'GS',
    lines: [{ hsCode: '0302110000', description: 'fresh trout', quantity: 50, unit: 'KG', valueUsd: 900 }],
    documents: [{ type: 'PRODUCER_RECORD', number: 'PR-9' }],
  });
  const { body: accepted } = await call(declarations, 'POST /declarations', { principal: enterprise(code), body });
  await auditWorker({ Records: [{ messageId: 'm', body: JSON.stringify({ declarationId: accepted.id }) }] } as never, lambdaContext);
  const d = await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id: accepted.id } });
  expect(d.body.status).toBe('INSPECTION_REQUIRED');
  return { id: accepted.id as string, code };
}
const record = (principal: ReturnType<typeof officer>, id: string, kind: string, body: object) =>
  call(officers, 'POST /declarations/{id}/steps/{kind}', { principal, params: { id, kind }, body });

beforeAll(async () => {
  await seed();
});

describe('inspection steps', () => {
  it('lets only an inspector of the step bureau record it, once, recognised everywhere, then releases anywhere', async () => {
    const { id, code } = await awaitingInspection();
    expect((await record(inspector('QH'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS' })).status).toBe(404);
    expect((await record(inspector('SD'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS' })).status).toBe(403);
    expect((await record(officer('HA', 'credit'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS' })).status).toBe(403);
    expect((await record(inspector('HA'), id, 'PORT_INSPECTION', { outcome: 'PASS' })).status).toBe(404);
    expect((await record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'MAYBE' })).status).toBe(400);

    const first = await record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS', remarks: 'sealed, cold chain intact' });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('INSPECTION_REQUIRED');
    expect(first.body.steps[0]).toMatchObject({
      kind: 'ORIGIN_INSPECTION',
      status: 'PASSED',
      recordedByBureau: 'HA',
      remarks: 'sealed, cold chain intact',
    });
    const again = await record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS' });
    expect(again.status).toBe(409);

    await drain('Notify');
    const last = await record(inspector('SD'), id, 'PORT_VERIFICATION', { outcome: 'PASS' });
    // What the step answers is what was stored.
    expect(last.body).toEqual((await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } })).body);
    expect(first.body.steps).toEqual(last.body.steps.map((step: { kind: string }, i: number) => (i === 0 ? step : first.body.steps[i])));
    expect(last.body).toMatchObject({
      status: 'RELEASED',
      release: { bureau: 'GS', mode: 'INSPECTION', certificateNo: expect.stringMatching(/^CWGS/) },
    });
    expect(last.body.timeline.map((t: { status: string }) => t.status)).toEqual([
      'ACCEPTED',
      'INSPECTION_REQUIRED',
      'INSPECTION_REQUIRED',
      'INSPECTION_REQUIRED',
      'RELEASED',
    ]);
    const events = await Promise.all((await drain('Notify')).map((m) => getEvent(m.eventId)));
    expect(events.filter((e) => e?.data.declarationId === id).map((e) => e!.type)).toEqual(['declaration.released']);

    // Any bureau involved sees the same record.
    const seenByGS = await call(declarations, 'GET /declarations/{id}', { principal: inspector('GS'), params: { id } });
    expect(seenByGS.body.steps.every((s: { status: string }) => s.status === 'PASSED')).toBe(true);
    expect(seenByGS.body.enterpriseId).toBe(code);
  });

  it('fails the declaration on a FAIL, and takes no more results', async () => {
    const { id } = await awaitingInspection();
    const res = await record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'FAIL', remarks: 'temperature log broken' });
    expect(res.body.status).toBe('FAILED');
    expect((await record(inspector('SD'), id, 'PORT_VERIFICATION', { outcome: 'PASS' })).status).toBe(409);
  });

  it("takes the failed declaration's other pending steps out of the worklist (they become CANCELLED)", async () => {
    const { id, code } = await awaitingInspection();
    const portWork = async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 1000; pages++) {
        const res = await call(officers, 'GET /worklist', {
          principal: inspector('SD'),
          query: { kind: 'PORT_VERIFICATION', ...(cursor ? { cursor } : {}) },
        });
        expect(res.status).toBe(200);
        ids.push(...res.body.items.map((i: { declarationId: string }) => i.declarationId));
        cursor = res.body.nextCursor ?? undefined;
        if (!cursor) return ids;
      }
      throw new Error('too many pages');
    };
    expect(await portWork()).toContain(id);
    expect((await record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'FAIL' })).body.status).toBe('FAILED');
    expect(await portWork()).not.toContain(id);
    const d = await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id } });
    expect(d.body.steps.find((s: { kind: string }) => s.kind === 'PORT_VERIFICATION').status).toBe('CANCELLED');
    const late = await record(inspector('SD'), id, 'PORT_VERIFICATION', { outcome: 'PASS' });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toMatch(/CANCELLED/);
  });

  it('releases exactly once when the last two steps are recorded at the same moment', async () => {
    const { id } = await awaitingInspection();
    const [a, b] = await Promise.all([
      record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS' }),
      record(inspector('SD'), id, 'PORT_VERIFICATION', { outcome: 'PASS' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const final = await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } });
    expect(final.body.status).toBe('RELEASED');
    expect(final.body.timeline.filter((t: { status: string }) => t.status === 'RELEASED')).toHaveLength(1);
  });

  it('decides the step that lost the race on the state the failed commit brought back, without reading again', async () => {
    const { id } = await awaitingInspection();
    // Both officers read before either commits; then the port's step commits, and the origin's loses.
    let reads = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const store: DeclarationChangeStore = {
      get: async (declarationId) => {
        const d = await declarationStore.get(declarationId);
        if (++reads === 2) bothRead();
        return d;
      },
      apply: async (t) => (await barrier, declarationStore.apply(t)),
      certify: declarationStore.certify,
    };
    const ports = { ...inspectionPorts, store };
    const [origin, port] = await Promise.all([
      recordStepOf(id, 'ORIGIN_INSPECTION', inspector('HA') as Officer, { outcome: 'PASS' }, ports),
      recordStepOf(id, 'PORT_VERIFICATION', inspector('SD') as Officer, { outcome: 'PASS' }, ports),
    ]);
    expect(reads).toBe(2);
    expect([origin.declaration.status, port.declaration.status].sort()).toEqual(['INSPECTION_REQUIRED', 'RELEASED']);
    const final = await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } });
    expect(final.body.status).toBe('RELEASED');
    expect(final.body.steps.map((s: { status: string }) => s.status)).toEqual(['PASSED', 'PASSED']);
    expect(final.body.timeline.filter((t: { status: string }) => t.status === 'RELEASED')).toHaveLength(1);
  });
});

describe('certificates', () => {
  /** A declaration released after its two steps, and its release. */
  async function released() {
    const { id } = await awaitingInspection();
    await record(inspector('HA'), id, 'ORIGIN_INSPECTION', { outcome: 'PASS' });
    const { body } = await record(inspector('SD'), id, 'PORT_VERIFICATION', { outcome: 'PASS' });
    return { id, release: body.release as { certificateNo: string; digest: string; jws: string } };
  }
  const verify = (no: string) => call(certificates, 'GET /certificates/{no}', { params: { no } });
  /** What anyone is told about certificate `no`: genuine and unaltered, with `expected` besides. */
  async function expectGenuine(no: string, expected: Record<string, unknown>) {
    const check = await verify(no);
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ certificateNo: no, genuine: true, unaltered: true, ...expected });
    return check.body;
  }

  it('proves a certificate genuine and unaltered without a key, and notices tampering', async () => {
    const { id, release } = await released();
    const no = release.certificateNo;
    const { content } = await expectGenuine(no, { digest: release.digest, content: { declarationId: id, bureau: 'GS' } });

    // The number's item leads to the declaration; the certificate is its release, not a second copy.
    const { Item: numberItem } = await dynamo.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.certificate(no) }));
    expect(numberItem).toMatchObject({ declarationId: id });
    expect(numberItem).not.toHaveProperty('content');
    expect(numberItem).not.toHaveProperty('jws');

    // Tampering with what the release stores: a changed payload, then a forged signature.
    const [protectedHeader, , jwsSignature] = release.jws.split('.');
    const altered = Buffer.from(canonicalJson({ ...content, totalValueUsd: 1 })).toString('base64url');
    await dynamo.send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.declaration(id),
        UpdateExpression: 'SET #release.jws = :jws',
        ExpressionAttributeNames: { '#release': 'release' },
        ExpressionAttributeValues: { ':jws': `${protectedHeader}.${altered}.${jwsSignature}` },
      }),
    );
    expect((await verify(no)).body).toMatchObject({ genuine: true, unaltered: false, content: { totalValueUsd: 1 } });
    await dynamo.send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.declaration(id),
        UpdateExpression: 'SET #release.signature = :s',
        ExpressionAttributeNames: { '#release': 'release' },
        ExpressionAttributeValues: { ':s': 'forged' },
      }),
    );
    expect((await verify(no)).body.genuine).toBe(false);

    expect((await verify('CWGS20260101ZZZZZZZZZZZZ')).status).toBe(404);
    expect((await verify('nope')).status).toBe(404);
  });

  it('still verifies a certificate whose number item holds its own copy (issued before 2026-12-08), and notices tampering with it', async () => {
    const { id, release } = await released();
    const { content } = (await verify(release.certificateNo)).body;
    const no = `${release.certificateNo}X`;
    const legacyContent = { ...content, certificateNo: no };
    const digest = digestOf(legacyContent);
    await dynamo.send(
      new PutCommand({
        TableName: process.env.TABLE_NAME,
        Item: {
          ...keys.certificate(no),
          itemType: 'certificate',
          content: legacyContent,
          digest,
          signature: sign(digest, await signingKey()),
        },
      }),
    );
    const legacy = await expectGenuine(no, { digest, content: { certificateNo: no, declarationId: id } });
    expect(legacy).not.toHaveProperty('jws');
    await dynamo.send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.certificate(no),
        UpdateExpression: 'SET content.totalValueUsd = :v',
        ExpressionAttributeValues: { ':v': 1 },
      }),
    );
    expect((await verify(no)).body).toMatchObject({ genuine: true, unaltered: false });
  });
});
