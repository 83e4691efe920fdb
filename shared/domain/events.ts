/**
 * Notification events for enterprises (contract section 9). An event is written to the outbox in
 * the same transaction as the state change it reports, so it exists exactly once per change; the
 * queue only carries its id.
 */
export const EVENT_TYPES = [
  'declaration.released',
  'declaration.inspection_required',
  'declaration.returned',
  'declaration.failed',
  'enterprise.credit_changed',
  // contract sections 13 and 14
  'declaration.amended',
  'declaration.cancelled',
  'enterprise.credit_objection_decided',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type OutboxEvent = {
  id: string;
  type: EventType;
  enterpriseId: string;
  timestamp: string;
  data: Record<string, unknown>;
};

/**
 * What the notification queue carries: only ids, the table has the rest. `eventId` for an event
 * just committed, `deliveryId` for a webhook delivery attempt that is due.
 */
export type NotifyMessage = EventMessage | { deliveryId: string };
/** Enterprise and type ride along (when known) so that an enterprise without a webhook costs one write. */
export type EventMessage = { eventId: string; enterpriseId?: string; eventType?: EventType };
