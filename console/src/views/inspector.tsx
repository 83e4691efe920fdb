/**
 * The inspector's day: the bureau's worklist (contract section 12) with age, due time and overdue
 * highlighted, filtered by status and kind; and opening any declaration by id.
 */
import { useState } from 'preact/hooks';
import { api, result, type Principal, type Schemas } from '../api/client';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { IfServed } from '../components/Notice';
import { t } from '../i18n';
import { fmtDuration, Loaded, Section, StatusBadge, useAsync } from '../ui';
import { DeclarationLink, DueTime } from '../components/cells';

type WorkItem = Schemas['WorkItem'];
type Kind = WorkItem['kind'];

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
  return (
    <>
      <h1>
        {t('inspector')} · {me.bureau}
      </h1>
      <OpenById />
      <Section title={t('worklist')} id="worklist">
        <IfServed operation="GET /worklist">
          {() => (
            <>
              <form class="row filters" onSubmit={(e) => e.preventDefault()} aria-label={t('filter')}>
                <SelectField
                  label={t('status')}
                  id="wl-status"
                  value={status}
                  onChange={(v) => setStatus(v as 'PENDING')}
                  options={[
                    { value: 'PENDING', label: t('pendingSteps') },
                    { value: 'DONE', label: t('doneSteps') },
                  ]}
                />
                <SelectField
                  label={t('kind')}
                  id="wl-kind"
                  value={kind}
                  onChange={setKind}
                  options={[{ value: '', label: t('all') }, ...KINDS]}
                />
              </form>
              <Worklist status={status} kind={kind} />
            </>
          )}
        </IfServed>
      </Section>
    </>
  );
}

function Worklist({ status, kind }: { status: 'PENDING' | 'DONE'; kind: string }) {
  const state = useAsync(
    () => result(api.GET('/worklist', { params: { query: { status, limit: 100, ...(kind ? { kind: kind as Kind } : {}) } } })),
    [status, kind],
  );
  const now = Date.now();
  return (
    <Loaded state={state}>
      {(data) => (
        <DataTable<WorkItem>
          class="worklist"
          rows={data.items}
          rowKey={(w) => w.declarationId + w.kind}
          rowClass={(w) => (w.overdue ? 'overdue' : undefined)}
          empty={t('noItems')}
          columns={[
            { header: t('declaration'), cell: (w) => <DeclarationLink id={w.declarationId} /> },
            { header: t('kind'), cell: (w) => w.kind },
            { header: t('enterpriseId'), cell: (w) => w.enterpriseId },
            { header: t('route'), cell: (w) => `${w.direction} · ${w.route ?? '—'}` },
            { header: t('age'), cell: (w) => (w.requiredSince ? fmtDuration((now - Date.parse(w.requiredSince)) / 1000) : '—') },
            { header: t('due'), cell: (w) => <DueTime at={w.dueAt} overdue={w.overdue} /> },
            { header: t('status'), cell: (w) => <StatusBadge status={w.status} /> },
          ]}
        />
      )}
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
      <TextField label={t('openById')} id="open-id" value={id} placeholder="dcl_…" onInput={setId} />
      <button type="submit">{t('open')}</button>
    </form>
  );
}
