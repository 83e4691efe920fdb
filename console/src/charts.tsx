/**
 * Grouped bar charts in hand-written SVG. Why not a chart library: the console needs one chart type
 * (bars per bureau, one to three series, an optional limit line across the chart or one limit per
 * category, such as each bureau's capacity), every chart has its numbers in
 * a table beside it, and ~100 lines of SVG keep the bundle small, need no canvas (so axe-core and
 * screen readers see real text) and bring no dependency to keep current.
 */
export type Series = { name: string; values: number[]; className: string };

export function BarChart({
  title,
  categories,
  series,
  limit,
  limits,
  limitLabel,
  format = (v: number) => String(v),
}: {
  title: string;
  categories: string[];
  series: Series[];
  /** One line across the whole chart (a baseline). */
  limit?: number;
  /** One mark per category, drawn over its bars (a bureau's own capacity). */
  limits?: number[];
  limitLabel?: string;
  format?: (v: number) => string;
}) {
  const width = 640;
  const height = 240;
  const pad = { top: 16, right: 12, bottom: 36, left: 48 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const max = Math.max(1, limit ?? 0, ...(limits ?? []), ...series.flatMap((s) => s.values));
  const niceMax = niceCeil(max);
  const y = (v: number) => pad.top + innerH - (v / niceMax) * innerH;
  const band = innerW / Math.max(1, categories.length);
  const barW = Math.max(2, (band * 0.8) / Math.max(1, series.length));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * niceMax);
  const titleId = `chart-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <figure class="chart">
      <figcaption id={titleId}>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={titleId} preserveAspectRatio="xMidYMid meet">
        {ticks.map((v) => (
          <g key={v}>
            <line class="grid" x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} />
            <text class="tick" x={pad.left - 6} y={y(v) + 4} text-anchor="end">
              {format(Math.round(v * 100) / 100)}
            </text>
          </g>
        ))}
        {categories.map((c, i) => (
          <g key={c}>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0;
              return (
                <rect
                  key={s.name}
                  class={`bar ${s.className}`}
                  x={pad.left + i * band + band * 0.1 + j * barW}
                  y={y(v)}
                  width={barW - 1}
                  height={Math.max(0, pad.top + innerH - y(v))}
                >
                  <title>{`${c} · ${s.name}: ${format(v)}`}</title>
                </rect>
              );
            })}
            {limits?.[i] !== undefined ? (
              <line
                class="limit"
                x1={pad.left + i * band + band * 0.05}
                x2={pad.left + (i + 1) * band - band * 0.05}
                y1={y(limits[i])}
                y2={y(limits[i])}
              >
                <title>{`${c} · ${limitLabel ?? ''}: ${format(limits[i])}`}</title>
              </line>
            ) : null}
            <text class="tick" x={pad.left + i * band + band / 2} y={height - pad.bottom + 16} text-anchor="middle">
              {c}
            </text>
          </g>
        ))}
        {limit !== undefined ? (
          <g>
            <line class="limit" x1={pad.left} x2={width - pad.right} y1={y(limit)} y2={y(limit)} />
            <text class="tick limit-label" x={width - pad.right} y={y(limit) - 4} text-anchor="end">
              {`${limitLabel ?? ''} ${format(limit)}`}
            </text>
          </g>
        ) : null}
      </svg>
      <ul class="legend">
        {series.map((s) => (
          <li key={s.name}>
            <span class={`swatch ${s.className}`} aria-hidden="true" />
            {s.name}
          </li>
        ))}
        {limits?.length && limitLabel ? (
          <li>
            <span class="swatch limit-swatch" aria-hidden="true" />
            {limitLabel}
          </li>
        ) : null}
      </ul>
    </figure>
  );
}

function niceCeil(v: number): number {
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}
