/**
 * Webhooks to enterprises (contract section 9), signed per Standard Webhooks: `webhook-id` (the
 * same on every retry), `webhook-timestamp` (seconds), `webhook-signature` = `v1,` + base64
 * HMAC-SHA256 of `id.timestamp.body` keyed by the base64 part of the `whsec_` secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { webhookScheduleS } from '../config.js';
import type { DeliveryStatus } from '../schemas/webhook.js';
import type { EventType } from './events.js';

export type WebhookEndpoint = {
  enterpriseId: string;
  url: string;
  events: EventType[];
  secret: string;
  createdAt: string;
  updatedAt: string;
  disabled: boolean;
  disabledReason?: string;
  /** Deliveries in a row that ended failed; reset by a success. */
  consecutiveFailures: number;
};

export type DeliveryAttempt = { at: string; responseStatus?: number; error?: string; durationMs: number };
export type { DeliveryStatus } from '../schemas/webhook.js';
export type Delivery = {
  id: string;
  eventId: string;
  eventType: EventType;
  enterpriseId: string;
  url: string;
  payload: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  nextAttemptAt?: string;
};

/** Deliveries ending failed in a row before an endpoint is disabled. */
export const DISABLE_AFTER_FAILED_DELIVERIES = 3;
export const DELIVERY_TIMEOUT_MS = 15_000;

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
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

/** Private, loopback, link-local, unique-local, CGNAT and unspecified addresses (v4 and v6). */
export function isPrivateAddress(address: string): boolean {
  const v4 = isIP(address) === 4 ? address : address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : undefined;
  if (v4 && isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  const v6 = address.toLowerCase();
  return (
    v6 === '::1' ||
    v6 === '::' ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('fc') ||
    v6.startsWith('fd')
  );
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Why a URL may not be a webhook endpoint, or undefined. Cloud: https only, and no private,
 * loopback or link-local host (names are resolved again at delivery). Local: also http to loopback.
 */
export function urlProblem(raw: string, local: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.toLowerCase();
  const loopback =
    LOOPBACK_HOSTS.has(host) ||
    (isIP(host.replace(/^\[|\]$/g, '')) > 0 && isPrivateAddress(host.replace(/^\[|\]$/g, '')) && host.startsWith('127.'));
  if (local) {
    if (url.protocol === 'https:') return undefined;
    if (url.protocol === 'http:' && loopback) return undefined;
    return 'must be https, or http to a loopback address in local mode';
  }
  if (url.protocol !== 'https:') return 'must be https';
  const literal = host.replace(/^\[|\]$/g, '');
  if (LOOPBACK_HOSTS.has(host) || (isIP(literal) > 0 && isPrivateAddress(literal)))
    return 'must not point at a private, loopback or link-local address';
  return undefined;
}
