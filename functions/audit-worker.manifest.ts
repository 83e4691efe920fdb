import { BASE_ENV, CERTIFICATE_KEY_ENV, queueUrl, READ, secretArn, WRITE, type FunctionManifest } from './function-manifest.js';

/**
 * Audits accepted declarations from the audit queue: decides, releases (signs the certificate) or
 * asks for inspection, and queues the events. Latency-critical: no batching window.
 */
export const auditWorker: FunctionManifest = {
  id: 'AuditWorker',
  entry: 'functions/audit-worker.ts',
  memoryMb: 1024,
  timeoutS: 30,
  environment: {
    ...BASE_ENV,
    NOTIFY_QUEUE_URL: queueUrl('notify'),
    SIGNING_KEY_SECRET_ARN: secretArn('signingKey'),
    ...CERTIFICATE_KEY_ENV,
  },
  grants: { dynamodb: [...READ, ...WRITE], queues: { notify: ['send'] }, secrets: ['signingKey'], certificateKeys: 'sign' },
  events: [{ queue: 'audit', batchSize: 10, maxConcurrency: 50 }],
};
