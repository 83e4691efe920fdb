// A function thread starts here, without any TypeScript loader (it runs JavaScript bundles only):
// with source maps on, as the stack's NODE_OPTIONS has them in Lambda, stack traces name the
// TypeScript sources; then the bundled thread runtime (local/function-thread.ts, built by
// local/function-bundles.ts) loads, and with it the function.
import { workerData } from 'node:worker_threads';

process.setSourceMapsEnabled(true);
await import(workerData.runtimeUrl);
