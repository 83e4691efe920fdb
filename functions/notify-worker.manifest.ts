import { DEFAULT_WEBHOOK_SCHEDULE_S } from '../shared/config.js';
import { BASE_ENV, queueUrl, READ, WRITE, type FunctionManifest } from './function-manifest.js';

/**
 * Delivers events as signed webhooks from the notify queue, and retries on its schedule (it
 * re-queues with a delay). Latency-critical: no batching window.
 */
export const notifyWorker: FunctionManifest = {
  id: 'NotifyWorker',
  entry: 'functions/notify-worker.ts',
  memoryMb: 512,
  timeoutS: 60,
  environment: { ...BASE_ENV, NOTIFY_QUEUE_URL: queueUrl('notify'), CLEARWAY_WEBHOOK_SCHEDULE: DEFAULT_WEBHOOK_SCHEDULE_S.join(',') },
  grants: { dynamodb: [...READ, ...WRITE], queues: { notify: ['send'] } },
  events: [{ queue: 'notify', batchSize: 10, maxConcurrency: 20 }],
};
