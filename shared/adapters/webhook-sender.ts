/**
 * Sends one signed webhook POST and reports what came of it (the HTTP sender port of webhook
 * delivery). The address guard runs at connect time: the agents' `lookup` resolves the name once,
 * refuses it if ANY address it resolves to may not be reached (special-use in the cloud, anything
 * but loopback locally), and hands the socket exactly the addresses it checked, so there is no
 * second resolution a DNS rebinding could change. IP literals never reach `lookup` (Node connects
 * to them directly), so they are checked before the request is made. Redirects are not followed and
 * the response body is never read (it could be endless).
 */
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { addressProblem, DELIVERY_TIMEOUT_MS, parseRetryAfter, type AttemptResult, type FailureCause } from '../domain/webhook.js';

class BlockedAddressError extends Error {
  code = 'EBLOCKED';
}

/** A `lookup` for http(s) agents that resolves once and lets through only addresses that pass. */
export function guardedLookup(local: boolean, resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const problem = list.length === 0 ? `${hostname} has no address` : list.map((a) => addressProblem(a.address, local)).find(Boolean);
      if (problem) return callback(new BlockedAddressError(`${hostname}: ${problem}`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

type Agents = { 'http:': http.Agent; 'https:': https.Agent };
function agents(local: boolean, resolve?: typeof dns.lookup): Agents {
  const options = { keepAlive: true, maxSockets: 16, lookup: guardedLookup(local, resolve) };
  return { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
}

const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);

/** The contract's failure causes from a Node network error. */
export function failureCause(error: unknown): FailureCause {
  const e = error as { code?: string; name?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.find((x) => x.code)?.code ?? '';
  if (code === 'EBLOCKED') return 'blocked address';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (e.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ETIMEOUT') return 'timeout';
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL'].includes(code)) return 'dns';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || TLS_CODES.has(code)) return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  return 'network';
}

export type WebhookRequest = { url: string; headers: Record<string, string>; body: string };
export type WebhookSender = (request: WebhookRequest) => Promise<AttemptResult>;

/**
 * The production sender. `local`: deliver only to loopback; otherwise only to public addresses.
 * `resolve` replaces the system resolver (tests).
 */
export function httpSender(options: { local: boolean; timeoutMs?: number; resolve?: typeof dns.lookup }): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const pool = agents(options.local, options.resolve);
  return (request) =>
    new Promise<AttemptResult>((resolve) => {
      const started = Date.now();
      const done = (result: Omit<AttemptResult, 'durationMs'>) => resolve({ ...result, durationMs: Date.now() - started });
      const fail = (error: unknown) => {
        const cause = failureCause(error);
        done({ error: cause, detail: String((error as Error).message ?? error).slice(0, 300) });
      };
      let url: URL;
      try {
        url = new URL(request.url);
      } catch (error) {
        return fail(error);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(new Error(`unsupported protocol ${url.protocol}`));
      // URL keeps IPv6 literals in brackets; sockets want the bare address.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host)) {
        const problem = addressProblem(host, options.local);
        if (problem) return fail(new BlockedAddressError(problem));
      }
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request({
        method: 'POST',
        host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        agent: pool[url.protocol],
        ...(url.protocol === 'https:' && !isIP(host) ? { servername: host } : {}),
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      req.on('response', (res) => {
        const retryAfter = res.headers['retry-after'];
        const retryAfterS = res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(retryAfter, new Date()) : undefined;
        // Only the status matters: never read what the receiver sends back.
        res.destroy();
        const status = res.statusCode ?? 0;
        done({
          responseStatus: status,
          ...(status >= 200 && status < 300 ? {} : { error: `http ${status}` as FailureCause }),
          ...(retryAfterS !== undefined ? { retryAfterS } : {}),
        });
      });
      req.on('error', (error) =>
        fail(
          error.name === 'AbortError'
            ? Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { name: 'TimeoutError' })
            : error,
        ),
      );
      req.end(request.body);
    });
}
