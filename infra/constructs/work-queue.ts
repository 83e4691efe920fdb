import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';

export type WorkQueueProps = {
  /** The consumer's timeout; the visibility timeout is six times it (AWS's recommendation). */
  consumerTimeout: Duration;
  /** Receives before a message is parked in the DLQ. */
  maxReceiveCount: number;
  /** Alarm when the oldest waiting message is older than this. */
  maxAge: Duration;
};

/**
 * A work queue with its dead-letter queue, SSL enforced, alarms on DLQ depth and message age, and
 * the one way a function consumes it (partial batch failures, bounded concurrency).
 */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `${id}: messages reached the dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'OldestMessageAlarm', {
      alarmDescription: `${id}: work is waiting longer than ${props.maxAge.toHumanString()}`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) }),
      threshold: props.maxAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * `consumer` processes this queue in batches, reporting failed records one by one. A batching
   * window makes Lambda wait to fill a batch: only for consumers that are not latency-critical
   * (none is today; audit and notification omit it, so a message is handed over as it arrives).
   */
  consumeWith(consumer: IFunction, options: { batchSize: number; maxConcurrency: number; maxBatchingWindow?: Duration }): void {
    consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: options.batchSize,
        ...(options.maxBatchingWindow ? { maxBatchingWindow: options.maxBatchingWindow } : {}),
        reportBatchItemFailures: true,
        maxConcurrency: options.maxConcurrency,
      }),
    );
  }
}
