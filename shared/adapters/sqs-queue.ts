/** A work queue on SQS. Messages are JSON; DynamoDB stays the source of truth, queues carry ids. */
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from './aws.js';
import { logger } from '../http/logger.js';

export interface WorkQueue<T> {
  send(message: T, options?: { delaySeconds?: number }): Promise<void>;
  sendMany(messages: T[]): Promise<void>;
}

/**
 * Queues work whose state is already committed to the table. Never throws: a failed send is logged
 * and left to the redrive sweep, which finds the work by age in the pending index. Every producer
 * of committed work goes through here, so that rule lives in one place.
 */
export async function queueCommittedWork<T>(queue: WorkQueue<T>, messages: T[], what: string): Promise<void> {
  if (messages.length === 0) return;
  try {
    await queue.sendMany(messages);
  } catch (error) {
    logger.warn(`${what} committed but not queued; the redrive sweep will queue it`, { messages, error: error as Error });
  }
}

export function sqsQueue<T>(queueUrl: () => string): WorkQueue<T> {
  return {
    async send(message, options) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl(),
          MessageBody: JSON.stringify(message),
          ...(options?.delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(options.delaySeconds))) } : {}),
        }),
      );
    },
    async sendMany(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl(),
            Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
          }),
        );
        if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} of ${chunk.length} messages: ${out.Failed[0]?.Message}`);
      }
    },
  };
}
