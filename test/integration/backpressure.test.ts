/**
 * Overload (contract section 16): when the work queues hold more than intake's limit, POST
 * /declarations and the batch answer 503 + Retry-After + a problem document and store nothing;
 * once the backlog drains they accept again. This file gives the handler its own queues and limit.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, call, enterprise } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';

const sqs = new SQSClient({ endpoint: process.env.CLEARWAY_SQS_ENDPOINT, useQueueUrlAsEndpoint: false });
let auditUrl: string;
let declarations: typeof import('../../functions/http/declarations.js').handler;
let enterprises: typeof import('../../functions/http/enterprises.js').handler;

// process.env outlives this file in its test worker: put back what the other files rely on.
const saved = { ...process.env };
afterAll(() => {
  for (const name of ['AUDIT_QUEUE_URL', 'NOTIFY_QUEUE_URL', 'CLEARWAY_INTAKE_MAX_BACKLOG']) process.env[name] = saved[name];
});

beforeAll(async () => {
  const suffix = Date.now().toString(36);
  auditUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bp-audit-${suffix}` }))).QueueUrl!;
  const notifyUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bp-notify-${suffix}` }))).QueueUrl!;
  Object.assign(process.env, { AUDIT_QUEUE_URL: auditUrl, NOTIFY_QUEUE_URL: notifyUrl, CLEARWAY_INTAKE_MAX_BACKLOG: '20' });
  ({ handler: declarations } = await import('../../functions/http/declarations.js'));
  ({ handler: enterprises } = await import('../../functions/http/enterprises.js'));
});

async function newEnterprise() {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Busy Exporter', registeredBureau: 'SN' },
  });
  return { code, principal: enterprise(code) };
}

/** Posts until the sampled backlog reaches the handler (sampled in the background, at most once a second). */
async function postUntilRefused(post: () => Promise<{ status: number }>, deadlineMs = 15_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const res = await post();
    if (res.status !== 202 && res.status !== 200) return res;
    if (Date.now() > until) throw new Error('never refused');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function fillAuditQueue(batches: number) {
  for (let i = 0; i < batches; i++) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: auditUrl,
        Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: JSON.stringify({ declarationId: `dcl_${i}${j}` }) })),
      }),
    );
  }
}

/** Posts until the handler accepts again (the backlog is sampled at most once a second). */
async function postUntilAccepted(post: () => Promise<{ status: number }>, deadlineMs = 15_000) {
  const deadline = Date.now() + deadlineMs;
  let res: { status: number };
  do {
    await new Promise((r) => setTimeout(r, 300));
    res = await post();
  } while (res.status === 503 && Date.now() < deadline);
  return res;
}

describe('intake under overload', () => {
  it('refuses with 503, Retry-After and a problem document, stores nothing, and accepts again once drained', async () => {
    const { code, principal } = await newEnterprise();
    await fillAuditQueue(3);
    const body = declarationBody(code);
    const refused: any = await postUntilRefused(() =>
      call(declarations, 'POST /declarations', { principal, body: { ...body, clientRef: `warm-${Math.random()}` } }),
    );
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({
      status: 503,
      type: expect.stringContaining('unavailable'),
      retryAfterSeconds: expect.any(Number),
    });

    const again = await call(declarations, 'POST /declarations', { principal, body });
    expect(again.status).toBe(503);
    const batchRefused = await call(declarations, 'POST /declarations/batch', {
      principal,
      body: { declarations: [declarationBody(code)] },
    });
    expect(batchRefused.status).toBe(503);
    expect(batchRefused.headers['retry-after']).toBeDefined();

    await sqs.send(new PurgeQueueCommand({ QueueUrl: auditUrl }));
    const accepted: any = await postUntilAccepted(() => call(declarations, 'POST /declarations', { principal, body }));
    // 202, not 200: the refused attempts stored nothing, so this is the first filing of `body`.
    expect(accepted.status).toBe(202);
  });

  it('counts the work a consumer has received and not finished, not only what waits to be received', async () => {
    // A consumer that scales out takes messages far ahead of what it finishes: locally the audit
    // worker's pollers hold up to 50 batches. Those messages are invisible to
    // ApproximateNumberOfMessages, yet every new declaration queues behind them.
    const { code, principal } = await newEnterprise();
    await fillAuditQueue(3);
    const received: Message[] = [];
    while (received.length < 30) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: auditUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 120, WaitTimeSeconds: 1 }),
      );
      received.push(...Messages);
    }
    const refused: any = await postUntilRefused(() =>
      call(declarations, 'POST /declarations', { principal, body: { ...declarationBody(code), clientRef: `held-${Math.random()}` } }),
    );
    expect(refused.status).toBe(503);
    // (30 held here, plus what the earlier test's accepted filings queued)
    const counted = Number(/\((\d+) declarations and events are waiting/.exec(refused.body.detail)?.[1]);
    expect(counted).toBeGreaterThanOrEqual(30);

    // The consumer finishes (deletes) them: intake accepts again.
    for (let i = 0; i < received.length; i += 10) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: auditUrl,
          Entries: received.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    const accepted = await postUntilAccepted(() => call(declarations, 'POST /declarations', { principal, body: declarationBody(code) }));
    expect(accepted.status).toBe(202);
  });
});
