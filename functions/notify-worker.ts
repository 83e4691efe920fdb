/**
 * Notification worker: turns committed events into webhook deliveries and makes their attempts
 * (contract section 9). Messages carry only ids: `{eventId}` for a new event, `{deliveryId}` for a
 * (re)try. Powertools batch processing reports each failed record alone.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord, Context, SQSBatchResponse } from 'aws-lambda';
import { notifyQueue } from '../shared/adapters/queues.js';
import { acceptEvent, attemptDelivery } from '../shared/app/webhooks.js';
import type { NotifyMessage } from '../shared/domain/events.js';
import { logger } from '../shared/http/logger.js';

const processor = new BatchProcessor(EventType.SQS);

function parseMessage(body: string): NotifyMessage | undefined {
  try {
    const value = JSON.parse(body) as Record<string, unknown>;
    if (typeof value.eventId === 'string' && value.eventId.length < 100) return { eventId: value.eventId };
    if (typeof value.deliveryId === 'string' && value.deliveryId.length < 100) return { deliveryId: value.deliveryId };
  } catch {
    /* fall through */
  }
  return undefined;
}

async function processRecord(record: SQSRecord): Promise<void> {
  const message = parseMessage(record.body);
  if (!message) {
    logger.error('dropping a malformed notify message', { messageId: record.messageId });
    return;
  }
  if ('eventId' in message) await acceptEvent(message.eventId, notifyQueue);
  else await attemptDelivery(message.deliveryId, notifyQueue);
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, processRecord, processor, { context });
