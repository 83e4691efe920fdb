/**
 * Queue depths of a local run, read from the emulator the platform started (its endpoints are in
 * `<dataDir>/endpoints.json`): the work queues' backlog each second for the chart, and the
 * dead-letter queues' depth at the end (the target: none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

export type QueueProbe = {
  /** Visible + in-flight messages on the work queues (not the DLQs). */
  backlog(): Promise<number | undefined>;
  /** Messages on each dead-letter queue. */
  deadLetters(): Promise<Record<string, number> | undefined>;
  close(): void;
};

export function queueProbe(dataDir: string | undefined): QueueProbe | undefined {
  const file = dataDir && path.join(dataDir, 'endpoints.json');
  if (!file || !fs.existsSync(file)) return undefined;
  const endpoints = JSON.parse(fs.readFileSync(file, 'utf8')) as { sqs: string; queues: Record<string, string> };
  const client = new SQSClient({
    endpoint: endpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
    maxAttempts: 1,
  });
  const depth = async (QueueUrl: string) => {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };
  const entries = Object.entries(endpoints.queues);
  const dlqs = entries.filter(([id]) => /DeadLetter/i.test(id));
  const work = entries.filter(([id]) => !/DeadLetter/i.test(id));
  const friendly = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  return {
    backlog: async () => {
      try {
        return (await Promise.all(work.map(([, url]) => depth(url)))).reduce((a, b) => a + b, 0);
      } catch {
        return undefined;
      }
    },
    deadLetters: async () => {
      try {
        return Object.fromEntries(await Promise.all(dlqs.map(async ([id, url]) => [friendly(id), await depth(url)] as const)));
      } catch {
        return undefined;
      }
    },
    close: () => client.destroy(),
  };
}
