/** Reading what handlers put on the emulated queues. */
import { inject } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const client = () => new SQSClient({ endpoint: process.env.CLEARWAY_SQS_ENDPOINT, useQueueUrlAsEndpoint: false });

/** The URL of the work queue whose logical id starts with `prefix` (e.g. 'Notify', 'Audit'). */
export function queueUrl(prefix: string): string {
  const entry = Object.entries(inject('queueUrls')).find(([id]) => id.startsWith(prefix) && !id.includes('DeadLetters'));
  if (!entry) throw new Error(`no queue ${prefix}`);
  return entry[1];
}

/**
 * Receives (and deletes) everything on a queue, then waits `waitMs` for late arrivals; returns
 * the parsed bodies. The wait bounds only the quiet time, not the reading: integration files share
 * the queues, and under a loaded CI machine 70 waiting messages once took longer than the whole
 * 300 ms, so a message the test was looking for was left unread.
 */
export async function drain(prefix: string, waitMs = 300): Promise<any[]> {
  const sqs = client();
  const url = queueUrl(prefix);
  const bodies: any[] = [];
  const quietUntil = Date.now() + waitMs;
  const giveUpAt = Date.now() + 30_000;
  while (Date.now() < giveUpAt) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) {
      if (Date.now() >= quietUntil) break;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    for (const m of Messages) bodies.push(JSON.parse(m.Body!));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  sqs.destroy();
  return bodies;
}
