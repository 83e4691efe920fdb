import { BASE_ENV, queueUrl, READ, WRITE, type FunctionManifest } from '../function-manifest.js';

/** Webhook endpoints, deliveries and replays (a replay queues the event again). */
export const webhooks: FunctionManifest = {
  id: 'ApiWebhooks',
  entry: 'functions/http/webhooks.ts',
  api: 'webhooks',
  memoryMb: 512,
  timeoutS: 10,
  environment: { ...BASE_ENV, NOTIFY_QUEUE_URL: queueUrl('notify') },
  grants: { dynamodb: [...READ, ...WRITE, 'DeleteItem', 'BatchGetItem'], queues: { notify: ['send'] } },
};
