/** The platform's queues (audit, notify), resolved from the environment the stack sets on each function; built on sqs-queue.ts. */
import type { NotifyMessage } from '../domain/events.js';
import { requiredEnv } from './aws.js';
import { sqsQueue } from './sqs-queue.js';

/**
 * `enterpriseId`: the filer, as intake (or an amendment) knows it when it queues the audit, so that
 * the audit reads the filer's credit while it reads the declaration (one round trip, not two);
 * a hint only: the declaration's own `enterpriseId` decides, and the sweep's messages name none.
 * `parkedRetry`: the redrive sweep's slow automatic retry of a parked declaration (functions/redrive.ts).
 */
export type AuditMessage = { declarationId: string; enterpriseId?: string; parkedRetry?: true };

export const auditQueue = sqsQueue<AuditMessage>(() => requiredEnv('AUDIT_QUEUE_URL'));
export const notifyQueue = sqsQueue<NotifyMessage>(() => requiredEnv('NOTIFY_QUEUE_URL'));
