/**
 * The bench's output: a JSON report and an SVG chart per run in the reports dir (gitignored),
 * and a human summary on stdout. docs/pipeline.md explains every field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderChart } from './chart.js';
import { costPerMillion, type Cost } from './cost.js';
import { formatCpu } from './cpu.js';
import { formatCpuPerDeclaration } from './process-cpu.js';
import type { Budget } from './meters.js';
import type { PhaseResult } from './phases.js';
import { ASSUMPTIONS, PRICES } from './prices.js';
import type { RunResult } from './run.js';
import type { Summary } from './stats.js';

export type FindMaxStep = {
  rate: number;
  pass: boolean;
  why: string[];
  documentReleaseP99: number;
  refused: number;
  errors: number;
  nonTerminal: number;
  /** Share of CPU time the hypervisor took during the step: a step failed under steal says little about the platform. */
  cpuStolen?: number;
};

export type Report = {
  tool: 'bench:pipeline';
  createdAt: string;
  machine: { cores: number; node: string; platform: string; loadAverageAtStart: number[] };
  target: string;
  runs: RunResult[];
  findMax?: { holdS: number; steps: FindMaxStep[]; maxSustainedRate: number | null };
  cost?: {
    prices: typeof PRICES;
    assumptions: typeof ASSUMPTIONS;
    memoryMb: Record<string, number>;
    phases: (PhaseResult & { cost: Cost; intakeCost?: Cost })[];
    worklistRead: Budget;
  };
};

/** Why a run does not meet the section 16 / issue 8 targets (empty: it does). */
export function targetMisses(r: RunResult): string[] {
  const why: string[] = [];
  const dr = r.postToWebhookMs.documentRelease;
  if (!(dr.count > 0)) why.push('no document release completed');
  else if (!(dr.p99 < 1000)) why.push(`document-release p99 ${dr.p99} ms ≥ 1 s`);
  if (r.lastStepToFinalMs.count > 0 && !(r.lastStepToFinalMs.p99 < 1000)) why.push(`last step → webhook p99 ${r.lastStepToFinalMs.p99} ms ≥ 1 s`);
  if (r.refused.count) why.push(`${r.refused.count} refused`);
  if (r.errors.total) why.push(`${r.errors.total} errors (${Object.entries(r.errors.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  if (r.webhooks.badSignature) why.push(`${r.webhooks.badSignature} webhooks with a bad signature`);
  if (r.webhooks.duplicates) why.push(`${r.webhooks.duplicates} duplicate webhook ids`);
  if (r.end.nonTerminal) why.push(`${r.end.nonTerminal} not terminal after the drain`);
  const dlq = Object.values(r.deadLetters ?? {}).reduce((a, b) => a + b, 0);
  if (dlq) why.push(`${dlq} messages in dead-letter queues`);
  return why;
}

const fmt = (s: Summary) => (s.count ? `p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max} ms (n=${s.count})` : 'none');

export function printRun(r: RunResult): void {
  const lines = [
    `── ${r.label}: ${r.options.rate}/s for ${r.options.durationS} s${r.options.batch ? `, batches of ${r.options.batch}` : ''} (load average ${r.loadAverage.start.join(' ')} → ${r.loadAverage.end.join(' ')}; ${formatCpu(r.cpu)})`,
    `   submitted ${r.submitted} (offered ${r.achievedOfferedRate}/s)  accepted ${r.accepted}  refused ${r.refused.count} (without Retry-After ${r.refused.withoutRetryAfter}${r.refused.count ? `; by signal ${JSON.stringify(r.refused.byReason ?? {})}` : ''})  errors ${r.errors.total} ${JSON.stringify(r.errors.byKind)}`,
    `   intake (accepted)        ${fmt(r.intakeMs.accepted)}`,
    `   intake (refused)         ${fmt(r.intakeMs.refused)}`,
    `   POST → released webhook, document release: ${fmt(r.postToWebhookMs.documentRelease)}`,
    ...(r.postToWebhookMs.documentReleaseStages
      ? [
          `     of which POST → audit decision: ${fmt(r.postToWebhookMs.documentReleaseStages.toDecision)}; decision → webhook: ${fmt(r.postToWebhookMs.documentReleaseStages.decisionToWebhook)}`,
        ]
      : []),
    ...Object.entries(r.postToWebhookMs.decisionByRoute).map(([route, s]) => `   POST → decision webhook, ${route.padEnd(22)} ${fmt(s)}`),
    `   POST → returned webhook  ${fmt(r.postToWebhookMs.returned)}`,
    `   last step → final webhook (inspected): ${fmt(r.lastStepToFinalMs)}`,
    ...(r.stepMs ? [`     of which the step request: ${fmt(r.stepMs.request)}; its answer → webhook: ${fmt(r.stepMs.answeredToFinal)}`] : []),
    `   paths ${JSON.stringify(r.paths.byDecision)} routes ${JSON.stringify(r.paths.byRoute)} lines ${r.paths.lines.mean} mean`,
    `   webhooks received ${r.webhooks.received}, verified ${r.webhooks.verified}, bad signature ${r.webhooks.badSignature}, duplicate ids ${r.webhooks.duplicates}`,
    `   officers ${JSON.stringify(r.officers)}`,
    ...(r.cpuPerDeclaration ? [`   ${formatCpuPerDeclaration(r.cpuPerDeclaration)}`] : []),
    `   backlog max undecided ${r.backlog.maxUndecided}, max queued ${r.backlog.maxQueued ?? '-'}; after ${r.end.drainedInS} s drain: ${r.end.nonTerminal} not terminal ${JSON.stringify(r.end.statusesOfUnfinished)}${r.end.terminalWithoutWebhook ? ` (terminal but no webhook: ${JSON.stringify(r.end.missingWebhooks)})` : ''}; DLQ ${JSON.stringify(r.deadLetters)}`,
  ];
  if (r.platformErrors.count) lines.push(`   platform error lines: ${r.platformErrors.count}; last: ${r.platformErrors.last.at(-1)}`);
  const misses = targetMisses(r);
  lines.push(misses.length ? `   TARGETS MISSED: ${misses.join('; ')}` : '   targets met: doc-release p99 < 1 s, step → release p99 < 1 s, no refusal/error/DLQ, all terminal');
  console.log(lines.join('\n'));
}

const usd = (v: number) => `$${v.toFixed(v < 1 ? 3 : 2)}`;

export function printCost(report: NonNullable<Report['cost']>): void {
  console.log(`── per-declaration budget (metered) and cost per million declarations (${PRICES.region}, prices of ${PRICES.retrievedOn})`);
  for (const p of report.phases) {
    const b = p.budget;
    const inv = Object.entries(b.invocations).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`   ${p.name} (n=${b.declarations}, ${JSON.stringify(p.decided)})${p.stored ? `; stored ${p.stored.bytes} bytes in ${p.stored.items} items (indexes incl.)` : ''}`);
    console.log(`      DynamoDB ${b.dynamodb.totalCalls} calls ${JSON.stringify(b.dynamodb.calls)}, ${b.dynamodb.rcu} RCU, ${b.dynamodb.wcu} WCU (${b.dynamodb.indexWrites} index entries incl.), ${b.dynamodb.transactItems} transaction items`);
    for (const [fn, f] of Object.entries(b.byFunction))
      console.log(`        ${fn.padEnd(16)} ×${f.invocations}: DynamoDB ${JSON.stringify(f.dynamodb)} ${f.rcu} RCU ${f.wcu} WCU ${f.transactItems} items; SQS ${JSON.stringify(f.sqs)}`);
    console.log(`      SQS ${b.sqs.totalCalls} requests ${JSON.stringify(b.sqs.calls)}, ${b.sqs.messages} messages; API requests ${b.apiRequests}; invocations ${inv}`);
    console.log(
      `      cost per million: ${usd(p.cost.total)} (${Object.entries(p.cost.perMillion).map(([k, v]) => `${k} ${usd(v)}`).join(', ')}); dominant: ${p.cost.dominant}${p.cost.storagePerMonth !== undefined ? `; storage ${usd(p.cost.storagePerMonth)} per month kept` : ''}`,
    );
    if (p.intakeCost)
      console.log(
        `      intake only: DynamoDB ${p.intakeOnly.dynamodb.totalCalls} calls, ${p.intakeOnly.dynamodb.wcu} WCU, ${p.intakeOnly.dynamodb.transactItems} items, SQS ${p.intakeOnly.sqs.totalCalls}, invocations ${Object.values(p.intakeOnly.invocations).reduce((a, v) => a + v, 0).toFixed(3)}, API ${p.intakeOnly.apiRequests} → ${usd(p.intakeCost.total)} per million`,
      );
  }
  const w = report.worklistRead;
  console.log(`   one worklist read: DynamoDB ${w.dynamodb.totalCalls} calls, ${w.dynamodb.rcu} RCU; invocations ${JSON.stringify(w.invocations)}`);
}

export function withCosts(phases: PhaseResult[], memory: Map<string, number>): NonNullable<Report['cost']>['phases'] {
  return phases.map((p) => ({
    ...p,
    cost: costPerMillion(p.budget, memory, p.stored?.bytes),
    ...(p.name.startsWith('document release') ? { intakeCost: costPerMillion(p.intakeOnly, memory) } : {}),
  }));
}

export function writeReport(report: Report, dir: string, label: string): { json: string; svg: string[] } {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.createdAt.replace(/[:.]/g, '-');
  const base = path.join(dir, `pipeline-${stamp}-${label.replace(/[^a-z0-9-]+/gi, '_')}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(report, null, 1));
  const svgs: string[] = [];
  report.runs.forEach((r, i) => {
    const file = report.runs.length > 1 ? `${base}-${i + 1}.svg` : `${base}.svg`;
    fs.writeFileSync(
      file,
      renderChart({
        title: `${r.label}: ${r.options.rate}/s × ${r.options.durationS} s${r.options.batch ? ` (batch ${r.options.batch})` : ''}, load avg ${r.loadAverage.start[0]}${r.cpu ? `, CPU stolen ${Math.round(r.cpu.steal * 100)} %` : ''}, ${r.startedAt}`,
        samples: r.samples,
        documentRelease: r.series.documentRelease,
        inspectedRelease: r.series.inspectedRelease,
      }),
    );
    svgs.push(file);
  });
  fs.copyFileSync(`${base}.json`, path.join(dir, 'latest.json'));
  if (svgs[0]) fs.copyFileSync(svgs.at(-1)!, path.join(dir, 'latest.svg'));
  return { json: `${base}.json`, svg: svgs };
}

export const machine = () => ({ cores: os.cpus().length, node: process.version, platform: `${os.type()} ${os.arch()}`, loadAverageAtStart: os.loadavg().map((v) => +v.toFixed(2)) });
