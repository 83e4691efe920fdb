/**
 * Notification worker: consumes outbox events from the notify queue. Webhook delivery (contract
 * section 9) plugs in at `deliver`; until an enterprise has an endpoint the event is consumed with
 * nothing to send. Idempotent: an event is consumed once, whatever the number of deliveries of its
 * message.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord, Context, SQSBatchResponse } from 'aws-lambda';
import { claimEvent } from '../shared/adapters/outbox.js';
import type { NotifyMessage } from '../shared/domain/events.js';
import { logger } from '../shared/http/logger.js';

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  const message = parseMessage(record.body);
  if (!message) {
    logger.error('dropping a malformed notify message', { messageId: record.messageId });
    return;
  }
  const event = await claimEvent(message.eventId, new Date().toISOString());
  if (!event) {
    logger.info('event unknown or consumed already', { eventId: message.eventId });
    return;
  }
  logger.info('event consumed', { eventId: event.id, type: event.type });
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
