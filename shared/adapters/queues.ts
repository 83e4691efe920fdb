/** The platform's queues, resolved from the environment the stack sets on each function. */
import type { NotifyMessage } from '../domain/events.js';
import { requiredEnv } from './aws.js';
import { sqsQueue } from './queue.js';

export type AuditMessage = { declarationId: string };

export const auditQueue = sqsQueue<AuditMessage>(() => requiredEnv('AUDIT_QUEUE_URL'));
export const notifyQueue = sqsQueue<NotifyMessage>(() => requiredEnv('NOTIFY_QUEUE_URL'));
