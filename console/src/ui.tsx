/** Small shared pieces: sections, loading state, formatting (form rows, tables, notices: components/). */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Result } from './api/client';
import { t } from './i18n';
import { ProblemView } from './components/Notice';

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-h`;
  return (
    <section class="card" aria-labelledby={headingId} id={id}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

export type Async<T> = { loading: boolean; result?: Result<T>; reload: () => void };

/** Runs `load` on mount and whenever `deps` change; `reload()` runs it again. */
export function useAsync<T>(load: () => Promise<Result<T>>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ loading: boolean; result?: Result<T> }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    void load().then((result) => live && setState({ loading: false, result }));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** Renders the data of a loaded result, the loading line, or the problem. */
export function Loaded<T>({ state, children }: { state: Async<T>; children: (data: T) => ComponentChildren }) {
  if (!state.result) return <p aria-live="polite">{t('loading')}</p>;
  if (!state.result.ok) return <ProblemView problem={state.result.problem} status={state.result.status} />;
  return <>{children(state.result.data)}</>;
}

export const fmtTime = (iso?: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export const yesNo = (v: boolean | undefined) => t(v ? 'yes' : 'no');

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}
