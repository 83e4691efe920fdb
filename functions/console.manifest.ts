import type { FunctionManifest } from './function-manifest.js';

/**
 * The web console's static pages and the public certificate check (built by
 * infra/constructs/console-hosting.ts, which bundles the console beside it). Reads nothing.
 */
export const consolePages: FunctionManifest = {
  id: 'ConsoleFunction',
  entry: 'functions/console.ts',
  api: 'console',
  memoryMb: 256,
  timeoutS: 5,
  environment: {},
  grants: { dynamodb: [] },
};
