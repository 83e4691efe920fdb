/**
 * A host process for one probe function thread (test/support/functions/env-probe.ts), run by
 * test/e2e/local-runtime-functions.test.ts with Node flags of its choosing: it prints the probe's
 * Node flags as one JSON line and exits 0, or exits 1 with the error.
 */
import path from 'node:path';
import { bundleFunctions } from '../../local/function-bundles.js';
import { FunctionThreads } from '../../local/function-threads.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const fn = {
  logicalId: 'Hosted',
  entry: 'test/support/functions/env-probe.ts',
  handler: 'handler',
  timeoutS: 10,
  memoryMb: 128,
  environment: {},
};
const bundles = await bundleFunctions(ROOT, [fn]);
try {
  const threads = await FunctionThreads.start(bundles, 'http://127.0.0.1:1', [{ fn, env: {}, mappings: [] }]);
  const answer = (await threads.invoke('Hosted', {})) as { execArgv: string[] };
  await threads.stop();
  console.log(JSON.stringify({ host: process.execArgv, thread: answer.execArgv }));
} catch (error) {
  console.error(String((error as Error)?.stack ?? error));
  process.exitCode = 1;
} finally {
  bundles.remove();
}
