import { BASE_ENV, queueUrl, type FunctionManifest } from '../function-manifest.js';

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
  environment: { ...BASE_ENV, AUDIT_QUEUE_URL: queueUrl('audit'), NOTIFY_QUEUE_URL: queueUrl('notify') },
  grants: { dynamodb: ['GetItem'], queues: { audit: ['attributes'], notify: ['attributes'] } },
};
