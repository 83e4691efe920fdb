import { z } from 'zod';
import { BUREAU_EVENT_TYPES, ENTERPRISE_EVENT_TYPES, EVENT_TYPES } from '../domain/events.js';
import { bureau, cursor, isoTimestamp, limit } from './common.js';

export const eventType = z.enum(EVENT_TYPES);
export const enterpriseEventType = z.enum(ENTERPRISE_EVENT_TYPES).meta({ id: 'EnterpriseEventType' });
export const bureauEventType = z.enum(BUREAU_EVENT_TYPES).meta({ id: 'BureauEventType' });

const uniqueEvents = <T extends z.ZodType<string>>(item: T) =>
  z
    .array(item)
    .min(1)
    .refine((e) => new Set(e).size === e.length, 'events must not repeat')
    .optional()
    .meta({ description: 'Default: every event of this kind of owner' });

const webhookUrl = z
  .string()
  .min(1)
  .max(2048)
  .meta({ description: 'https to a public address (cloud); local mode: http or https to loopback only' });

/** PUT /webhook (enterprise): section 9 events. */
export const putWebhookRequest = z
  .strictObject({ url: webhookUrl, events: uniqueEvents(enterpriseEventType) })
  .meta({ id: 'PutWebhookRequest' });

/** PUT /bureaus/{code}/webhook (officer with inspector of that bureau): section 12 events. */
export const putBureauWebhookRequest = z
  .strictObject({ url: webhookUrl, events: uniqueEvents(bureauEventType) })
  .meta({ id: 'PutBureauWebhookRequest' });

export const bureauWebhookParams = z.object({ code: bureau });
export const bureauDeliveryParams = z.object({ code: bureau, id: z.string().min(1).max(64) });

export const rotatedSecret = z
  .object({
    secret: z.string().meta({ description: 'The new signing secret (whsec_…); every message is signed with it from now on' }),
    previousSecretValidUntil: isoTimestamp.meta({
      description: 'Until then every message also carries the previous secret’s signature (space-separated in webhook-signature)',
    }),
  })
  .meta({ id: 'RotatedWebhookSecret' });

export const webhookView = z
  .object({
    url: z.string(),
    events: z.array(eventType),
    secret: z.string().meta({ description: 'Standard Webhooks signing secret (whsec_…)' }),
    previousSecretValidUntil: isoTimestamp
      .optional()
      .meta({ description: 'Until then messages carry the previous secret’s signature too (after a rotation)' }),
    disabled: z.boolean(),
    disabledReason: z.string().optional(),
    disabledAt: isoTimestamp.optional(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'Webhook' });

export const DELIVERY_STATUSES = ['PENDING', 'RETRYING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  eventType: eventType.optional().meta({ description: 'Only deliveries of this event type' }),
  limit: limit(100, 20),
  cursor: cursor.optional(),
});

export const deliveryIdParams = z.object({ id: z.string().min(1).max(64) });

export const deliveryAttempt = z
  .object({
    at: isoTimestamp,
    responseStatus: z.number().int().optional(),
    error: z.string().optional().meta({
      description:
        'Why it failed: `connection refused`, `timeout`, `tls`, `dns`, `http <status>`, `blocked address` (resolves to an address webhooks may not reach), `connection reset`, `network`',
      example: 'http 503',
    }),
    detail: z.string().optional().meta({ description: 'The underlying error message' }),
    retryAfterS: z.number().int().optional().meta({ description: 'The receiver’s Retry-After (429/503), seconds' }),
    durationMs: z.number(),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

export const deliveryView = z
  .object({
    id: z.string().meta({ description: 'Also the webhook-id header of every attempt' }),
    eventId: z.string(),
    eventType,
    url: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.array(deliveryAttempt),
    nextAttemptAt: isoTimestamp.nullable().optional(),
    failedAt: isoTimestamp.optional(),
    message: z
      .object({ type: eventType, timestamp: isoTimestamp, data: z.record(z.string(), z.unknown()) })
      .meta({ description: 'The body every attempt sent (verbatim JSON in the request)' }),
    heldWhileDisabled: z.boolean().optional().meta({ description: 'Not attempted: the endpoint was disabled; a re-enable sends it' }),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryList = z
  .object({ items: z.array(deliveryView), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryList' });
