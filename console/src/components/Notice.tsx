/**
 * What the console tells a user besides data: a problem document (title, detail, each failing
 * field at its path), the outcome of an action (a problem or a status line), and the notice a view
 * shows instead of itself while the platform does not serve the route it needs.
 */
import type { ComponentChildren } from 'preact';
import { isOverload, served, type Problem } from '../api/client';
import { t } from '../i18n';

export function ProblemView({ problem, status }: { problem: Problem; status?: number }) {
  return (
    <div class="problem" role="alert">
      <strong>
        {t('error')}
        {status ? ` ${status}` : ''}: {problem.title}
      </strong>
      {status !== undefined && isOverload(status) ? <p>{t('tryAgain')}</p> : null}
      {problem.detail ? <p>{problem.detail}</p> : null}
      {problem.errors?.length ? (
        <ul class="field-errors">
          {problem.errors.map((e) => (
            <li key={e.path + e.message}>
              <code>{e.path || '/'}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** What an action came to: a problem, or a line of status (both announced to screen readers). */
export type Outcome = { problem?: Problem; status: number; message?: string };

export function OutcomeView({ outcome }: { outcome?: Outcome }) {
  if (!outcome) return null;
  if (outcome.problem) return <ProblemView problem={outcome.problem} status={outcome.status} />;
  return outcome.message ? <p role="status">{outcome.message}</p> : null;
}

/** The notice a view shows when the platform does not serve the route it needs. */
export function Unavailable({ operation }: { operation: string }) {
  return (
    <div class="notice" role="status">
      <strong>{t('unavailable')}</strong>
      <p>{t('unavailableDetail', { op: operation })}</p>
    </div>
  );
}

/** Renders `children` when the platform serves `operation`, the notice otherwise. */
export function IfServed({ operation, children }: { operation: string; children: () => ComponentChildren }) {
  return served(operation) ? <>{children()}</> : <Unavailable operation={operation} />;
}

/** JSON a user typed into a textarea: the value, or the outcome saying why it is not JSON. */
export function parseJson(text: string): { value: unknown } | { outcome: Outcome } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { outcome: { status: 0, problem: { title: t('invalidJson'), detail: String(err) } } };
  }
}
