/** A work queue on SQS. Messages are JSON; DynamoDB stays the source of truth, queues carry ids. */
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from './aws.js';

export interface WorkQueue<T> {
  send(message: T, options?: { delaySeconds?: number }): Promise<void>;
  sendMany(messages: T[]): Promise<void>;
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
