/**
 * The inspector's day: the bureau's worklist (contract section 12) with age, due time and overdue
 * highlighted, filtered by status and kind; and opening any declaration by id.
 */
import { useState } from 'preact/hooks';
import { pending, served, type Principal } from '../api/client';
import { t } from '../i18n';
import { Field, fmtDuration, fmtTime, Loaded, Section, StatusBadge, Unavailable, useAsync } from '../ui';

type WorkItem = {
  declarationId: string;
  enterpriseId: string;
  direction: string;
  route: string;
  kind: string;
  bureau: string;
  status: string;
  requiredSince: string;
  dueAt: string;
  overdue: boolean;
};

const KINDS = [
  'ORIGIN_INSPECTION',
  'PORT_VERIFICATION',
  'PORT_INSPECTION',
  'DESTINATION_INSPECTION',
  'PORT_DISINFECTION',
  'POST_RELEASE_CHECK',
];

export function InspectorView({ me }: { me: Principal }) {
  const [status, setStatus] = useState<'PENDING' | 'DONE'>('PENDING');
  const [kind, setKind] = useState('');
  const op = 'GET /worklist';
  return (
    <>
      <h1>
        {t('inspector')} · {me.bureau}
      </h1>
      <OpenById />
      <Section title={t('worklist')} id="worklist">
        {served(op) ? (
          <>
            <form class="row filters" onSubmit={(e) => e.preventDefault()} aria-label={t('filter')}>
              <Field label={t('status')} id="wl-status">
                <select id="wl-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as 'PENDING')}>
                  <option value="PENDING">{t('pendingSteps')}</option>
                  <option value="DONE">{t('doneSteps')}</option>
                </select>
              </Field>
              <Field label={t('kind')} id="wl-kind">
                <select id="wl-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
                  <option value="">{t('all')}</option>
                  {KINDS.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
              </Field>
            </form>
            <Worklist status={status} kind={kind} />
          </>
        ) : (
          <Unavailable operation={op} />
        )}
      </Section>
    </>
  );
}

function Worklist({ status, kind }: { status: string; kind: string }) {
  const query = new URLSearchParams({ status, limit: '100', ...(kind ? { kind } : {}) });
  const state = useAsync(() => pending<{ items: WorkItem[]; nextCursor: string | null }>('GET', `/worklist?${query}`), [status, kind]);
  const now = Date.now();
  return (
    <Loaded state={state}>
      {(data) =>
        data.items.length ? (
          <div class="scroll">
            <table class="worklist">
              <thead>
                <tr>
                  <th scope="col">{t('declaration')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('enterpriseId')}</th>
                  <th scope="col">{t('route')}</th>
                  <th scope="col">{t('age')}</th>
                  <th scope="col">{t('due')}</th>
                  <th scope="col">{t('status')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((w) => (
                  <tr key={w.declarationId + w.kind} class={w.overdue ? 'overdue' : undefined}>
                    <td>
                      <a href={`#/declaration/${encodeURIComponent(w.declarationId)}`}>{w.declarationId}</a>
                    </td>
                    <td>{w.kind}</td>
                    <td>{w.enterpriseId}</td>
                    <td>
                      {w.direction} · {w.route}
                    </td>
                    <td>{fmtDuration((now - Date.parse(w.requiredSince)) / 1000)}</td>
                    <td>
                      <time dateTime={w.dueAt}>{fmtTime(w.dueAt)}</time>
                      {w.overdue ? <strong class="overdue-flag"> {t('overdue')}</strong> : null}
                    </td>
                    <td>
                      <StatusBadge status={w.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('noItems')}</p>
        )
      }
    </Loaded>
  );
}

function OpenById() {
  const [id, setId] = useState('');
  return (
    <form
      class="row card"
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) location.hash = `#/declaration/${encodeURIComponent(id.trim())}`;
      }}
    >
      <Field label={t('openById')} id="open-id">
        <input id="open-id" value={id} placeholder="dcl_…" onInput={(e) => setId((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit">{t('open')}</button>
    </form>
  );
}
