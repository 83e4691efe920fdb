/**
 * Webhook payloads (contract sections 9 and 12), as the notify worker sends them:
 * `{type, timestamp, data}` with the delivery id (`msg_…`, one per event and owner, the same on every
 * retry) in the `webhook-id` header (Standard Webhooks).
 * They are documented in the OpenAPI document's `webhooks` section (OpenAPI 3.1), so a generated
 * client gets a type per event. `data` is typed by its known fields and open to additions.
 */
import { z } from 'zod';
import { ENTERPRISE_EVENT_TYPES, BUREAU_EVENT_TYPES, type EventType } from '../domain/events.js';
import { bureau, creditLevel, isoTimestamp } from './common.js';
import { DECLARATION_STATUSES, followUp, release, stepKind, workKind } from './declaration.js';

const declarationData = z
  .object({
    declarationId: z.string(),
    clientRef: z.string(),
    status: z.enum(DECLARATION_STATUSES),
    decision: z
      .object({
        ruleSetVersion: z.number().int(),
        route: z.string(),
        mode: z.enum(['DOCUMENT_RELEASE', 'INSPECTION', 'RETURNED']),
        steps: z.array(z.object({ kind: stepKind, bureau })),
        releaseBureau: bureau,
        hits: z.array(z.object({ ruleId: z.string(), effect: z.string(), detail: z.string() })),
      })
      .optional()
      .meta({ description: 'The audit decision (events the audit emits)' }),
    reasons: z.array(z.string()).optional(),
    release: release.optional().meta({ description: 'On declaration.released: the release and its certificate (`jws` verifies offline)' }),
    // contract section 13
    revision: z.number().int().optional().meta({ description: 'On declaration.amended: the new revision' }),
    amendmentReason: z.string().optional().meta({ description: 'On declaration.amended' }),
    previousStatus: z.enum(DECLARATION_STATUSES).optional().meta({ description: 'On declaration.amended and declaration.cancelled' }),
    cancellation: z
      .object({ reasonCode: z.string(), remarks: z.string().optional(), cancelledAt: isoTimestamp, fromStatus: z.enum(DECLARATION_STATUSES) })
      .optional()
      .meta({ description: 'On declaration.cancelled' }),
    followUp: followUp.optional().meta({ description: 'On declaration.follow_up_failed: the follow-up check as recorded' }),
  })
  .loose();

const creditChangedData = z
  .object({
    creditCode: z.string(),
    from: creditLevel,
    to: creditLevel,
    wasBlacklisted: z.boolean(),
    blacklisted: z.boolean(),
    bureau,
    reason: z.string(),
    changedAt: isoTimestamp,
    objectionId: z.string().optional(),
  })
  .loose();

const objectionDecidedData = z
  .object({
    creditCode: z.string(),
    objectionId: z.string(),
    outcome: z.enum(['UPHELD', 'REJECTED']),
    reason: z.string(),
    bureau,
    decidedAt: isoTimestamp,
    creditChanged: z.boolean(),
  })
  .loose();

const stepData = z
  .object({
    declarationId: z.string(),
    enterpriseId: z.string(),
    direction: z.enum(['EXPORT', 'IMPORT']),
    route: z.string().nullable(),
    kind: workKind.meta({ description: 'A step kind, or POST_RELEASE_CHECK (a follow-up check after release, section 15)' }),
    bureau,
    requiredSince: isoTimestamp.nullable(),
    dueAt: isoTimestamp.nullable(),
    overdueSeconds: z.number().int().optional().meta({ description: 'step.overdue only: how long past dueAt' }),
  })
  .loose();

/** Every event type has a data schema: a new type without one fails here, at compile time. */
const DATA = Object.fromEntries([
  ...ENTERPRISE_EVENT_TYPES.map((t): [EventType, z.ZodType] => [
    t,
    t === 'enterprise.credit_changed' ? creditChangedData : t === 'enterprise.credit_objection_decided' ? objectionDecidedData : declarationData,
  ]),
  ...BUREAU_EVENT_TYPES.map((t): [EventType, z.ZodType] => [t, stepData]),
]) as Record<EventType, z.ZodType>;

const pascal = (type: string) =>
  type
    .split(/[._]/)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** Event type → the schema of the body POSTed to the receiver, one component per type. */
export const webhookPayloads: Record<EventType, z.ZodType> = Object.fromEntries(
  Object.entries(DATA).map(([type, data]) => [
    type,
    z
      .object({ type: z.literal(type as EventType), timestamp: isoTimestamp, data })
      .meta({ id: `${pascal(type)}Event`, description: `The \`${type}\` webhook body; the \`webhook-id\` header carries its delivery id (\`msg_…\`, the same on every retry)` }),
  ]),
) as unknown as Record<EventType, z.ZodType>;
