/**
 * A hand-written SVG of one run: POST→webhook latency percentiles per second (document release),
 * throughput (offered / accepted / webhooks per second) and backlog over time, one panel each.
 * No dependencies; the file opens in any browser.
 */
import { perSecondPercentiles, ratesOf, type Sample } from './stats.js';

type Series = { label: string; color: string; values: (number | undefined)[]; dashed?: boolean };

const W = 900;
const PANEL_H = 200;
const M = { left: 64, right: 150, top: 28, bottom: 30 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" upper bound for an axis (1, 2 or 5 times a power of ten). */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function panel(y0: number, title: string, unit: string, seconds: number, series: Series[]): string {
  const plotW = W - M.left - M.right;
  const plotH = PANEL_H - M.top - M.bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)))));
  const x = (t: number) => M.left + (seconds > 0 ? (t / seconds) * plotW : 0);
  const y = (v: number) => y0 + M.top + plotH - (Math.min(v, max) / max) * plotH;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${y0 + 18}" font-size="14" font-weight="bold">${esc(title)} <tspan font-weight="normal" font-size="12">(${esc(unit)})</tspan></text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${+v.toPrecision(3)}</text>`);
  }
  const ticks = Math.min(10, Math.max(1, Math.floor(seconds)));
  for (let i = 0; i <= ticks; i++) {
    const t = (seconds * i) / ticks;
    out.push(`<text x="${x(t)}" y="${y0 + PANEL_H - 12}" font-size="11" text-anchor="middle">${Math.round(t)} s</text>`);
  }
  series.forEach((s, k) => {
    const points: string[] = [];
    s.values.forEach((v, t) => {
      if (v !== undefined && Number.isFinite(v)) points.push(`${x(t + 0.5).toFixed(1)},${y(v).toFixed(1)}`);
    });
    if (points.length)
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="4 3"' : ''} points="${points.join(' ')}"/>`,
      );
    const ly = y0 + M.top + 14 * k + 6;
    out.push(`<line x1="${W - M.right + 10}" x2="${W - M.right + 28}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 32}" y="${ly + 4}" font-size="11">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

export type ChartInput = {
  title: string;
  samples: Sample[];
  /** Document-release POST→webhook latencies by completion time (seconds since start, ms). */
  documentRelease: { at: number; ms: number }[];
  /** Inspected: last step → release webhook, by completion time. */
  inspectedRelease: { at: number; ms: number }[];
};

export function renderChart(input: ChartInput): string {
  const seconds = Math.max(1, input.samples.length);
  const dr = perSecondPercentiles(input.documentRelease, seconds);
  const ir = perSecondPercentiles(input.inspectedRelease, seconds);
  const panels = [
    panel(0, 'POST → webhook latency per second (by completion)', 'ms', seconds, [
      { label: 'doc release p50', color: '#1f77b4', values: dr.map((b) => (b.n ? b.p50 : undefined)) },
      { label: 'doc release p99', color: '#d62728', values: dr.map((b) => (b.n ? b.p99 : undefined)) },
      { label: 'step→release p99', color: '#9467bd', values: ir.map((b) => (b.n ? b.p99 : undefined)), dashed: true },
    ]),
    panel(PANEL_H, 'Throughput', 'per s', seconds, [
      { label: 'offered', color: '#7f7f7f', values: ratesOf(input.samples, 'offered'), dashed: true },
      { label: 'accepted', color: '#2ca02c', values: ratesOf(input.samples, 'accepted') },
      { label: 'refused (429/503)', color: '#ff7f0e', values: ratesOf(input.samples, 'refused') },
      { label: 'webhooks', color: '#1f77b4', values: ratesOf(input.samples, 'webhooks') },
    ]),
    panel(PANEL_H * 2, 'Backlog', 'declarations', seconds, [
      { label: 'undecided', color: '#d62728', values: input.samples.map((s) => s.backlog) },
      { label: 'at officers', color: '#9467bd', values: input.samples.map((s) => s.atOfficers) },
      { label: 'queued messages', color: '#8c564b', values: input.samples.map((s) => s.queued), dashed: true },
    ]),
  ];
  const h = PANEL_H * 3 + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g transform="translate(0,24)">`,
    panels.join('\n'),
    `</g>`,
    `<text x="${M.left}" y="16" font-size="13">${esc(input.title)}</text>`,
    `</svg>`,
  ].join('\n');
}
