/**
 * Notification worker: consumes outbox events from the notify queue. Webhook delivery (contract
 * section 9) plugs in at `deliver`; until an enterprise has an endpoint the event is consumed with
 * nothing to send. Idempotent: an event is consumed once, whatever the number of deliveries of its
 * message.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord, Context, SQSBatchResponse } from 'aws-lambda';
import { getEvent, markEventConsumed } from '../shared/adapters/outbox.js';
import type { NotifyMessage } from '../shared/domain/events.js';
import { logger } from '../shared/http/logger.js';

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  const message = parseMessage(record.body);
  if (!message) {
    logger.error('dropping a malformed notify message', { messageId: record.messageId });
    return;
  }
  const event = await getEvent(message.eventId);
  if (!event) {
    logger.warn('event not found; nothing to notify', { eventId: message.eventId });
    return;
  }
  const consumed = await markEventConsumed(event.id, new Date().toISOString());
  logger.info(consumed ? 'event consumed' : 'event was consumed already', { eventId: event.id, type: event.type });
}

function parseMessage(body: string): NotifyMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<NotifyMessage>;
    return typeof value.eventId === 'string' && value.eventId.length < 100 ? { eventId: value.eventId } : undefined;
  } catch {
    return undefined;
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, processRecord, processor, { context });
