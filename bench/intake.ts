/**
 * `npm run bench:intake`: latency of POST /declarations through the local HTTP API at 50
 * requests/s for 60 s, then rising rates (10 s each) to find the highest rate sustained with p99
 * under 100 ms. Options: RATE, DURATION_S, STEP_S, RATES (comma-separated).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { benchEnterprise, benchPlatform } from './support/platform.js';
import { openLoop, printRow, request, type LoadResult } from './support/load.js';
import { declarationBody } from '../test/support/declarations.js';

const rate = Number(process.env.RATE ?? 50);
const durationS = Number(process.env.DURATION_S ?? 60);
const stepS = Number(process.env.STEP_S ?? 10);
const rates = (process.env.RATES ?? '75,100,125,150,200,250,300').split(',').map(Number);

const platform = await benchPlatform();
try {
  const enterprises = await Promise.all(Array.from({ length: 50 }, () => benchEnterprise(platform, 'AA')));
  const post = (i: number) => {
    const e = enterprises[i % enterprises.length]!;
    const body = JSON.stringify({ ...declarationBody(e.code), clientRef: `bench-${randomUUID()}` });
    return request(
      `${platform.url}/declarations`,
      'POST',
      { authorization: `Bearer ${e.key}`, 'content-type': 'application/json' },
      body,
    ).then((r) => r.status === 202);
  };
  await openLoop(20, 3, post); // warm-up
  console.log(
    `bench:intake on ${os.cpus().length} cores, Node ${process.version}, local runtime (DynamoDB Local on disk, fauxqs; the audit worker runs alongside)`,
  );
  printRow('POST /declarations', await openLoop(rate, durationS, post));
  let best: LoadResult | undefined;
  for (const r of rates) {
    const result = await openLoop(r, stepS, post);
    printRow(`  step`, result);
    if (result.p99 < 100 && result.errors === 0) best = result;
    else break;
  }
  console.log(best ? `highest rate with p99 < 100 ms: ${best.rate}/s (p99 ${best.p99.toFixed(1)} ms)` : 'no step met p99 < 100 ms');
} finally {
  await platform.close();
}
