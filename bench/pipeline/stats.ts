/** Latency summaries and per-second series: the numbers the report and the chart are made of. */

export type Summary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number };

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : NaN);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
    mean: round(sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN),
  };
}

/** One second of the run, as the progress line and the chart see it. */
export type Sample = {
  /** Seconds since the load started. */
  t: number;
  offered: number;
  accepted: number;
  refused: number;
  errors: number;
  webhooks: number;
  /** Accepted and not yet decided (no first webhook): work inside the pipeline. */
  backlog: number;
  /** Waiting on an officer (inspection required, not yet released or failed). */
  atOfficers: number;
  /** Messages on the audit and notify queues, when the bench can see them (local runs). */
  queued?: number;
};

/** Latencies that completed within each second `[t, t+1)`: p50/p99 per second for the chart. */
export function perSecondPercentiles(points: readonly { at: number; ms: number }[], seconds: number): { t: number; p50: number; p99: number; n: number }[] {
  const buckets: number[][] = Array.from({ length: Math.max(0, Math.ceil(seconds)) }, () => []);
  for (const { at, ms } of points) {
    const i = Math.floor(at);
    if (i >= 0 && i < buckets.length) buckets[i]!.push(ms);
  }
  return buckets.map((b, t) => {
    const s = b.sort((x, y) => x - y);
    return { t, p50: percentile(s, 50), p99: percentile(s, 99), n: s.length };
  });
}

/** Per-second rates from cumulative counters (sample i minus sample i-1). */
export function ratesOf(samples: readonly Sample[], key: 'offered' | 'accepted' | 'webhooks' | 'refused'): number[] {
  return samples.map((s, i) => s[key] - (i ? samples[i - 1]![key] : 0));
}
