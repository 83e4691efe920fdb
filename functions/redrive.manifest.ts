import { DEFAULT_PARKED_RETRY_AFTER_S, DEFAULT_STRANDED_AFTER_S } from '../shared/config.js';
import { BASE_ENV, WORK_QUEUES_ENV, READ, WRITE, type FunctionManifest } from './function-manifest.js';

/**
 * Every minute: queues again declarations stranded in ACCEPTED and events not yet queued, retries
 * parked declarations once per CLEARWAY_PARKED_RETRY_AFTER_S, and applies the overdue sweep (a declaration transition, so it writes too).
 */
export const redrive: FunctionManifest = {
  id: 'Redrive',
  entry: 'functions/redrive.ts',
  memoryMb: 512,
  timeoutS: 60,
  environment: {
    ...BASE_ENV,
    ...WORK_QUEUES_ENV,
    CLEARWAY_STRANDED_AFTER_S: String(DEFAULT_STRANDED_AFTER_S),
    CLEARWAY_PARKED_RETRY_AFTER_S: String(DEFAULT_PARKED_RETRY_AFTER_S),
  },
  grants: { dynamodb: [...READ, ...WRITE], queues: { audit: ['send'], notify: ['send'] } },
  schedules: [{ everyMinutes: 1, description: 'Queue again work that was committed but not queued' }],
};
