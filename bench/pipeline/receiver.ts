/**
 * The enterprises' webhook endpoint: one loopback HTTP server, one path per enterprise, every
 * delivery verified as a Standard Webhooks message (the `standardwebhooks` package, as an
 * enterprise would) against that enterprise's secret. A bad or missing signature is refused with
 * 400 and counted; duplicate `webhook-id`s are counted (the platform promises one delivery per event).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

export type WebhookEvent = { type: string; timestamp: string; data: Record<string, unknown> };

/** Verifies one delivery; throws (WebhookVerificationError) when the signature or timestamp is wrong. */
export function verifyDelivery(secret: string, body: string, headers: http.IncomingHttpHeaders): WebhookEvent {
  const h: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const v = headers[name];
    h[name] = Array.isArray(v) ? v.join(',') : (v ?? '');
  }
  return new Webhook(secret).verify(body, h) as WebhookEvent;
}

export type ReceiverCounts = { received: number; verified: number; badSignature: number; unknownEndpoint: number; duplicates: number };

export type Receiver = {
  url(enterpriseCode: string): string;
  setSecret(enterpriseCode: string, secret: string): void;
  counts: ReceiverCounts;
  /** Duplicate webhook ids seen (first few, for the report). */
  duplicateIds: string[];
  close(): Promise<void>;
};

export async function startReceiver(onEvent: (event: WebhookEvent, receivedAt: number, enterprise: string) => void): Promise<Receiver> {
  const secrets = new Map<string, string>();
  const seen = new Set<string>();
  const duplicateIds: string[] = [];
  const counts: ReceiverCounts = { received: 0, verified: 0, badSignature: 0, unknownEndpoint: 0, duplicates: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receivedAt = performance.now();
      counts.received++;
      const enterprise = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      const secret = secrets.get(enterprise);
      if (!secret) {
        counts.unknownEndpoint++;
        return void res.writeHead(404).end();
      }
      let event: WebhookEvent;
      try {
        event = verifyDelivery(secret, Buffer.concat(chunks).toString('utf8'), req.headers);
      } catch {
        counts.badSignature++;
        return void res.writeHead(400).end();
      }
      counts.verified++;
      const id = String(req.headers['webhook-id']);
      if (seen.has(id)) {
        counts.duplicates++;
        if (duplicateIds.length < 20) duplicateIds.push(id);
      } else {
        seen.add(id);
        onEvent(event, receivedAt, enterprise);
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (code) => `http://127.0.0.1:${port}/hooks/${encodeURIComponent(code)}`,
    setSecret: (code, secret) => void secrets.set(code, secret),
    counts,
    duplicateIds,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
