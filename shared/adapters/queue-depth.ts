/**
 * The number of messages waiting on some queues, sampled in the background at most once per
 * `everyMs` (GetQueueAttributes ApproximateNumberOfMessages; one call per queue per second per
 * container, about $0.04 per container-day). Reading the sample never waits for SQS.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sqs } from './aws.js';
import { logger } from '../http/logger.js';

export function queueDepthSampler(queueUrls: () => string[], everyMs = 1000): () => number | undefined {
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
            new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
          );
          return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
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
    return Date.now() - valueAt <= 3 * everyMs ? value : undefined;
  };
}
