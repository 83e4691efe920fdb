/**
 * The number of messages waiting on some queues or being worked on, sampled in the background at
 * most once per `everyMs` (one GetQueueAttributes per queue per second per container, about $0.04
 * per container-day). Reading the sample never waits for SQS; it says when it was taken, so that
 * intake can add the declarations it stored since (shared/app/admission.ts).
 *
 * Both counts matter: `ApproximateNumberOfMessages` (visible, not yet received) and
 * `ApproximateNumberOfMessagesNotVisible` (received by a consumer and not yet deleted). A consumer
 * that scales out receives far ahead of what it finishes (locally the audit worker's pollers hold
 * up to 50 batches of 10), so under overload the work hides in the second count: measured at 3x
 * the rated load, the visible count stayed under the limit while 300 messages were in flight and
 * accepted declarations waited 11 s. Delayed messages (scheduled retries) are not counted.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sqs } from './aws.js';
import { logger } from '../http/logger.js';
import type { BacklogSample } from '../app/admission.js';

export function queueDepthSampler(queueUrls: () => string[], everyMs = 1000): () => BacklogSample | undefined {
  let value: number | undefined;
  /** When the request that produced `value` was sent (a Lambda container may freeze in between). */
  let valueAt = 0;
  let sampledAt = 0;
  let refreshing = false;
  const refresh = async () => {
    const startedAt = Date.now();
    try {
      const depths = await Promise.all(
        queueUrls().map(async (QueueUrl) => {
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
        }),
      );
      value = depths.reduce((a, b) => a + b, 0);
      valueAt = startedAt;
    } catch (error) {
      // No sample is no refusal: intake keeps working if SQS cannot tell its depth.
      logger.warn('queue depth not sampled', { error: error as Error });
      value = undefined;
    } finally {
      sampledAt = Date.now();
      refreshing = false;
    }
  };
  return () => {
    if (!refreshing && Date.now() - sampledAt >= everyMs) {
      refreshing = true;
      void refresh();
    }
    // A sample from before a freeze says nothing about now.
    return value !== undefined && Date.now() - valueAt <= 3 * everyMs ? { depth: value, takenAt: valueAt } : undefined;
  };
}
