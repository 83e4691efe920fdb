/**
 * Webhooks (contract sections 9, 12 and 18), signed per Standard Webhooks: `webhook-id` (the same
 * on every retry), `webhook-timestamp` (seconds), `webhook-signature` = `v1,` + base64 HMAC-SHA256
 * of `id.timestamp.body` keyed by the base64 part of the `whsec_` secret; during a secret rotation
 * the header carries both signatures, space-separated.
 *
 * One mechanism, two kinds of owner: an enterprise's endpoint (section 9) and a bureau system's
 * (section 12) are the same record, the same deliveries and the same transitions. This module is the
 * pure part: records, signatures, the retry schedule and what an attempt's outcome does to a
 * delivery and its endpoint.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { webhookScheduleS } from '../config.js';
import type { DeliveryStatus } from '../schemas/webhook.js';
import { eventTypesFor, type EventType, type OutboxEvent, type WebhookOwner } from './events.js';
import { isLoopbackAddress, specialUseClass } from './ip-address.js';

export type WebhookEndpoint = {
  owner: WebhookOwner;
  url: string;
  events: EventType[];
  secret: string;
  /** The secret before the last rotation; also signs every message until `previousSecretValidUntil`. */
  previousSecret?: string;
  previousSecretValidUntil?: string;
  createdAt: string;
  updatedAt: string;
  disabled: boolean;
  disabledReason?: string;
  disabledAt?: string;
  /** Deliveries in a row that ended failed; reset by a success. */
  consecutiveFailures: number;
  /** When the current run of failed deliveries began (what a re-enable sends again starts here). */
  failingSince?: string;
  /** Set by a re-enable until its replay of what failed has finished (enabling again resumes it). */
  replayFrom?: string;
};

/**
 * Why an attempt failed, as `GET /webhook/deliveries` says it: the contract's five causes, plus
 * `blocked address` (the URL resolved to an address webhooks may not reach), `connection reset` and
 * `network` (any other failure to get an answer).
 */
export type FailureCause =
  'connection refused' | 'timeout' | 'tls' | 'dns' | `http ${number}` | 'blocked address' | 'connection reset' | 'network';

export type DeliveryAttempt = {
  at: string;
  responseStatus?: number;
  error?: FailureCause;
  /** The underlying message (for example `connect ECONNREFUSED 203.0.113.9:443`). */
  detail?: string;
  /** The receiver's Retry-After, in seconds, when it sent one with a 429 or 503. */
  retryAfterS?: number;
  durationMs: number;
};
export type { DeliveryStatus } from '../schemas/webhook.js';

/** What a webhook message says: the event's type, timestamp and data (every attempt sends this). */
export const payloadOf = (event: Pick<OutboxEvent, 'type' | 'timestamp' | 'data'>) =>
  JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });

export type Delivery = {
  id: string;
  eventId: string;
  eventType: EventType;
  owner: WebhookOwner;
  url: string;
  payload: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  nextAttemptAt?: string;
  /** When it ended FAILED (what a re-enable sends again is chosen by this). */
  failedAt?: string;
  /** Held, not attempted: the endpoint was disabled when the event came. */
  heldWhileDisabled?: boolean;
  /** Attempts made before the current run of the schedule (a manual retry or a replay starts a new run). */
  scheduleFrom?: number;
};

/**
 * One delivery per event and owner: its id is the event's under the `msg_` prefix, and it is the
 * `webhook-id` of every attempt. The delivery is stored on its event's item (docs/data-model.md).
 */
export const deliveryIdOf = (eventId: string) => `msg_${eventId.replace(/^evt_/, '')}`;
/** The event a delivery id belongs to; undefined for an id no delivery can have. */
export const eventIdOfDelivery = (deliveryId: string): string | undefined =>
  /^msg_[A-Za-z0-9_-]+$/.test(deliveryId) ? `evt_${deliveryId.slice('msg_'.length)}` : undefined;

/** Deliveries ending failed in a row before an endpoint is disabled. */
export const DISABLE_AFTER_FAILED_DELIVERIES = 3;
export const DELIVERY_TIMEOUT_MS = 15_000;
/** How long the previous secret keeps signing after a rotation (section 18), unless configured. */
export const DEFAULT_SECRET_OVERLAP_S = 86_400;

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The `webhook-signature` header: the current secret's, and the previous one's during the overlap. */
export function signatureHeader(endpoint: WebhookEndpoint, id: string, timestamp: number, body: string, now: Date): string {
  const current = signature(endpoint.secret, id, timestamp, body);
  const overlapping =
    endpoint.previousSecret && endpoint.previousSecretValidUntil && Date.parse(endpoint.previousSecretValidUntil) > now.getTime();
  return overlapping ? `${current} ${signature(endpoint.previousSecret!, id, timestamp, body)}` : current;
}

/** Rotation (section 18): a new secret; the old one keeps signing for `overlapS` seconds. */
export function rotateSecret(endpoint: WebhookEndpoint, now: Date, overlapS: number, secret = newWebhookSecret()): WebhookEndpoint {
  return {
    ...endpoint,
    secret,
    previousSecret: endpoint.secret,
    previousSecretValidUntil: new Date(now.getTime() + overlapS * 1000).toISOString(),
    updatedAt: now.toISOString(),
  };
}

export function secretOverlapS(raw = process.env.CLEARWAY_WEBHOOK_SECRET_OVERLAP_S): number {
  const value = Number(raw);
  return raw && Number.isInteger(value) && value >= 0 && value <= 30 * 86_400 ? value : DEFAULT_SECRET_OVERLAP_S;
}

/** The retry schedule in force (`shared/config.ts` holds the default). */
export const retrySchedule = webhookScheduleS;

/** After a failed attempt number `attempts` (1-based): when to try again, or undefined to give up. */
export function nextAttemptDelayS(attempts: number, schedule = retrySchedule()): number | undefined {
  return schedule[attempts - 1];
}

export function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** A Retry-After header (delay-seconds or an HTTP date) as seconds from now; undefined if absent or bad. */
export function parseRetryAfter(raw: string | undefined, now: Date): number | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** What one attempt came to, as the sender reports it. */
export type AttemptResult = Omit<DeliveryAttempt, 'at'>;

/** What a settled attempt does to the endpoint (besides nothing). */
export type EndpointChange =
  /** A delivery ended delivered after failures were counted: the count starts again. */
  | { kind: 'reset' }
  /** A delivery ended failed: counted; `disable` when it is one too many (or the receiver said 410). */
  | { kind: 'failed'; at: string; disable?: string };

export type Settlement = {
  status: DeliveryStatus;
  attempt: DeliveryAttempt;
  nextAttemptAt?: string;
  failedAt?: string;
  endpoint?: EndpointChange;
};

/**
 * The pure transition of one attempt: the delivery's new status and next attempt, and what it does
 * to the endpoint. A `410 Gone` disables the endpoint at once; a `429`/`503` with Retry-After waits
 * at least that long (capped at the schedule's longest delay); otherwise the schedule decides.
 */
export function settleAttempt(
  delivery: Pick<Delivery, 'attempts' | 'scheduleFrom'>,
  endpoint: Pick<WebhookEndpoint, 'consecutiveFailures'>,
  result: AttemptResult,
  at: Date,
  schedule = retrySchedule(),
): Settlement {
  const attempt: DeliveryAttempt = { at: at.toISOString(), ...result };
  if (isSuccess(result.responseStatus)) {
    return { status: 'DELIVERED', attempt, ...(endpoint.consecutiveFailures > 0 ? { endpoint: { kind: 'reset' } } : {}) };
  }
  const failedNow = (disable?: string): Settlement => {
    const failures = endpoint.consecutiveFailures + 1;
    const reason =
      disable ??
      (failures >= DISABLE_AFTER_FAILED_DELIVERIES
        ? `${DISABLE_AFTER_FAILED_DELIVERIES} deliveries in a row failed after every retry`
        : undefined);
    return {
      status: 'FAILED',
      attempt,
      failedAt: at.toISOString(),
      endpoint: { kind: 'failed', at: at.toISOString(), ...(reason ? { disable: reason } : {}) },
    };
  };
  if (result.responseStatus === 410) return failedNow('the receiver answered 410 Gone');
  const attemptsInRun = delivery.attempts.length + 1 - (delivery.scheduleFrom ?? 0);
  const scheduled = nextAttemptDelayS(attemptsInRun, schedule);
  if (scheduled === undefined) return failedNow();
  const honoured =
    (result.responseStatus === 429 || result.responseStatus === 503) && result.retryAfterS !== undefined
      ? Math.min(Math.max(scheduled, result.retryAfterS), Math.max(...schedule))
      : scheduled;
  return { status: 'RETRYING', attempt, nextAttemptAt: new Date(at.getTime() + honoured * 1000).toISOString() };
}

/**
 * Re-enables an endpoint (section 18) and starts the replay of what failed. `replayFrom` stays on
 * the endpoint until a replay finishes, so enabling again resumes one that stopped or was lost.
 */
export function reenabled(endpoint: WebhookEndpoint, now: string): { endpoint: WebhookEndpoint; replayFrom?: string } {
  const candidates = [endpoint.replayFrom, endpoint.disabled ? (endpoint.failingSince ?? endpoint.disabledAt) : undefined].filter(
    (x): x is string => !!x,
  );
  const replayFrom = candidates.sort()[0];
  const { disabledReason: _r, disabledAt: _a, failingSince: _f, ...rest } = endpoint;
  return {
    endpoint: { ...rest, disabled: false, consecutiveFailures: 0, updatedAt: now, ...(replayFrom ? { replayFrom } : {}) },
    replayFrom,
  };
}

/**
 * The endpoint a PUT makes (sections 9, 12, 18): new, or the existing one with the new URL and
 * events. The secret stays across updates (receivers keep verifying; rotate-secret changes it), and
 * a PUT of a disabled endpoint re-enables it like POST …/enable, answering where its replay starts.
 */
export function endpointFor(
  existing: WebhookEndpoint | undefined,
  request: { url: string; events?: EventType[] },
  owner: WebhookOwner,
  now: string,
): { endpoint: WebhookEndpoint; replayFrom?: string } {
  const { endpoint: base, replayFrom } = existing ? reenabled(existing, now) : { endpoint: undefined, replayFrom: undefined };
  const endpoint: WebhookEndpoint = {
    ...base,
    owner,
    url: request.url,
    events: request.events ?? [...eventTypesFor(owner.kind)],
    secret: existing?.secret ?? newWebhookSecret(),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    disabled: false,
    consecutiveFailures: 0,
  };
  return { endpoint, ...(replayFrom ? { replayFrom } : {}) };
}

export const disabledReasonText = (reason: string, at: string) =>
  `disabled at ${at}: ${reason}; PUT the webhook again or POST its /enable to re-enable (what failed is sent again, oldest first)`;

/**
 * What disabling an endpoint writes (section 18): the flag, the reason in words with how to
 * re-enable, when, and a new `updatedAt` so a concurrent PUT or enable read before it loses its
 * conditional write and decides again. The store applies these attributes and nothing else.
 */
export function disabledAttributes(
  reason: string,
  at: string,
): Required<Pick<WebhookEndpoint, 'disabled' | 'disabledReason' | 'disabledAt' | 'updatedAt'>> {
  return { disabled: true, disabledReason: disabledReasonText(reason, at), disabledAt: at, updatedAt: at };
}

const LOOPBACK_NAMES = new Set(['localhost']);

/**
 * Why a URL may not be a webhook endpoint, or undefined. Cloud: https only, and no host that is a
 * special-use address (names are checked again at every connection, see the sender). Local mode:
 * only loopback, http or https.
 */
export function urlProblem(raw: string, local: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const literalClass = specialUseClass(host);
  const isLiteral = literalClass !== 'not an IP address';
  if (local) {
    const loopback = LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || (isLiteral && isLoopbackAddress(host));
    if ((url.protocol === 'https:' || url.protocol === 'http:') && loopback) return undefined;
    return 'must be http or https to a loopback address (127.0.0.0/8, ::1, localhost) in local mode';
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return 'must not point at a loopback address';
  if (isLiteral && literalClass !== undefined) return `must not point at a special-use address (${literalClass})`;
  return undefined;
}

/** Whether a resolved address may be connected to: public in the cloud, loopback only locally. */
export function addressProblem(address: string, local: boolean): string | undefined {
  if (local) return isLoopbackAddress(address) ? undefined : `${address} is not loopback (local mode delivers only to loopback)`;
  const cls = specialUseClass(address);
  return cls === undefined ? undefined : `${address} is ${cls}`;
}
