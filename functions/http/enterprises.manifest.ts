import { BASE_ENV, queueUrl, READ, WRITE, type FunctionManifest } from '../function-manifest.js';

/** Enterprises and credit: a credit change queues `enterprise.credit_changed`. */
export const enterprises: FunctionManifest = {
  id: 'ApiEnterprises',
  entry: 'functions/http/enterprises.ts',
  api: 'enterprises',
  memoryMb: 512,
  timeoutS: 10,
  environment: { ...BASE_ENV, NOTIFY_QUEUE_URL: queueUrl('notify') },
  grants: { dynamodb: [...READ, ...WRITE], queues: { notify: ['send'] } },
};
