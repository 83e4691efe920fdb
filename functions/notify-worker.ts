/**
 * Notification worker: turns committed events into webhook deliveries and makes their attempts
 * (contract sections 9, 12, 18). Messages carry only ids (and the owner, to save a read):
 * `{eventId}` for a new event, `{deliveryId}` for a (re)try, `{replay}` for an endpoint re-enabled
 * with deliveries held. Powertools batch processing reports each failed record alone.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord, Context, SQSBatchResponse } from 'aws-lambda';
import { notifyQueue } from '../shared/adapters/queues.js';
import { batchScopedDeliveryPorts, deliveryPorts, handleNotifyMessage, type DeliveryPorts } from '../shared/app/webhooks.js';
import { EVENT_TYPES, type EventType as NotifyEventType, type NotifyMessage, type WebhookOwner } from '../shared/domain/events.js';
import { logger } from '../shared/http/logger.js';

const processor = new BatchProcessor(EventType.SQS);

const shortString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 100;

function ownerOf(value: unknown): WebhookOwner | undefined {
  const o = value as { kind?: unknown; id?: unknown } | undefined;
  return o && (o.kind === 'enterprise' || o.kind === 'bureau') && shortString(o.id) ? { kind: o.kind, id: o.id } : undefined;
}

export function parseMessage(body: string): NotifyMessage | undefined {
  try {
    const value = JSON.parse(body) as Record<string, unknown>;
    const owner = ownerOf(value.owner);
    if (shortString(value.eventId)) {
      const eventType = EVENT_TYPES.includes(value.eventType as NotifyEventType) ? (value.eventType as NotifyEventType) : undefined;
      return {
        eventId: value.eventId,
        ...(owner && eventType ? { owner, eventType } : {}),
        ...(shortString(value.declarationId) ? { declarationId: value.declarationId } : {}),
      };
    }
    if (shortString(value.deliveryId)) return { deliveryId: value.deliveryId, ...(owner ? { owner } : {}) };
    const replay = ownerOf(value.replay);
    if (replay)
      return {
        replay,
        ...(shortString(value.from) ? { from: value.from } : {}),
        ...(typeof value.cursor === 'string' && value.cursor.length < 2000 ? { cursor: value.cursor } : {}),
      };
  } catch {
    /* fall through */
  }
  return undefined;
}

let ports: DeliveryPorts | undefined;

async function processRecord(record: SQSRecord, batchPorts: DeliveryPorts): Promise<void> {
  const message = parseMessage(record.body);
  if (!message) {
    logger.error('dropping a malformed notify message', { messageId: record.messageId });
    return;
  }
  await handleNotifyMessage(message, batchPorts);
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  ports ??= deliveryPorts(notifyQueue);
  // The batch's records share one read of each owner's endpoint.
  const batchPorts = batchScopedDeliveryPorts(ports);
  return processPartialResponse(event, (record: SQSRecord) => processRecord(record, batchPorts), processor, { context });
};
