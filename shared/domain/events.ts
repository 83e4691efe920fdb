/**
 * Notification events (contract sections 9 and 12). An event is written to the outbox in the same
 * transaction as the state change it reports, so it exists exactly once per change; the queue only
 * carries its id. Every event has one webhook owner: an enterprise (section 9) or a bureau's own
 * system (section 12); both are served by the same delivery machinery.
 */
export const ENTERPRISE_EVENT_TYPES = [
  'declaration.released',
  'declaration.inspection_required',
  'declaration.returned',
  'declaration.failed',
  'enterprise.credit_changed',
  // contract sections 13 and 14
  'declaration.amended',
  'declaration.cancelled',
  'enterprise.credit_objection_decided',
  // contract section 15: a follow-up check after release failed (the declaration stays RELEASED)
  'declaration.follow_up_failed',
] as const;
/** Events for a bureau's system: a step is owed by the bureau / a pending step passed its due time. */
export const BUREAU_EVENT_TYPES = ['step.required', 'step.overdue'] as const;
export const EVENT_TYPES = [...ENTERPRISE_EVENT_TYPES, ...BUREAU_EVENT_TYPES] as const;
export type EnterpriseEventType = (typeof ENTERPRISE_EVENT_TYPES)[number];
export type BureauEventType = (typeof BUREAU_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

/** Who a webhook endpoint (and every delivery to it) belongs to. */
export type WebhookOwner = { kind: 'enterprise'; id: string } | { kind: 'bureau'; id: string };
export type OwnerKind = WebhookOwner['kind'];
/** One string per owner (a map key): `enterprise#<code>` or `bureau#<code>`. */
export const ownerKey = (owner: WebhookOwner) => `${owner.kind}#${owner.id}`;

export type OutboxEvent = {
  id: string;
  type: EventType;
  /** The enterprise the event is about (for bureau events: the declaring enterprise). */
  enterpriseId: string;
  /** Whose webhook receives it; absent means the enterprise `enterpriseId` (section 9 events). */
  owner?: WebhookOwner;
  timestamp: string;
  data: Record<string, unknown>;
};

export const ownerOf = (event: Pick<OutboxEvent, 'enterpriseId' | 'owner'>): WebhookOwner =>
  event.owner ?? { kind: 'enterprise', id: event.enterpriseId };

export const sameOwner = (a: WebhookOwner, b: WebhookOwner) => a.kind === b.kind && a.id === b.id;

/** The event types an owner of this kind may subscribe to. */
export const eventTypesFor = (kind: OwnerKind): readonly EventType[] => (kind === 'bureau' ? BUREAU_EVENT_TYPES : ENTERPRISE_EVENT_TYPES);

/**
 * What the notification queue carries: only ids, the table has the rest. `eventId` for an event
 * just committed, `deliveryId` for a webhook delivery attempt that is due, `replay` for an endpoint
 * re-enabled with deliveries held while it was disabled.
 */
export type NotifyMessage = EventMessage | DeliveryMessage | ReplayMessage;
/**
 * Owner and type ride along (when known) so that an event nobody listens for costs one read and
 * one write, and the endpoint is read before the event. The notify worker reads exactly these
 * fields (functions/notify-worker.ts parseMessage); the owner says whose webhook it is.
 */
export type EventMessage = {
  eventId: string;
  eventType?: EventType;
  owner?: WebhookOwner;
  /** The declaration whose release holds the certificate JWS the event reports: read while the event is leased. */
  declarationId?: string;
};
/** Owner rides along when known, so the delivery and its endpoint are read in one request. */
export type DeliveryMessage = { deliveryId: string; owner?: WebhookOwner };
/** Send again what failed from `from` on; `cursor` continues a replay another message began. */
export type ReplayMessage = { replay: WebhookOwner; from?: string; cursor?: string };
