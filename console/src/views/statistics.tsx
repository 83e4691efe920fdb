/**
 * Statistics (contract sections 10 and 12): per bureau by declaration place, inspection place or
 * destination, direction and day range; charts of volumes, release-time p50/p95 and overdue steps,
 * with every number in a table beside them.
 */
import { useState } from 'preact/hooks';
import { api, result, type Principal, type Schemas } from '../api/client';
import { BarChart } from '../charts';
import { DeclarationLink } from '../components/cells';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { IfServed } from '../components/Notice';
import { t } from '../i18n';
import { fmtDuration, fmtTime, Loaded, Section, useAsync } from '../ui';

type Row = Schemas['Statistics']['rows'][number];
type OverdueItem = Schemas['OverdueList']['items'][number];
type GroupBy = 'declaredAt' | 'inspectedAt' | 'destination';

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const seconds = (v: number | null) => (v === null ? '—' : fmtDuration(v));

export function StatisticsView({ me }: { me: Principal }) {
  const [groupBy, setGroupBy] = useState<GroupBy>('declaredAt');
  const [direction, setDirection] = useState<'' | 'EXPORT' | 'IMPORT'>('');
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(today());
  const [query, setQuery] = useState({ groupBy, direction, from, to });
  const canStats = !!me.roles?.includes('stats');
  return (
    <>
      <h1>{t('statistics')}</h1>
      {canStats ? (
        <form
          class="row card filters"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ groupBy, direction, from, to });
          }}
        >
          <SelectField
            label={t('groupBy')}
            id="st-group"
            value={groupBy}
            onChange={(v) => setGroupBy(v as GroupBy)}
            options={(['declaredAt', 'inspectedAt', 'destination'] as const).map((g) => ({ value: g, label: t(g) }))}
          />
          <SelectField
            label={t('direction')}
            id="st-direction"
            value={direction}
            onChange={(v) => setDirection(v as '')}
            options={[{ value: '', label: t('either') }, 'EXPORT', 'IMPORT']}
          />
          <TextField label={t('from')} id="st-from" type="date" value={from} onInput={setFrom} />
          <TextField label={t('to')} id="st-to" type="date" value={to} onInput={setTo} />
          <button type="submit">{t('show')}</button>
        </form>
      ) : null}
      {canStats ? <Stats {...query} /> : null}
      <Section title={t('overdueSteps')} id="overdue">
        <IfServed operation="GET /stats/overdue">{() => <OverdueList />}</IfServed>
      </Section>
    </>
  );
}

function Stats({ groupBy, direction, from, to }: { groupBy: GroupBy; direction: string; from: string; to: string }) {
  const state = useAsync(
    () =>
      result(
        api.GET('/stats', {
          params: { query: { groupBy, from, to, ...(direction ? { direction: direction as 'EXPORT' } : {}) } },
        }),
      ),
    [groupBy, direction, from, to],
  );
  return (
    <Loaded state={state}>
      {(data) => {
        const rows = data.rows;
        const bureaus = rows.map((r) => r.bureau);
        const count = (header: string, value: (r: Row) => number) => ({ header, num: true, cell: (r: Row) => value(r) });
        return (
          <>
            <div class="grid2">
              <Section title={t('perBureau')} id="chart-volume">
                <BarChart
                  title={`${t('perBureau')} · ${t(groupBy)}`}
                  categories={bureaus}
                  series={[
                    { name: t('declarations'), values: rows.map((r) => r.declarations), className: 's1' },
                    { name: t('released'), values: rows.map((r) => r.released), className: 's2' },
                    { name: t('inspected'), values: rows.map((r) => r.inspected), className: 's3' },
                  ]}
                />
              </Section>
              <Section title={t('releaseTime')} id="chart-release">
                <BarChart
                  title={t('releaseTime')}
                  categories={bureaus}
                  format={(v) => fmtDuration(v)}
                  series={[
                    { name: t('p50'), values: rows.map((r) => r.releaseSeconds.p50 ?? 0), className: 's1' },
                    { name: t('p95'), values: rows.map((r) => r.releaseSeconds.p95 ?? 0), className: 's2' },
                  ]}
                />
              </Section>
            </div>
            <Section title={t('overduePerBureau')} id="chart-overdue">
              <BarChart
                title={t('overduePerBureau')}
                categories={bureaus}
                series={[{ name: t('overdue'), values: rows.map((r) => r.overdue), className: 's4' }]}
              />
            </Section>
            <Section title={t('table')} id="stats-table">
              <DataTable<Row>
                caption={`${t(groupBy)} · ${data.from} – ${data.to} · ${data.direction ?? t('either')}`}
                rows={rows}
                rowKey={(r) => r.bureau}
                columns={[
                  { header: t('bureau'), rowHeader: true, cell: (r) => r.bureau },
                  count(t('declarations'), (r) => r.declarations),
                  count(t('lines'), (r) => r.lines),
                  { header: t('valueUsd'), num: true, cell: (r) => r.valueUsd.toLocaleString() },
                  count(t('released'), (r) => r.released),
                  count(t('documentReleased'), (r) => r.documentReleased),
                  count(t('inspected'), (r) => r.inspected),
                  count(t('failed'), (r) => r.failed),
                  count(t('returned'), (r) => r.returned),
                  count(t('overdue'), (r) => r.overdue),
                  { header: t('p50'), num: true, cell: (r) => seconds(r.releaseSeconds.p50) },
                  { header: t('p95'), num: true, cell: (r) => seconds(r.releaseSeconds.p95) },
                ]}
              />
            </Section>
          </>
        );
      }}
    </Loaded>
  );
}

/** Steps past their due time, most overdue first; with stats also credit objections past `dueBy`. */
function OverdueList() {
  const state = useAsync(() => result(api.GET('/stats/overdue', { params: { query: { limit: 100 } } })), []);
  return (
    <Loaded state={state}>
      {(data) => (
        <DataTable<OverdueItem>
          rows={data.items}
          rowKey={(o) => `${o.declarationId ?? o.objectionId}:${o.kind}`}
          rowClass={() => 'overdue'}
          empty={t('noItems')}
          columns={[
            {
              header: t('declaration'),
              cell: (o) => (o.declarationId ? <DeclarationLink id={o.declarationId} /> : `${o.creditCode ?? ''} ${o.objectionId ?? ''}`),
            },
            { header: t('kind'), cell: (o) => o.kind },
            { header: t('bureau'), cell: (o) => o.bureau ?? '—' },
            { header: t('due'), cell: (o) => fmtTime(o.dueAt) },
            { header: t('overdueBy'), num: true, cell: (o) => fmtDuration(o.overdueSeconds) },
          ]}
        />
      )}
    </Loaded>
  );
}
