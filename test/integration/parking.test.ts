/**
 * Issue 9: a declaration whose audit keeps failing is not redriven silently for ever. Against
 * DynamoDB Local and the SQS emulator, through the real audit worker, redrive sweep and API
 * handlers: the enterprise of this declaration is not registered (what a bad data fix or a
 * half-finished migration leaves), so every audit attempt throws. After MAX_AUDIT_FAILURES attempts
 * it is parked, listed for the command center, skipped by ordinary audit messages, and retried by
 * the redrive sweep only on its slow backoff (CLEARWAY_PARKED_RETRY_AFTER_S); once the cause is
 * fixed (the enterprise registered) an operator's redrive, or the next automatic retry, audits it
 * exactly once.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as officers } from '../../functions/http/officers.js';
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
const auditOnce = async (id: string, message: Record<string, unknown> = { declarationId: id }) => {
  const event = { Records: [{ messageId: `m-${id}-${Math.random()}`, body: JSON.stringify(message) }] };
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
    const res = await call(officers, 'GET /declarations/parked', {
      principal: commandCenter,
      query: { limit: '100', ...(cursor ? { cursor } : {}) },
    });
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((i: { declarationId: string }) => i.declarationId));
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return ids;
};

/** The slow automatic retry period of parked declarations, short here (the default is an hour). */
const RETRY_AFTER_S = 600;
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000);
const previousRetryAfter = process.env.CLEARWAY_PARKED_RETRY_AFTER_S;

/** Fails every audit attempt of a new declaration (its enterprise is not registered) until it is parked. */
async function parkNewDeclaration(code: string): Promise<string> {
  const filed = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code) });
  expect(filed.status).toBe(202);
  for (let attempt = 1; attempt < MAX_AUDIT_FAILURES; attempt++) expect(await auditOnce(filed.body.id)).toBe('failed');
  expect(await auditOnce(filed.body.id)).toBe('done');
  expect((await header(filed.body.id)).gsi2pk).toBe(keys.parked);
  return filed.body.id;
}

beforeAll(async () => {
  process.env.CLEARWAY_PARKED_RETRY_AFTER_S = String(RETRY_AFTER_S);
  await seed();
});
afterAll(() => {
  if (previousRetryAfter === undefined) delete process.env.CLEARWAY_PARKED_RETRY_AFTER_S;
  else process.env.CLEARWAY_PARKED_RETRY_AFTER_S = previousRetryAfter;
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
    const list = await call(officers, 'GET /declarations/parked', { principal: commandCenter, query: { limit: '100' } });
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
    expect((await call(officers, 'GET /declarations/parked', { principal: enterprise(code) })).status).toBe(403);
    expect((await call(officers, 'GET /declarations/parked', { principal: officer('SD', 'inspector') })).status).toBe(403);
    expect((await call(officers, 'POST /declarations/{id}/redrive', { principal: enterprise(code), params: { id } })).status).toBe(403);
  });

  it('is not retried by the sweep before CLEARWAY_PARKED_RETRY_AFTER_S, and an ordinary message that still arrives does not attempt it', async () => {
    const before = await header(id);
    const swept = await redrive(inMinutes(RETRY_AFTER_S / 60 / 2));
    expect(swept.parked).toBeGreaterThanOrEqual(1);
    const after = await header(id);
    expect(after.gsi2sk).toBe(before.gsi2sk);
    expect(after.redriveCount).toBe(before.redriveCount);
    expect(await auditOnce(id)).toBe('done');
    expect((await header(id)).auditFailures).toEqual(before.auditFailures);
    expect((await header(id)).version).toBe(before.version);
  });

  it('is retried by the sweep after CLEARWAY_PARKED_RETRY_AFTER_S, once per period; a retry that fails again leaves it parked and listed', async () => {
    const before = await header(id);
    const at = inMinutes(RETRY_AFTER_S / 60 + 1);
    const swept = await redrive(at);
    expect(swept.parkedRetried).toBeGreaterThanOrEqual(1);
    const claimed = await header(id);
    expect(claimed.gsi2pk).toBe(keys.parked); // still parked while the retry runs
    expect(claimed.gsi2sk).toBe(keys.parkedSort(at.toISOString(), id));
    // The same period again: not retried twice.
    await redrive(new Date(at.getTime() + 60_000));
    expect((await header(id)).gsi2sk).toBe(claimed.gsi2sk);

    // The queued retry (what the sweep sent) fails again: counted, message done, still parked.
    expect(await auditOnce(id, { declarationId: id, parkedRetry: true })).toBe('done');
    const after = await header(id);
    expect(after).toMatchObject({ status: 'ACCEPTED', gsi2pk: keys.parked });
    expect(after.auditFailures).toMatchObject({ count: before.auditFailures.count + 1, parkedAt: before.auditFailures.parkedAt });
    expect(after.auditFailures.lastError).toContain('is not registered');
    expect(await parkedIds()).toContain(id);
    expect((await redrive(at)).parked).toBeGreaterThanOrEqual(1); // still counted for the alarm
  });

  it('after the fix, a redrive audits it exactly once; a declaration that is not parked is a 409, an unknown one a 404', async () => {
    const registered = await call(enterprises, 'POST /enterprises', {
      principal: admin,
      body: { creditCode: code, name: 'Fixed Co', registeredBureau: 'SD', creditLevel: 'B' },
    });
    expect(registered.status).toBe(201);
    const redriven = await call(officers, 'POST /declarations/{id}/redrive', { principal: commandCenter, params: { id } });
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

    const again = await call(officers, 'POST /declarations/{id}/redrive', { principal: admin, params: { id } });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const unknown = await call(officers, 'POST /declarations/{id}/redrive', {
      principal: admin,
      params: { id: 'dcl_00000000000000000000000000' },
    });
    expect(unknown.status).toBe(404);
  });

  it('once the cause is fixed, the next automatic retry audits it exactly once and it leaves the parked list', async () => {
    const fixedLater = newCreditCode();
    const parked = await parkNewDeclaration(fixedLater);
    const registered = await call(enterprises, 'POST /enterprises', {
      principal: admin,
      body: { creditCode: fixedLater, name: 'Fixed Later Co', registeredBureau: 'SD', creditLevel: 'B' },
    });
    expect(registered.status).toBe(201);
    // Fixed, but before the period nothing retries it.
    await redrive(inMinutes(RETRY_AFTER_S / 60 / 2));
    expect((await header(parked)).gsi2sk).toBe(keys.parkedSort((await header(parked)).auditFailures.parkedAt, parked));
    const at = inMinutes(RETRY_AFTER_S / 60 + 1);
    expect((await redrive(at)).parkedRetried).toBeGreaterThanOrEqual(1);
    expect((await header(parked)).gsi2sk).toBe(keys.parkedSort(at.toISOString(), parked));

    const retry = { declarationId: parked, parkedRetry: true };
    expect(await auditOnce(parked, retry)).toBe('done');
    expect(await auditOnce(parked, retry)).toBe('done'); // a duplicate: already audited
    const read = await call(declarations, 'GET /declarations/{id}', { principal: admin, params: { id: parked } });
    expect(read.body.status).not.toBe('ACCEPTED');
    expect(read.body.parked).toBeUndefined();
    expect(read.body.timeline.filter((e: { status: string }) => e.status !== 'ACCEPTED')).toHaveLength(1);
    expect((await header(parked)).gsi2pk).toBeUndefined();
    expect(await parkedIds()).not.toContain(parked);
  });

  it('refuses a hand-made cursor with a 400', async () => {
    const bad = Buffer.from(JSON.stringify({ pk: 'DECL#x', sk: 'DECL', gsi2pk: 'STRANDED#1', gsi2sk: 'y' })).toString('base64url');
    const res = await call(officers, 'GET /declarations/parked', { principal: admin, query: { cursor: bad } });
    expect(res.status).toBe(400);
  });
});

async function parkedEntry(id: string) {
  let cursor: string | undefined;
  do {
    const res = await call(officers, 'GET /declarations/parked', {
      principal: commandCenter,
      query: { limit: '100', ...(cursor ? { cursor } : {}) },
    });
    const entry = res.body.items.find((i: { declarationId: string }) => i.declarationId === id);
    if (entry) return entry;
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}
