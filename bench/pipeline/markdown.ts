/**
 * `npx tsx bench/pipeline/markdown.ts <report.json>`: a report's figures as Markdown tables, the
 * way docs/cost.md and docs/pipeline.md quote them (so the docs quote a run, not a transcription).
 */
import fs from 'node:fs';
import type { Report } from './report.js';
import type { Summary } from './stats.js';

const file = process.argv[2] ?? 'bench/reports/latest.json';
const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
const usd = (v: number) => `$${v.toFixed(2)}`;
const lat = (s: Summary) => (s.count ? `${s.p50} / ${s.p95} / ${s.p99} / ${s.max}` : '–');

console.log(`Report ${file}: created ${r.createdAt}, ${r.machine.cores} cores, Node ${r.machine.node}, load average at start ${r.machine.loadAverageAtStart.join(' ')}\n`);
if (r.runs.length) {
  console.log('| run | load avg (1 min) start → end | submitted | accepted | refused | errors | intake p50/p95/p99/max ms | doc release POST→webhook p50/p95/p99/max ms | last step→webhook p50/p95/p99/max ms | not terminal | DLQ |');
  console.log('|---|---|---:|---:|---:|---:|---|---|---|---:|---:|');
  for (const run of r.runs)
    console.log(
      `| ${run.label} (${run.options.rate}/s × ${run.options.durationS} s${run.options.batch ? `, batch ${run.options.batch}` : ''}) | ${run.loadAverage.start[0]} → ${run.loadAverage.end[0]} | ${run.submitted} | ${run.accepted} | ${run.refused.count} | ${run.errors.total} | ${lat(run.intakeMs.accepted)} | ${lat(run.postToWebhookMs.documentRelease)} | ${lat(run.lastStepToFinalMs)} | ${run.end.nonTerminal} | ${Object.values(run.deadLetters ?? {}).reduce((a, b) => a + b, 0)} |`,
    );
  console.log();
}
if (r.findMax) {
  console.log(`find-max (each rate held ${r.findMax.holdS} s): ${r.findMax.steps.map((s) => `${s.rate}/s ${s.pass ? 'pass' : `fail (${s.why.join('; ')})`}`).join(', ')} → **${r.findMax.maxSustainedRate ?? 'none'}**\n`);
}
if (r.cost) {
  console.log('| path | DynamoDB calls | by operation | RCU | WCU | index entries | transaction items | SQS requests | messages | invocations | API requests | stored bytes (items) |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|');
  for (const p of r.cost.phases) {
    const b = p.budget;
    console.log(
      `| ${p.name} | ${b.dynamodb.totalCalls} | ${Object.entries(b.dynamodb.calls).map(([k, v]) => `${k} ${v}`).join(', ')} | ${b.dynamodb.rcu} | ${b.dynamodb.wcu} | ${b.dynamodb.indexWrites} | ${b.dynamodb.transactItems} | ${b.sqs.totalCalls} | ${b.sqs.messages} | ${Object.entries(b.invocations).map(([k, v]) => `${k} ${v}`).join(', ')} | ${b.apiRequests} | ${p.stored ? `${p.stored.bytes} (${p.stored.items})` : '–'} |`,
    );
  }
  console.log('\nPer function, per declaration (document release, single POST):\n');
  const dr = r.cost.phases[0];
  if (dr) {
    console.log('| function | invocations | DynamoDB calls | RCU | WCU | transaction items | SQS | duration ms (local) |');
    console.log('|---|---:|---|---:|---:|---:|---|---:|');
    for (const [fn, f] of Object.entries(dr.budget.byFunction))
      console.log(`| ${fn} | ${f.invocations} | ${Object.entries(f.dynamodb).map(([k, v]) => `${k} ${v}`).join(', ') || '–'} | ${f.rcu} | ${f.wcu} | ${f.transactItems} | ${Object.entries(f.sqs).map(([k, v]) => `${k} ${v}`).join(', ') || '–'} | ${dr.budget.durationMs[fn] ?? '–'} |`);
  }
  console.log('\nCost per million declarations (USD, ' + r.cost.prices.region + ', prices of ' + r.cost.prices.retrievedOn + '):\n');
  console.log('| path | Lambda requests | Lambda GB-s | API Gateway | SQS | DynamoDB writes | DynamoDB reads | Logs | **total** | dominant | storage per month kept |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|');
  for (const p of r.cost.phases) {
    const c = p.cost.perMillion;
    console.log(
      `| ${p.name} | ${usd(c.lambdaRequests)} | ${usd(c.lambdaDuration)} | ${usd(c.apiGateway)} | ${usd(c.sqs)} | ${usd(c.dynamodbWrites)} | ${usd(c.dynamodbReads)} | ${usd(c.logs)} | **${usd(p.cost.total)}** | ${p.cost.dominant} | ${p.cost.storagePerMonth !== undefined ? usd(p.cost.storagePerMonth) : '–'} |`,
    );
    if (p.intakeCost)
      console.log(`| ↳ intake only (${p.batch ? `batch of ${p.batch}` : 'single POST'}) | ${usd(p.intakeCost.perMillion.lambdaRequests)} | ${usd(p.intakeCost.perMillion.lambdaDuration)} | ${usd(p.intakeCost.perMillion.apiGateway)} | ${usd(p.intakeCost.perMillion.sqs)} | ${usd(p.intakeCost.perMillion.dynamodbWrites)} | ${usd(p.intakeCost.perMillion.dynamodbReads)} | ${usd(p.intakeCost.perMillion.logs)} | **${usd(p.intakeCost.total)}** | ${p.intakeCost.dominant} | |`);
  }
}
