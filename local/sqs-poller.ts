/**
 * Lambda's SQS event source mapping, locally: pollers that scale like Lambda's between five and
 * MaximumConcurrency (a poller that fills a batch starts another; an idle extra poller stops), each
 * collecting up to BatchSize messages within the batching window, invoking the function, then
 * deleting what succeeded. With ReportBatchItemFailures only the reported failures stay; a thrown
 * error leaves the whole batch. What stays reappears after the queue's visibility timeout and, past
 * maxReceiveCount, the emulator moves it to the dead-letter queue, as SQS does.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LambdaHost } from './lambda-host.js';
import type { EventSourceModel } from './template.js';

const INITIAL_POLLERS = 5;

export class SqsPoller {
  private running = true;
  private readonly loops = new Set<Promise<void>>();
  private pollers = 0;
  private readonly client: SQSClient;

  constructor(
    endpoint: string,
    private readonly mapping: EventSourceModel,
    private readonly queueUrl: string,
    private readonly queueArn: string,
    private readonly host: LambdaHost,
  ) {
    this.client = new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      useQueueUrlAsEndpoint: false,
    });
  }

  /**
   * Like Lambda, which starts an SQS event source with five concurrent batches: a message that
   * arrives while one batch is being processed is taken by another poller at once instead of
   * waiting for it. These stay; more start while batches come back full.
   */
  start(): void {
    for (let i = 0; i < Math.min(INITIAL_POLLERS, this.mapping.maxConcurrency); i++) this.spawn(true);
  }

  /** Concurrent invocations right now (never above MaximumConcurrency). */
  get concurrency(): number {
    return this.pollers;
  }

  async stop(): Promise<void> {
    this.running = false;
    while (this.loops.size) await Promise.all([...this.loops]);
    this.client.destroy();
  }

  private spawn(first = false): void {
    if (!this.running || this.pollers >= this.mapping.maxConcurrency) return;
    this.pollers++;
    const loop: Promise<void> = this.loop(first).finally(() => {
      this.pollers--;
      this.loops.delete(loop);
    });
    this.loops.add(loop);
  }

  private async loop(first: boolean): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.collect();
        if (batch.length === 0 && !first) return; // scale in: the initial pollers always stay
        if (batch.length >= Math.min(10, this.mapping.batchSize)) this.spawn(); // scale out under load
        if (batch.length) await this.deliver(batch);
      } catch (error) {
        if (this.running) {
          console.error(JSON.stringify({ level: 'WARN', message: 'poller error', queue: this.mapping.queueId, error: String(error) }));
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }

  /** One batch: long-poll for the first message, then fill up within the batching window. */
  private async collect(): Promise<Message[]> {
    const batch: Message[] = [];
    const windowEnds = Date.now() + this.mapping.batchingWindowS * 1000;
    while (this.running && batch.length < this.mapping.batchSize) {
      const waitS = batch.length === 0 ? 1 : Math.min(1, Math.max(0, Math.ceil((windowEnds - Date.now()) / 1000)));
      const { Messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.mapping.batchSize - batch.length),
          WaitTimeSeconds: waitS,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      batch.push(...Messages);
      if (batch.length === 0) return batch;
      if (Date.now() >= windowEnds || Messages.length === 0) break;
    }
    return batch;
  }

  private async deliver(messages: Message[]): Promise<void> {
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'local',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
            k,
            { stringValue: v.StringValue, dataType: v.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
          ]),
        ),
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: this.queueArn,
        awsRegion: 'us-east-1',
      })),
    };
    let failed = new Set<string>(messages.map((m) => m.MessageId!));
    try {
      const response = (await this.host.invoke(this.mapping.functionId, event)) as SQSBatchResponse | undefined;
      failed = new Set(this.mapping.reportBatchItemFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
    } catch (error) {
      const causes = ((error as { recordErrors?: unknown[] }).recordErrors ?? []).slice(0, 3).map(String);
      console.error(
        JSON.stringify({
          level: 'ERROR',
          message: 'queue worker failed; the batch returns after the visibility timeout',
          function: this.mapping.functionId,
          error: String(error),
          causes,
        }),
      );
    }
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    for (let i = 0; i < done.length; i += 10) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
}
