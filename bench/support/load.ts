/**
 * Open-loop load: requests start on a fixed schedule whatever the responses do, so a slow server
 * shows up as latency (not as a politely lower rate). Latency is measured from the scheduled start.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One HTTP request on a kept-alive connection; resolves with the status, headers and body. */
export function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
  /** Abort (reject with a `timeout` error) when no full answer came within this long. */
  timeoutMs?: number,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'timeout' })));
    req.on('error', reject);
    req.end(body);
  });
}

export type LoadResult = {
  rate: number;
  durationS: number;
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  achievedRate: number;
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function openLoop(rate: number, durationS: number, request: (i: number) => Promise<boolean>): Promise<LoadResult> {
  const total = Math.round(rate * durationS);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      request(i)
        .then((good) => (good ? ok++ : errors++))
        .catch(() => errors++)
        .then(() => void latencies.push(performance.now() - due)),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rate,
    durationS,
    sent: total,
    ok,
    errors,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1)!,
    achievedRate: total / elapsed,
  };
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;

export function printRow(label: string, r: LoadResult): void {
  console.log(
    `${label.padEnd(28)} rate ${String(r.rate).padStart(4)}/s  sent ${String(r.sent).padStart(6)}  ok ${String(r.ok).padStart(6)}  errors ${String(r.errors).padStart(4)}  p50 ${ms(r.p50).padStart(9)}  p90 ${ms(r.p90).padStart(9)}  p99 ${ms(r.p99).padStart(9)}  max ${ms(r.max).padStart(9)}`,
  );
}
