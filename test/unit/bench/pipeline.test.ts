/**
 * bench:pipeline's own arithmetic and checks: percentiles, the chart, the webhook signature check
 * (a forged or stale message must be refused), the workload mix, the meter deltas and the cost model.
 */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { percentile, perSecondPercentiles, ratesOf, summarize, type Sample } from '../../../bench/pipeline/stats.js';
import { niceMax, renderChart } from '../../../bench/pipeline/chart.js';
import { verifyDelivery } from '../../../bench/pipeline/receiver.js';
import { INTENTS, LEVELS, lineCount, planDeclaration, seeded, type BenchEnterprise } from '../../../bench/pipeline/mix.js';
import { budgetOf, friendlyName, meterDelta, type Snapshot } from '../../../bench/pipeline/meters.js';
import { costPerMillion } from '../../../bench/pipeline/cost.js';
import { PRICES } from '../../../bench/pipeline/prices.js';
import { outcomeFor } from '../../../bench/pipeline/officers.js';
import { refusalReason } from '../../../bench/pipeline/submit.js';
import { cpuPerDeclaration, parseProcStat, processTreeCpu } from '../../../bench/pipeline/process-cpu.js';
import { admissionDecision } from '../../../shared/app/admission.js';
import { declarationInput } from '../../../shared/schemas/declaration.js';
import { KNOWN_GOOD_CREDIT_CODES } from '../../support/fixtures.js';
import type { Meter } from '../../../shared/adapters/metering.js';

describe('percentiles', () => {
  it('uses the nearest rank, so p99 of 100 values is the 99th and p100 the max', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted input without changing it', () => {
    const input = [900, 100, 500, 300, 700];
    const s = summarize(input);
    expect(s).toEqual({ count: 5, p50: 500, p95: 900, p99: 900, max: 900, mean: 500 });
    expect(input).toEqual([900, 100, 500, 300, 700]);
  });

  it('buckets completed latencies by the second they completed in', () => {
    const b = perSecondPercentiles(
      [
        { at: 0.2, ms: 100 },
        { at: 0.9, ms: 300 },
        { at: 2.5, ms: 50 },
        { at: 9, ms: 1 }, // outside the run: ignored
      ],
      3,
    );
    expect(b.map((x) => x.n)).toEqual([2, 0, 1]);
    expect(b[0]).toMatchObject({ p50: 100, p99: 300 });
  });

  it('turns cumulative counters into per-second rates', () => {
    const samples = [1, 2, 3].map((t) => ({ t, offered: t * 10, accepted: t * 9, refused: 0, errors: 0, webhooks: t * 8, backlog: 0, atOfficers: 0 }));
    expect(ratesOf(samples, 'offered')).toEqual([10, 10, 10]);
    expect(ratesOf(samples, 'webhooks')).toEqual([8, 8, 8]);
  });
});

describe('chart', () => {
  const samples: Sample[] = Array.from({ length: 10 }, (_, i) => ({
    t: i + 1,
    offered: (i + 1) * 50,
    accepted: (i + 1) * 45,
    refused: (i + 1) * 5,
    errors: 0,
    webhooks: (i + 1) * 40,
    backlog: 10 - i,
    atOfficers: 3,
    queued: 12,
  }));
  const svg = renderChart({
    title: 'test <run> & co',
    samples,
    documentRelease: samples.map((s) => ({ at: s.t - 0.5, ms: 200 + s.t })),
    inspectedRelease: [{ at: 4.5, ms: 800 }],
  });

  it('is one SVG document with three panels and a line per series', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    for (const title of ['POST → webhook latency', 'Throughput', 'Backlog']) expect(svg).toContain(title);
    // p50, p99, step→release, offered, accepted, refused, webhooks, undecided, at officers, queued
    expect(svg.match(/<polyline/g)).toHaveLength(10);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('escapes text', () => {
    expect(svg).toContain('test &lt;run&gt; &amp; co');
  });

  it('rounds axes up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.7, 3, 7, 42, 999, 1001].map(niceMax)).toEqual([1, 1, 5, 10, 50, 1000, 2000]);
  });
});

describe('webhook signature check', () => {
  const secret = `whsec_${Buffer.from('a bench secret of 32 bytes......').toString('base64')}`;
  const body = JSON.stringify({ type: 'declaration.released', timestamp: new Date().toISOString(), data: { declarationId: 'd1' } });
  const signed = (payload: string, at = new Date(), key = secret) => {
    const id = 'msg_1';
    return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(id, at, payload) };
  };

  it('accepts a correctly signed message and returns its event', () => {
    expect(verifyDelivery(secret, body, signed(body))).toMatchObject({ type: 'declaration.released', data: { declarationId: 'd1' } });
  });

  it('refuses a changed body, another secret, a stale timestamp and a missing signature', () => {
    const headers = signed(body);
    expect(() => verifyDelivery(secret, body.replace('d1', 'd2'), headers)).toThrow();
    const other = `whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`;
    expect(() => verifyDelivery(secret, body, signed(body, new Date(), other))).toThrow();
    expect(() => verifyDelivery(secret, body, signed(body, new Date(Date.now() - 3600_000)))).toThrow();
    expect(() => verifyDelivery(secret, body, { ...headers, 'webhook-signature': undefined })).toThrow();
  });

  it('accepts a message carrying two signatures (secret rotation) when one is good', () => {
    const headers = signed(body);
    const rotated = { ...headers, 'webhook-signature': `v1,${Buffer.from('x'.repeat(32)).toString('base64')} ${headers['webhook-signature']}` };
    expect(verifyDelivery(secret, body, rotated)).toMatchObject({ type: 'declaration.released' });
  });
});

describe('workload mix', () => {
  const enterprises: BenchEnterprise[] = LEVELS.map((level, i) => ({ code: KNOWN_GOOD_CREDIT_CODES[i]!, key: `k${i}`, level }));

  it('files only declarations the API accepts, over every intent and level, 1–20 lines, reproducibly', () => {
    const rng = seeded(42);
    const plans = Array.from({ length: 2000 }, (_, i) => planDeclaration(rng, enterprises, `ref-${i}`));
    for (const p of plans.slice(0, 300)) expect(declarationInput.safeParse(p.body).error).toBeUndefined();
    expect(new Set(plans.map((p) => p.intent))).toEqual(new Set(INTENTS));
    expect(new Set(plans.map((p) => p.level))).toEqual(new Set(LEVELS));
    const lines = plans.map((p) => p.body.lines.length);
    expect(Math.min(...lines)).toBe(1);
    expect(Math.max(...lines)).toBe(20);
    // Most of it is meant for document release: direct exports and destination imports.
    const docRelease = plans.filter((p) => p.intent === 'EXPORT_DIRECT' || p.intent === 'IMPORT_DESTINATION').length;
    expect(docRelease / plans.length).toBeGreaterThan(0.8);
    const again = seeded(42);
    expect(planDeclaration(again, enterprises, 'ref-0').body).toEqual(plans[0]!.body);
    expect(plans.every((p) => p.body.enterpriseId === p.enterprise.code)).toBe(true);
  });

  it('keeps the filer and intent it is told to', () => {
    const rng = seeded(1);
    const p = planDeclaration(rng, enterprises, 'x', { enterprise: enterprises[4]!, intent: 'IMPORT_PORT' });
    expect(p.body.enterpriseId).toBe(enterprises[4]!.code);
    expect(p.body.direction).toBe('IMPORT');
    expect(p.body.lines.some((l) => ['8458', '7204', '3915'].some((prefix) => l.hsCode.startsWith(prefix)))).toBe(true);
  });

  it('draws line counts over all of 1..20, most of them small (the issue’s mix: 1–20 lines)', () => {
    const rng = seeded(3);
    const counts = Array.from({ length: 5000 }, () => lineCount(rng));
    expect(counts.every((n) => Number.isInteger(n))).toBe(true);
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(20);
    const mean = counts.reduce((a, n) => a + n, 0) / counts.length;
    expect(mean).toBeGreaterThan(5.5);
    expect(mean).toBeLessThan(8);
    expect(counts.filter((n) => n <= 5).length).toBeGreaterThan(counts.length / 2);
  });

  it('fails the same declarations every time, about the share asked', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `dcl_${i}`);
    const failed = ids.filter((id) => outcomeFor(id, 0.05) === 'FAIL');
    expect(failed.length / ids.length).toBeGreaterThan(0.03);
    expect(failed.length / ids.length).toBeLessThan(0.07);
    expect(ids.filter((id) => outcomeFor(id, 0.05) === 'FAIL')).toEqual(failed);
  });
});

describe('meters and cost', () => {
  const meter = (fn: string, invocations: number, calls: Record<string, number>, wcu: number, sqs: Record<string, number> = {}): Meter => ({
    function: fn,
    invocations,
    durationMs: invocations * 10,
    dynamodb: { calls, rcu: 1 * invocations, wcu, transactItems: 0, indexWrites: 0 },
    sqs: { calls: sqs, messages: sqs.SendMessageBatch ?? 0 },
  });
  const before: Snapshot = new Map([['ApiDeclarations', meter('ApiDeclarations', 10, { TransactWriteItems: 10 }, 100)]]);
  const after: Snapshot = new Map([
    ['ApiDeclarations', meter('ApiDeclarations', 30, { TransactWriteItems: 30 }, 300, { SendMessageBatch: 20, GetQueueAttributes: 7 })],
    ['Redrive', meter('Redrive', 5, { Query: 50 }, 0)],
    ['AuditWorker', meter('AuditWorker', 2, { TransactWriteItems: 20, GetItem: 20 }, 400)],
  ]);

  it('names functions without the CDK hash', () => {
    expect(friendlyName('ApiDeclarations1A2B3C4D')).toBe('ApiDeclarations');
    expect(friendlyName('AuditWorker')).toBe('AuditWorker');
  });

  it('takes the difference per function, and per declaration leaves out the schedule and the backlog sample', () => {
    const delta = meterDelta(before, after);
    expect(delta.get('ApiDeclarations')!.invocations).toBe(20);
    expect(delta.get('ApiDeclarations')!.dynamodb.calls).toEqual({ TransactWriteItems: 20 });
    const b = budgetOf(delta, 20, 20);
    expect(b.invocations).toEqual({ ApiDeclarations: 1, AuditWorker: 0.1 });
    expect(b.dynamodb.calls).toEqual({ TransactWriteItems: 2, GetItem: 1 });
    expect(b.dynamodb.totalCalls).toBe(3);
    expect(b.dynamodb.wcu).toBe(30); // (200 + 400) / 20
    expect(b.sqs.calls).toEqual({ SendMessageBatch: 1 });
    expect(b.apiRequests).toBe(1);
  });

  it('prices a budget per million declarations, service by service', () => {
    const b = budgetOf(meterDelta(before, after), 20, 20);
    const c = costPerMillion(b, new Map([['ApiDeclarations', 512], ['AuditWorker', 1024]]));
    expect(c.perMillion.dynamodbWrites).toBeCloseTo(30 * PRICES.dynamodb.writeRequestUnitPerMillion, 3);
    expect(c.perMillion.apiGateway).toBeCloseTo(PRICES.apiGatewayHttp.requestPerMillion, 6);
    expect(c.perMillion.lambdaRequests).toBeCloseTo(1.1 * PRICES.lambda.requestPerMillion, 6);
    // 10 ms at 512 MB + 1 ms (10 ms / 10 declarations) at 1024 MB
    expect(c.gbSeconds).toBeCloseTo(0.005 + 0.001, 6);
    expect(c.dominant).toBe('dynamodbWrites');
    expect(c.total).toBeCloseTo(Object.values(c.perMillion).reduce((a, v) => a + v, 0), 2);
  });
});

describe('refusal reasons', () => {
  const limits = { maxBacklog: 15, maxInFlight: 8, writeTargetMs: 100 };
  const detailOf = (signals: Parameters<typeof admissionDecision>[0]) =>
    `Clearway is at capacity (${admissionDecision(signals, limits)!.reason}); nothing was stored, submit again after 1 s`;
  it("names the admission signal that refused, from intake's own problem detail", () => {
    expect(refusalReason(detailOf({ inFlight: 8, backlog: 0 }))).toBe('in-flight');
    expect(refusalReason(detailOf({ inFlight: 2, backlog: 0, fastestRecentWriteMs: 180 }))).toBe('congestion');
    expect(refusalReason(detailOf({ inFlight: 0, backlog: 40 }))).toBe('backlog');
    expect(refusalReason('rate limited by the gateway')).toBe('other');
    expect(refusalReason(undefined)).toBe('other');
  });
});

describe('CPU per declaration, by process', () => {
  // Fields as Linux writes them: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number, children = [0, 0]) =>
    `${pid} (${comm}) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${children[0]} ${children[1]} 20 0 12 0 1000 0 0`;

  it('reads the parent and the CPU ticks (its exited children included), a command with spaces and parentheses too', () => {
    expect(parseProcStat(stat(42, 'node (worker) x', 7, 150, 50))).toEqual({ pid: 42, ppid: 7, comm: 'node (worker) x', cpuTicks: 200 });
    expect(parseProcStat(stat(42, 'node', 7, 150, 50, [30, 20]))?.cpuTicks).toBe(250);
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it("sums the platform's process tree, the JVM apart, and leaves other processes out", () => {
    const procs: Record<string, string> = {
      '10': stat(10, 'node', 1, 100, 0), // the platform
      '11': stat(11, 'node', 10, 300, 100), // tsx's child
      '12': stat(12, 'node', 11, 5, 5), // the emulator watchdog
      '13': stat(13, 'java', 12, 1000, 200), // DynamoDB Local
      '99': stat(99, 'java', 1, 7777, 0), // someone else's JVM
    };
    const read = { pids: () => [...Object.keys(procs), '14'], stat: (pid: string) => procs[pid] ?? '', ticksPerSecond: 100 };
    const snapshot = processTreeCpu(10, read)!;
    // At 100 ticks per second (Linux's CLK_TCK) a tick is 10 ms.
    expect(snapshot.jvmMs).toBe(12_000);
    expect(snapshot.nodeMs).toBe(5_100);
    expect(processTreeCpu(12345, read)).toBeUndefined();
    expect(processTreeCpu(undefined, read)).toBeUndefined();
  });

  it('divides what each side spent between two snapshots by the declarations accepted', () => {
    const from = { jvmMs: 1_000, nodeMs: 500, benchMs: 100 };
    const to = { jvmMs: 13_000, nodeMs: 8_500, benchMs: 2_100 };
    expect(cpuPerDeclaration(from, to, 1_000)).toEqual({ dynamodbLocalMs: 12, platformMs: 8, benchMs: 2, declarations: 1_000 });
    expect(cpuPerDeclaration(from, to, 0)).toBeUndefined();
    expect(cpuPerDeclaration(undefined, to, 10)).toBeUndefined();
  });
});
