/** Reading what handlers put on the emulated queues. */
import { inject } from 'vitest';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const client = () => new SQSClient({ endpoint: process.env.CLEARWAY_SQS_ENDPOINT, useQueueUrlAsEndpoint: false });

/** The URL of the work queue whose logical id starts with `prefix` (e.g. 'Notify', 'Audit'). */
export function queueUrl(prefix: string): string {
  const entry = Object.entries(inject('queueUrls')).find(([id]) => id.startsWith(prefix) && !id.includes('DeadLetters'));
  if (!entry) throw new Error(`no queue ${prefix}`);
  return entry[1];
}

/** Receives (and deletes) everything on a queue for a short while; returns the parsed bodies. */
export async function drain(prefix: string, waitMs = 300): Promise<any[]> {
  const sqs = client();
  const url = queueUrl(prefix);
  const bodies: any[] = [];
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    for (const m of Messages) {
      bodies.push(JSON.parse(m.Body!));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
    if (Messages.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  sqs.destroy();
  return bodies;
}
