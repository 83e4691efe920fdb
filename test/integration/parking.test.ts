/**
 * Issue 9: a declaration whose audit keeps failing is not redriven silently for ever. Against
 * DynamoDB Local and the SQS emulator, through the real audit worker, redrive sweep and API
 * handlers: the enterprise of this declaration is not registered (what a bad data fix or a
 * half-finished migration leaves), so every audit attempt throws. After MAX_AUDIT_FAILURES attempts
 * it is parked, listed for the command center, left alone by the sweep and the worker; once the
 * cause is fixed (the enterprise registered) an operator's redrive audits it exactly once.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { redrive } from '../../functions/redrive.js';
import { seed } from '../../functions/seed.js';
import { dynamo, tableName } from '../../shared/adapters/aws.js';
import { keys } from '../../shared/adapters/keys.js';
import { MAX_AUDIT_FAILURES } from '../../shared/config.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const commandCenter = officer('SD', 'stats');
/** One delivery of the declaration's audit message: `failed` is what makes SQS deliver it again. */
const auditOnce = async (id: string) => {
  const event = { Records: [{ messageId: `m-${id}-${Math.random()}`, body: JSON.stringify({ declarationId: id }) }] };
  try {
    const res = await auditWorker(event as never, lambdaContext);
    return (res as { batchItemFailures: unknown[] }).batchItemFailures.length === 0 ? 'done' : 'failed';
  } catch (error) {
    // Powertools throws when every record of the batch failed (here: its only one).
    if ((error as Error).name === 'FullBatchFailureError') return 'failed';
    throw error;
  }
};
const header = async (id: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName(), Key: keys.declaration(id), ConsistentRead: true }))).Item!;
const parkedIds = async () => {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await call(declarations, 'GET /declarations/parked', {
      principal: commandCenter,
      query: { limit: '100', ...(cursor ? { cursor } : {}) },
    });
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((i: { declarationId: string }) => i.declarationId));
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return ids;
};

beforeAll(async () => {
  await seed();
});

describe('parking a declaration whose audit keeps failing', () => {
  let code: string;
  let id: string;

  it('answers 202, then every audit attempt fails and is counted; the last one parks it (and its message is done)', async () => {
    code = newCreditCode(); // never registered: the audit cannot find the enterprise's credit
    const filed = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code) });
    expect(filed.status).toBe(202);
    id = filed.body.id;
    for (let attempt = 1; attempt < MAX_AUDIT_FAILURES; attempt++) {
      expect(await auditOnce(id), `attempt ${attempt}`).toBe('failed');
      expect((await header(id)).auditFailures).toMatchObject({ count: attempt });
    }
    expect(await auditOnce(id)).toBe('done');
    const item = await header(id);
    expect(item).toMatchObject({ status: 'ACCEPTED', gsi2pk: keys.parked, auditFailures: { count: MAX_AUDIT_FAILURES } });
    expect(item.auditFailures.lastError).toContain('is not registered');
  });

  it('is visible: in GET /declarations/parked (command center) with the cause, and parked in the declaration itself', async () => {
    const list = await call(declarations, 'GET /declarations/parked', { principal: commandCenter, query: { limit: '100' } });
    expect(await parkedIds()).toContain(id);
    const entry = list.body.items.find((i: { declarationId: string }) => i.declarationId === id) ?? (await parkedEntry(id));
    expect(entry).toMatchObject({
      enterpriseId: code,
      failedAttempts: MAX_AUDIT_FAILURES,
      lastError: expect.stringContaining('is not registered'),
      links: { redrive: expect.stringMatching(new RegExp(`/declarations/${id}/redrive$`)) },
    });
    const own = await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id } });
    expect(own.body).toMatchObject({ status: 'ACCEPTED', parked: { failedAttempts: MAX_AUDIT_FAILURES } });
    expect(JSON.stringify(own.body)).not.toContain('is not registered');
    expect(own.body.timeline.at(-1).detail).toContain('parked');
    // Enterprises and other officers do not list or redrive.
    expect((await call(declarations, 'GET /declarations/parked', { principal: enterprise(code) })).status).toBe(403);
    expect((await call(declarations, 'GET /declarations/parked', { principal: officer('SD', 'inspector') })).status).toBe(403);
    expect((await call(declarations, 'POST /declarations/{id}/redrive', { principal: enterprise(code), params: { id } })).status).toBe(403);
  });

  it('is not redriven by the sweep, and a message that still arrives does not attempt it', async () => {
    const before = await header(id);
    const swept = await redrive(new Date(Date.now() + 60 * 60_000));
    expect(swept.parked).toBeGreaterThanOrEqual(1);
    const after = await header(id);
    expect(after.gsi2sk).toBe(before.gsi2sk);
    expect(after.redriveCount).toBe(before.redriveCount);
    expect(await auditOnce(id)).toBe('done');
    expect((await header(id)).auditFailures).toEqual(before.auditFailures);
    expect((await header(id)).version).toBe(before.version);
  });

  it('after the fix, a redrive audits it exactly once; a declaration that is not parked is a 409, an unknown one a 404', async () => {
    const registered = await call(enterprises, 'POST /enterprises', {
      principal: admin,
      body: { creditCode: code, name: 'Fixed Co', registeredBureau: 'SD', creditLevel: 'B' },
    });
    expect(registered.status).toBe(201);
    const redriven = await call(declarations, 'POST /declarations/{id}/redrive', { principal: commandCenter, params: { id } });
    expect(redriven.status).toBe(202);
    expect(redriven.body).toMatchObject({ id, status: 'ACCEPTED' });
    expect(redriven.body.parked).toBeUndefined();
    expect(redriven.body.timeline.at(-1).detail).toBe('redriven by an officer of SD; queued for audit again');
    expect(await parkedIds()).not.toContain(id);
    expect((await header(id)).gsi2pk).toBe(keys.stranded(id));

    expect(await auditOnce(id)).toBe('done');
    expect(await auditOnce(id)).toBe('done'); // a duplicate: already audited
    const read = await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id } });
    expect(read.body.status).not.toBe('ACCEPTED');
    const audits = read.body.timeline.filter((e: { status: string }) => e.status !== 'ACCEPTED');
    expect(audits).toHaveLength(1);
    expect((await header(id)).gsi2pk).toBeUndefined();

    const again = await call(declarations, 'POST /declarations/{id}/redrive', { principal: admin, params: { id } });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const unknown = await call(declarations, 'POST /declarations/{id}/redrive', {
      principal: admin,
      params: { id: 'dcl_00000000000000000000000000' },
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses a hand-made cursor with a 400', async () => {
    const bad = Buffer.from(JSON.stringify({ pk: 'DECL#x', sk: 'DECL', gsi2pk: 'STRANDED#1', gsi2sk: 'y' })).toString('base64url');
    const res = await call(declarations, 'GET /declarations/parked', { principal: admin, query: { cursor: bad } });
    expect(res.status).toBe(400);
  });
});

async function parkedEntry(id: string) {
  let cursor: string | undefined;
  do {
    const res = await call(declarations, 'GET /declarations/parked', {
      principal: commandCenter,
      query: { limit: '100', ...(cursor ? { cursor } : {}) },
    });
    const entry = res.body.items.find((i: { declarationId: string }) => i.declarationId === id);
    if (entry) return entry;
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}
