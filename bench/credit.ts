/**
 * `npm run bench:credit`: latency of GET /enterprises/{code}/credit through the local HTTP API at
 * 50 requests/s for 30 s (target p99 < 20 ms). Options: RATE, DURATION_S.
 */
import os from 'node:os';
import { benchEnterprise, benchPlatform } from './support/platform.js';
import { openLoop, printRow, request } from './support/load.js';

const rate = Number(process.env.RATE ?? 50);
const durationS = Number(process.env.DURATION_S ?? 30);

const platform = await benchPlatform();
try {
  const enterprises = await Promise.all(Array.from({ length: 20 }, () => benchEnterprise(platform)));
  const officer = await platform.admin('POST', '/principals', { kind: 'officer', bureau: 'SD', roles: ['credit'] });
  // Give each enterprise some history, as a real one would have.
  for (const e of enterprises) {
    for (const level of ['AA', 'A']) {
      await request(
        `${platform.url}/enterprises/${e.code}/credit`,
        'PUT',
        { authorization: `Bearer ${officer.apiKey}`, 'content-type': 'application/json' },
        JSON.stringify({ level, reason: 'bench' }),
      );
    }
  }
  const get = (i: number) => {
    const e = enterprises[i % enterprises.length]!;
    return request(`${platform.url}/enterprises/${e.code}/credit`, 'GET', { authorization: `Bearer ${e.key}` }).then(
      (r) => r.status === 200,
    );
  };
  await openLoop(50, 3, get); // warm-up
  const result = await openLoop(rate, durationS, get);
  console.log(`bench:credit on ${os.cpus().length} cores, Node ${process.version}, local runtime (DynamoDB Local on disk, fauxqs)`);
  printRow('GET /enterprises/{code}/credit', result);
  console.log(`target p99 < 20 ms: ${result.p99 < 20 ? 'met' : 'NOT met'}`);
} finally {
  await platform.close();
}
