import { BASE_ENV, WORK_QUEUES_ENV, type FunctionManifest } from '../function-manifest.js';

/**
 * /health, /openapi.json, the API reference and `$default` (404/405). Reads the active rule set for
 * the document types; GET /health asks the queues too (503 when they cannot be reached).
 */
export const meta: FunctionManifest = {
  id: 'ApiMeta',
  entry: 'functions/http/meta.ts',
  api: 'meta',
  memoryMb: 512,
  timeoutS: 10,
  environment: { ...BASE_ENV, ...WORK_QUEUES_ENV },
  grants: { dynamodb: ['GetItem'], queues: { audit: ['attributes'], notify: ['attributes'] } },
};
