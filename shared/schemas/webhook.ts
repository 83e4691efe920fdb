import { z } from 'zod';
import { EVENT_TYPES } from '../domain/events.js';
import { cursor, isoTimestamp, limit } from './common.js';

export const eventType = z.enum(EVENT_TYPES);

export const putWebhookRequest = z
  .strictObject({
    url: z.string().min(1).max(2048).meta({ description: 'https (cloud); local mode also allows http to loopback' }),
    events: z
      .array(eventType)
      .min(1)
      .refine((e) => new Set(e).size === e.length, 'events must not repeat')
      .optional()
      .meta({ description: 'Default: every event' }),
  })
  .meta({ id: 'PutWebhookRequest' });

export const webhookView = z
  .object({
    url: z.string(),
    events: z.array(eventType),
    secret: z.string().meta({ description: 'Standard Webhooks signing secret (whsec_…)' }),
    disabled: z.boolean(),
    disabledReason: z.string().optional(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'Webhook' });

export const DELIVERY_STATUSES = ['PENDING', 'RETRYING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: limit(100, 20),
  cursor: cursor.optional(),
});

export const deliveryIdParams = z.object({ id: z.string().min(1).max(64) });

export const deliveryView = z
  .object({
    id: z.string().meta({ description: 'Also the webhook-id header of every attempt' }),
    eventId: z.string(),
    eventType,
    url: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.array(
      z.object({ at: isoTimestamp, responseStatus: z.number().int().optional(), error: z.string().optional(), durationMs: z.number() }),
    ),
    nextAttemptAt: isoTimestamp.nullable().optional(),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryList = z
  .object({ items: z.array(deliveryView), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryList' });
