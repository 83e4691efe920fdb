import fs from 'node:fs/promises';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import defaultRuleSet from '../../config/default-ruleset.json' with { type: 'json' };
import { LambdaHost, sourceModule } from '../../local/lambda-host.js';
import { provision } from '../../local/provision.js';
import { SqsPoller } from '../../local/sqs-poller.js';
import { modelOf } from '../../local/template.js';
import { SendMessageCommand, SQSClient, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { handler as declarations } from '../../functions/http/declarations.js';
import { handler as enterprises } from '../../functions/http/enterprises.js';
import { handler as auditWorker } from '../../functions/audit-worker.js';
import { handler as rulesets } from '../../functions/http/rulesets.js';
import { seed } from '../../functions/seed.js';
import { simulate } from '../../shared/app/simulate.js';
import { getEvent } from '../../shared/adapters/outbox.js';
import { ruleSetStore } from '../../shared/adapters/ruleset-store.js';
import { admin, call, enterprise, lambdaContext, officer } from '../support/api.js';
import { declarationBody } from '../support/declarations.js';
import { newCreditCode } from '../support/fixtures.js';
import { drain } from '../support/queues.js';
import { enableMetering, meterSnapshot, resetMeter } from '../../shared/adapters/metering.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../../shared/adapters/aws.js';
import { keys } from '../../shared/adapters/keys.js';
import { auditBatchPorts, auditDeclaration, auditPorts, type AuditPorts } from '../../shared/app/audit.js';
import { messageOf } from '../../functions/audit-worker.js';

const rulesOfficer = officer('SD', 'rules');
const sqsRecord = (body: string, id = Math.random().toString(36)) => ({
  messageId: id,
  receiptHandle: id,
  body,
  attributes: { ApproximateReceiveCount: '1' },
});
const runAudit = (...bodies: string[]) => auditWorker({ Records: bodies.map((b) => sqsRecord(b)) } as any, lambdaContext);

async function submit(level: string, overrides: Parameters<typeof declarationBody>[1] = {}) {
  const code = newCreditCode();
  await call(enterprises, 'POST /enterprises', {
    principal: admin,
    body: { creditCode: code, name: 'Audit Co', registeredBureau: 'NM', creditLevel: level },
  });
  const res = await call(declarations, 'POST /declarations', { principal: enterprise(code), body: declarationBody(code, overrides) });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, code };
}
const read = async (id: string, code: string) =>
  (await call(declarations, 'GET /declarations/{id}', { principal: enterprise(code), params: { id } })).body;

beforeAll(async () => {
  await seed();
  await drain('Audit');
});

describe('audit worker', () => {
  it('releases a clean AA export on documents at once, with certificate, counters and event', async () => {
    await drain('Notify');
    const { id, code } = await submit('AA', {
      lines: [{ hsCode: '8471300000', description: 'laptops', quantity: 1, unit: 'PCS', valueUsd: 10 }],
    });
    // AA samples 1%: this test tolerates the rare sampled draw by checking the lane it got.
    expect((await runAudit(JSON.stringify({ declarationId: id }))).batchItemFailures).toEqual([]);
    const d = await read(id, code);
    if (d.decision.sampled) {
      // The rare 1% draw: then it must wait for origin inspection instead.
      expect(d).toMatchObject({ status: 'INSPECTION_REQUIRED', steps: [{ kind: 'ORIGIN_INSPECTION', bureau: 'HA' }] });
      return;
    }
    expect(d).toMatchObject({
      status: 'RELEASED',
      decision: { route: 'EXPORT_DIRECT', mode: 'DOCUMENT_RELEASE', ruleSetVersion: expect.any(Number), hits: [] },
    });
    expect(d.release).toMatchObject({
      bureau: 'HA',
      mode: 'DOCUMENT_RELEASE',
      certificateNo: expect.stringMatching(/^CWHA/),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(d.timeline.map((t: any) => t.status)).toEqual(['ACCEPTED', 'RELEASED']);
    const events = await Promise.all((await drain('Notify')).map((m) => getEvent(m.eventId)));
    expect(events.filter((e) => e?.data.declarationId === id).map((e) => e!.type)).toEqual(['declaration.released']);
  });

  it('requires inspection for a negative-list export and names the reasons', async () => {
    const { id, code } = await submit('AA', {
      lines: [{ hsCode: '0302110000', description: 'fresh trout', quantity: 5, unit: 'KG', valueUsd: 100 }],
      documents: [{ type: 'PRODUCER_RECORD', number: 'PR-1' }],
    });
    await runAudit(JSON.stringify({ declarationId: id }));
    const d = await read(id, code);
    expect(d).toMatchObject({ status: 'INSPECTION_REQUIRED', decision: { route: 'EXPORT_ORIGIN_AND_PORT', mode: 'INSPECTION' } });
    // Owed from the audit, due 24 h later (the region's default time limit).
    const owed = {
      status: 'PENDING',
      requiredSince: d.timeline[1].at,
      dueAt: new Date(Date.parse(d.timeline[1].at) + 86_400_000).toISOString(),
    };
    expect(d.steps).toEqual([
      { kind: 'ORIGIN_INSPECTION', bureau: 'HA', ...owed },
      { kind: 'PORT_VERIFICATION', bureau: 'SD', ...owed },
    ]);
    expect(d.decision.reasons[0]).toMatch(/export negative list/);
  });

  it('returns a declaration missing a required document, with the rule and reason', async () => {
    const { id, code } = await submit('A', {
      direction: 'IMPORT',
      lines: [{ hsCode: '0201100000', description: 'beef', quantity: 5, unit: 'KG', valueUsd: 100 }],
      documents: [],
    });
    await runAudit(JSON.stringify({ declarationId: id }));
    const d = await read(id, code);
    expect(d.status).toBe('RETURNED');
    expect(d.decision.hits.map((h: any) => h.ruleId)).toEqual(['IMP-QUARANTINE-PERMIT', 'IMP-FOOD-HEALTH-CERT']);
    expect(d.decision.reasons.join(' ')).toContain('ENTRY_QUARANTINE_PERMIT');
    expect(d.timeline.at(-1).detail).toContain('returned');
  });

  it('uses the credit at audit time: a blacklisting just before the audit counts', async () => {
    const { id, code } = await submit('AA');
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: officer('XJ', 'credit'),
      params: { code },
      body: { blacklisted: true, reason: 'case 17' },
    });
    await runAudit(JSON.stringify({ declarationId: id }));
    const d = await read(id, code);
    expect(d.decision).toMatchObject({ blacklisted: true, route: 'EXPORT_ORIGIN_AND_PORT', releaseBureau: 'SD' });
  });

  it("reads the filer's credit and the rule set while it reads the declaration when the message names the filer", async () => {
    const { id, code } = await submit('A');
    const startedAt = Date.now();
    const firstCalled: Record<string, number> = {};
    const seen = (what: string) => (firstCalled[what] ??= Date.now() - startedAt);
    // A declaration read that takes 300 ms: read after it, the credit and the rule set would start at 300 ms.
    const slowDeclaration: AuditPorts = {
      ...auditPorts,
      store: { ...auditPorts.store, get: (i) => new Promise((r) => setTimeout(r, 300)).then(() => auditPorts.store.get(i)) },
      enterprises: { get: (c) => (seen('credit'), auditPorts.enterprises.get(c)) },
      activeRuleSet: () => (seen('rule set'), auditPorts.activeRuleSet()),
    };
    expect(await auditDeclaration(id, slowDeclaration, { enterpriseId: code })).toMatchObject({ outcome: 'decided' });
    expect(firstCalled.credit).toBeLessThan(250);
    expect(firstCalled['rule set']).toBeLessThan(250);
    expect((await read(id, code)).status).not.toBe('ACCEPTED');
  });

  it("decides on the credit of the declaration's own filer, whoever the message names", async () => {
    const listed = await submit('AA');
    await call(enterprises, 'PUT /enterprises/{code}/credit', {
      principal: officer('XJ', 'credit'),
      params: { code: listed.code },
      body: { blacklisted: true, reason: 'case 18' },
    });
    const clean = await submit('AA');
    // The message names the clean filer for the blacklisted one's declaration.
    await runAudit(JSON.stringify({ declarationId: listed.id, enterpriseId: clean.code }));
    expect((await read(listed.id, listed.code)).decision).toMatchObject({ blacklisted: true, route: 'EXPORT_ORIGIN_AND_PORT' });
  });

  it('takes the filer a message names as a hint, and leaves out one that is not a short string', () => {
    const declarationId = 'dcl_01JABCDEFGHJKMNPQRSTVWXYZ0';
    expect(messageOf({ body: JSON.stringify({ declarationId, enterpriseId: '91350100M000100Y43' }) })).toEqual({
      declarationId,
      enterpriseId: '91350100M000100Y43',
    });
    for (const enterpriseId of [42, '', 'x'.repeat(65), null, { code: 'a' }]) {
      expect(messageOf({ body: JSON.stringify({ declarationId, enterpriseId, parkedRetry: true }) })).toEqual({
        declarationId,
        parkedRetry: true,
      });
    }
  });

  it('reads the active rule set once per batch and each enterprise once per batch, not once per declaration', async () => {
    const first = await submit('A');
    const filings = [first.id];
    for (let i = 0; i < 2; i++) {
      const res = await call(declarations, 'POST /declarations', { principal: enterprise(first.code), body: declarationBody(first.code) });
      filings.push(res.body.id);
    }
    const other = await submit('B');
    await ruleSetStore.activeCompiled(); // the version's body is cached per container: only the pointer is read per batch
    enableMetering();
    try {
      resetMeter();
      const result = await runAudit(...[...filings, other.id].map((declarationId) => JSON.stringify({ declarationId })));
      expect(result.batchItemFailures).toEqual([]);
      // One BatchGetItem for the four declarations with the rule set pointer, and one for the two
      // enterprises they name (eleven reads before the batch scope, seven before reads were
      // batched, three before the pointer was read with the declarations).
      const calls = meterSnapshot().dynamodb.calls;
      expect(calls.GetItem ?? 0).toBe(0);
      expect(calls.BatchGetItem).toBe(2);
      expect(calls.Query ?? 0).toBe(0);
      for (const id of filings) expect((await read(id, first.code)).status).not.toBe('ACCEPTED');
      expect((await read(other.id, other.code)).status).not.toBe('ACCEPTED');

      // The next batch reads both again: nothing is cached beyond a batch. Alone, the declaration
      // is read with the rule set pointer, then its enterprise; when the message names the filer,
      // all three are one request, and the transaction the only other.
      const later = await call(declarations, 'POST /declarations', {
        principal: enterprise(first.code),
        body: declarationBody(first.code),
      });
      resetMeter();
      await runAudit(JSON.stringify({ declarationId: later.body.id }));
      expect(meterSnapshot().dynamodb.calls).toEqual({ BatchGetItem: 2, TransactWriteItems: 1 });
      const named = await call(declarations, 'POST /declarations', {
        principal: enterprise(first.code),
        body: declarationBody(first.code),
      });
      resetMeter();
      await runAudit(JSON.stringify({ declarationId: named.body.id, enterpriseId: first.code }));
      expect(meterSnapshot().dynamodb.calls).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
      expect((await read(named.body.id, first.code)).status).not.toBe('ACCEPTED');
    } finally {
      enableMetering(false);
    }
  });

  it("reads a batch's declarations in one BatchGetItem, a large one (line chunks) whole, an unknown id as not found", async () => {
    const small = await submit('A');
    const more = await call(declarations, 'POST /declarations', { principal: enterprise(small.code), body: declarationBody(small.code) });
    const lines = Array.from({ length: 300 }, (_, i) => ({
      hsCode: '8471300000',
      description: `laptop ${i} ${'x'.repeat(480)}`,
      quantity: 1,
      unit: 'PCS',
      valueUsd: 1,
    }));
    const large = await call(declarations, 'POST /declarations', {
      principal: enterprise(small.code),
      body: declarationBody(small.code, { lines }),
    });
    expect(large.status).toBe(202);
    const unknown = 'dcl_00000000000000000000000000';
    await ruleSetStore.activeCompiled();
    enableMetering();
    try {
      resetMeter();
      const ids = [small.id, more.body.id as string, large.body.id as string];
      const result = await runAudit(...[...ids, unknown].map((declarationId) => JSON.stringify({ declarationId })));
      expect(result.batchItemFailures).toEqual([]);
      const calls = meterSnapshot().dynamodb.calls;
      // One BatchGetItem for the four (one Query each before) and the rule set pointer, one Query
      // for the large one's chunks, and one BatchGetItem for the one enterprise.
      expect(calls.BatchGetItem).toBe(2);
      expect(calls.Query).toBe(1);
      expect(calls.GetItem ?? 0).toBe(0);
      for (const id of ids) expect((await read(id, small.code)).status).not.toBe('ACCEPTED');
      expect((await read(large.body.id, small.code)).lines).toHaveLength(300);
    } finally {
      enableMetering(false);
    }
    // In one round again: the unknown id is not found, the others were audited already.
    const ports = auditBatchPorts();
    const outcomes = await Promise.all([unknown, small.id].map((id) => auditDeclaration(id, ports)));
    expect(outcomes.map((o) => o.outcome)).toEqual(['not-found', 'already-audited']);
  });

  it('fails only the record whose declaration cannot be read, not its batch-mates that were read with it', async () => {
    const good = await submit('A');
    const bad = await submit('A');
    // A header whose lines no longer parse (a poison item): its read throws.
    const setLines = (linesJson: string) =>
      dynamo.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.declaration(bad.id),
          UpdateExpression: 'SET linesJson = :lines',
          ExpressionAttributeValues: { ':lines': linesJson },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
    const { Attributes } = await setLines('[{"hsCode": ');
    try {
      const result = await auditWorker(
        {
          Records: [
            sqsRecord(JSON.stringify({ declarationId: bad.id }), 'bad'),
            sqsRecord(JSON.stringify({ declarationId: good.id }), 'good'),
          ],
        } as any,
        lambdaContext,
      );
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
      expect((await read(good.id, good.code)).status).not.toBe('ACCEPTED');
    } finally {
      await setLines(Attributes!.linesJson as string); // the region's other readers (simulations) read it too
    }
  });

  it('acts once on a redelivered or duplicated message', async () => {
    await drain('Notify');
    const { id, code } = await submit('B');
    const body = JSON.stringify({ declarationId: id });
    const results = await Promise.all([runAudit(body, body), runAudit(body), runAudit(body)]);
    expect(results.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    const d = await read(id, code);
    expect(d.timeline).toHaveLength(2);
    const events = await Promise.all((await drain('Notify')).map((m) => getEvent(m.eventId)));
    const types = events.filter((e) => e?.data.declarationId === id).map((e) => e!.type);
    // One decision event, and one step.required per step the decision requires: never twice.
    expect(types.filter((t) => t.startsWith('declaration.'))).toHaveLength(1);
    expect(types.filter((t) => t === 'step.required')).toHaveLength(d.steps.length);
    expect(types).toHaveLength(1 + d.steps.length);
  });

  it("audits a batch's declarations in one transaction, and one that another change overtook decides again on its own", async () => {
    const filings = [await submit('A')];
    for (let i = 0; i < 2; i++) {
      const res = await call(declarations, 'POST /declarations', {
        principal: enterprise(filings[0]!.code),
        body: declarationBody(filings[0]!.code),
      });
      filings.push({ id: res.body.id as string, code: filings[0]!.code });
    }
    const victim = filings[1]!.id;
    // Just before the pack commits, another change moves the victim's version (an officer's
    // edit, a concurrent audit): the pack is refused, the other two commit, the victim decides again.
    let overtaken = false;
    const store = {
      ...auditPorts.store,
      applyMany: async (ts: Parameters<NonNullable<typeof auditPorts.store.applyMany>>[0]) => {
        if (!overtaken) {
          overtaken = true;
          await dynamo.send(
            new UpdateCommand({
              TableName: tableName(),
              Key: keys.declaration(victim),
              // A new declaration's header has no version yet (version 0).
              UpdateExpression: 'SET #version = if_not_exists(#version, :zero) + :one',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            }),
          );
        }
        return auditPorts.store.applyMany!(ts);
      },
    };
    const ports = auditBatchPorts({ ...auditPorts, store });
    await ruleSetStore.activeCompiled();
    enableMetering();
    try {
      resetMeter();
      const outcomes = await Promise.all(filings.map(({ id }) => auditDeclaration(id, ports)));
      expect(outcomes.map((o) => o.outcome)).toEqual(['decided', 'decided', 'decided']);
      // The refused pack, the pack again without the victim, and the victim alone.
      expect(meterSnapshot().dynamodb.calls.TransactWriteItems).toBe(3);
    } finally {
      enableMetering(false);
    }
    expect(overtaken).toBe(true);
    for (const { id, code } of filings) {
      const d = await read(id, code);
      expect(d.status).not.toBe('ACCEPTED');
      expect(d.timeline).toHaveLength(2); // filed, audited: once
    }
  });

  it('fails only the poison message of a batch; the rest is audited', async () => {
    const { id, code } = await submit('B');
    const poison = sqsRecord('{"declarationId": 42}', 'poison');
    const good = sqsRecord(JSON.stringify({ declarationId: id }), 'good');
    const res = await auditWorker({ Records: [poison, good, sqsRecord('not json', 'poison2')] } as any, lambdaContext);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }, { itemIdentifier: 'poison2' }]);
    expect((await read(id, code)).status).not.toBe('ACCEPTED');
  });

  it('parks a poison message in the dead-letter queue after maxReceiveCount while the rest of its batch goes through', async () => {
    // The template's audit queue pair, with a 1 s visibility timeout instead of 180 s so that the
    // five receives happen within the test; the poller is local mode's event source mapping.
    const template = modelOf(JSON.parse(await fs.readFile(inject('templateFile'), 'utf8')));
    const mapping = template.eventSources.find((m) => template.functions.get(m.functionId)?.entry === 'functions/audit-worker.ts')!;
    const auditQueue = template.queues.find((q) => q.logicalId === mapping.queueId)!;
    const model = {
      ...template,
      tables: [],
      queues: template.queues
        .filter((q) => q === auditQueue || q.logicalId === auditQueue.deadLetter!.targetLogicalId)
        .map((q) => ({ ...q, visibilityTimeoutS: 1 })),
    };
    const provisioned = await provision(
      model,
      { dynamo: process.env.CLEARWAY_DYNAMODB_ENDPOINT!, sqs: process.env.CLEARWAY_SQS_ENDPOINT! },
      `dlq${Date.now()}`,
    );
    const url = provisioned.queueUrls.get(auditQueue.logicalId)!;
    const dlqUrl = provisioned.queueUrls.get(auditQueue.deadLetter!.targetLogicalId)!;
    const sqs = new SQSClient({ endpoint: process.env.CLEARWAY_SQS_ENDPOINT, useQueueUrlAsEndpoint: false });
    const { id, code } = await submit('B');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ declarationId: id }) }));
    const host = new LambdaHost(template.functions, sourceModule(process.cwd()));
    const poller = new SqsPoller(
      process.env.CLEARWAY_SQS_ENDPOINT!,
      { ...mapping, maxConcurrency: 1 },
      url,
      provisioned.queueArns.get(auditQueue.logicalId)!,
      host,
    );
    poller.start();
    let parked: string[] = [];
    for (let i = 0; i < 40 && parked.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
      parked = Messages.map((m) => m.Body!);
    }
    await poller.stop();
    sqs.destroy();
    expect(parked).toEqual(['poison']);
    expect((await read(id, code)).status).not.toBe('ACCEPTED');
    expect(auditQueue.deadLetter!.maxReceiveCount).toBe(5);
  });
});

describe('rule set lifecycle', () => {
  const ruleSet = (extra: object = {}) => ({
    description: 'stricter B',
    negativeLists: { export: ['0302'], import: ['01'] },
    sampling: { AA: 0, A: 0, B: 1, C: 1, D: 1 },
    rules: [
      {
        id: 'all-road',
        description: 'road imports go to the port',
        when: { field: 'transport', op: 'eq', value: 'ROAD' },
        then: [{ inspect: 'PORT' }],
      },
    ],
    ...extra,
  });

  it('drafts (rules role only), validates every fault, simulates, publishes atomically, and keeps versions immutable', async () => {
    expect((await call(rulesets, 'POST /rulesets', { principal: officer('SD', 'credit'), body: ruleSet() })).status).toBe(403);
    const bad = await call(rulesets, 'POST /rulesets', { principal: rulesOfficer, body: ruleSet({ sampling: { AA: 2 } }) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toEqual(expect.arrayContaining(['sampling.AA', 'sampling.B']));

    const before = (await call(rulesets, 'GET /rulesets/active', { principal: rulesOfficer })).body.version;
    const created = await call(rulesets, 'POST /rulesets', { principal: rulesOfficer, body: ruleSet() });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ version: expect.any(Number), status: 'DRAFT' });
    const version = created.body.version;

    await submit('B');
    const sim = await call(rulesets, 'POST /rulesets/{version}/simulate', {
      principal: rulesOfficer,
      params: { version: String(version) },
    });
    expect(sim.status).toBe(200);
    expect(sim.body.evaluated).toBeGreaterThan(0);
    expect(sim.body.laneMix.draft.INSPECTION).toBeGreaterThan(0);
    expect(sim.body.changed.length).toBeGreaterThan(0);
    expect(Object.keys(sim.body.inspectionWorkload.draft).length).toBeGreaterThan(0);
    // Expected inspections per bureau against each bureau's daily capacity (region config).
    const capacity = sim.body.inspectionCapacity;
    expect(capacity.bureaus.map((b: { bureau: string }) => b.bureau)).toEqual(expect.arrayContaining(['SD', 'HA', 'XJ']));
    const sd = capacity.bureaus.find((b: { bureau: string }) => b.bureau === 'SD');
    expect(sd.dailyCapacity).toBe(4000);
    expect(sd.expectedPerDay.draft).toBeCloseTo((sim.body.inspectionWorkload.draft.SD ?? 0) / capacity.periodDays, 0);
    expect(sd.utilisation.draft).toBeCloseTo(sd.expectedPerDay.draft / 4000, 2);

    // The active rule set is global and other files run in parallel: restore the default whatever happens.
    try {
      const published = await call(rulesets, 'POST /rulesets/{version}/publish', {
        principal: rulesOfficer,
        params: { version: String(version) },
      });
      expect(published.body).toMatchObject({ version, status: 'PUBLISHED', active: true });
      expect((await call(rulesets, 'GET /rulesets/active', { principal: officer('XJ', 'inspector') })).body.version).toBe(version);
      expect(
        (await call(rulesets, 'GET /rulesets/{version}', { principal: admin, params: { version: String(before) } })).body,
      ).toMatchObject({ version: before, active: false, status: 'PUBLISHED' });
      expect(
        (await call(rulesets, 'POST /rulesets/{version}/publish', { principal: rulesOfficer, params: { version: String(version) } }))
          .status,
      ).toBe(409);
      const listed = await call(rulesets, 'GET /rulesets', { principal: officer('HA', 'stats') });
      expect(listed.body.items[0]).toMatchObject({ version, status: 'PUBLISHED', active: true });
      expect(listed.body.items.find((v: { version: number }) => v.version === before)).toMatchObject({ active: false });

      // Every bureau audits with it at once: the next audit names the new version.
      const { id, code } = await submit('B');
      await runAudit(JSON.stringify({ declarationId: id }));
      expect((await read(id, code)).decision).toMatchObject({ ruleSetVersion: version, sampled: true, mode: 'INSPECTION' });

      // And the credit lookup promises what the audit does.
      const credit = await call(enterprises, 'GET /enterprises/{code}/credit', { principal: admin, params: { code } });
      expect(credit.body).toMatchObject({ ruleSetVersion: version, measures: { samplingRate: 1, documentRelease: false } });
    } finally {
      const restore = await call(rulesets, 'POST /rulesets', { principal: rulesOfficer, body: defaultRuleSet });
      await call(rulesets, 'POST /rulesets/{version}/publish', {
        principal: rulesOfficer,
        params: { version: String(restore.body.version) },
      });
    }
  });

  it('answers a simulation that runs out of time with what it evaluated, marked truncated', async () => {
    const created = await call(rulesets, 'POST /rulesets', { principal: rulesOfficer, body: defaultRuleSet });
    await submit('B');
    const result = await simulate(created.body.version, { limit: 100 }, new Date(), 0);
    expect(result).toMatchObject({ truncated: true, evaluated: 0 });
    const full = await simulate(created.body.version, { limit: 100 });
    expect(full.truncated).toBe(false);
    expect(full.evaluated).toBeGreaterThan(0);
  });

  it('simulates a draft again without reading its body (up to 1 MiB) again', async () => {
    const created = await call(rulesets, 'POST /rulesets', { principal: rulesOfficer, body: defaultRuleSet });
    await submit('B');
    const reads = vi.spyOn(ruleSetStore, 'get');
    try {
      const first = await simulate(created.body.version, { limit: 20 });
      expect(reads.mock.calls.filter(([v]) => v === created.body.version)).toHaveLength(1);
      reads.mockClear();
      const again = await simulate(created.body.version, { limit: 20 });
      expect(reads.mock.calls.filter(([v]) => v === created.body.version)).toHaveLength(0);
      expect(again.laneMix).toEqual(first.laneMix);
    } finally {
      reads.mockRestore();
    }
  });

  it('hides rule sets from enterprises and answers 404 for an unknown version', async () => {
    expect((await call(rulesets, 'GET /rulesets/active', { principal: enterprise(newCreditCode()) })).status).toBe(403);
    expect((await call(rulesets, 'GET /rulesets/{version}', { principal: admin, params: { version: '99999' } })).status).toBe(404);
    expect((await call(rulesets, 'GET /rulesets/{version}', { principal: admin, params: { version: 'abc' } })).status).toBe(400);
  });
});
