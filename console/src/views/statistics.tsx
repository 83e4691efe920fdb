/**
 * Statistics (contract sections 10 and 12): per bureau by declaration place, inspection place or
 * destination, direction and day range; charts of volumes, release-time p50/p95 and overdue steps,
 * with every number in a table beside them.
 */
import { useState } from 'preact/hooks';
import { api, pending, result, served, type Principal, type Schemas } from '../api/client';
import { BarChart } from '../charts';
import { t } from '../i18n';
import { Field, fmtDuration, fmtTime, Loaded, Section, Unavailable, useAsync } from '../ui';

type Row = Schemas['Statistics']['rows'][number] & { overdue?: number; cancelled?: number; followUpFailed?: number };
type Overdue = {
  items: { declarationId: string; kind: string; bureau: string; requiredSince: string; dueAt: string; overdueSeconds: number }[];
};
type GroupBy = 'declaredAt' | 'inspectedAt' | 'destination';

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

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
          <Field label={t('groupBy')} id="st-group">
            <select id="st-group" value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value as GroupBy)}>
              <option value="declaredAt">{t('declaredAt')}</option>
              <option value="inspectedAt">{t('inspectedAt')}</option>
              <option value="destination">{t('destination')}</option>
            </select>
          </Field>
          <Field label={t('direction')} id="st-direction">
            <select id="st-direction" value={direction} onChange={(e) => setDirection((e.target as HTMLSelectElement).value as '')}>
              <option value="">{t('either')}</option>
              <option value="EXPORT">EXPORT</option>
              <option value="IMPORT">IMPORT</option>
            </select>
          </Field>
          <Field label={t('from')} id="st-from">
            <input id="st-from" type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </Field>
          <Field label={t('to')} id="st-to">
            <input id="st-to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </Field>
          <button type="submit">{t('show')}</button>
        </form>
      ) : null}
      {canStats ? <Stats {...query} /> : null}
      <OverdueList />
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
        const rows = data.rows as Row[];
        const bureaus = rows.map((r) => r.bureau);
        const hasOverdue = rows.some((r) => r.overdue !== undefined);
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
            {hasOverdue ? (
              <Section title={t('overdueSteps')} id="chart-overdue">
                <BarChart
                  title={t('overdueSteps')}
                  categories={bureaus}
                  series={[{ name: t('overdue'), values: rows.map((r) => r.overdue ?? 0), className: 's4' }]}
                />
              </Section>
            ) : null}
            <Section title={t('table')} id="stats-table">
              <div class="scroll">
                <table>
                  <caption>
                    {t(groupBy)} · {data.from} – {data.to} · {data.direction ?? t('either')}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('bureau')}</th>
                      <th scope="col" class="num">
                        {t('declarations')}
                      </th>
                      <th scope="col" class="num">
                        {t('lines')}
                      </th>
                      <th scope="col" class="num">
                        {t('valueUsd')}
                      </th>
                      <th scope="col" class="num">
                        {t('released')}
                      </th>
                      <th scope="col" class="num">
                        {t('documentReleased')}
                      </th>
                      <th scope="col" class="num">
                        {t('inspected')}
                      </th>
                      <th scope="col" class="num">
                        {t('failed')}
                      </th>
                      <th scope="col" class="num">
                        {t('returned')}
                      </th>
                      {hasOverdue ? (
                        <th scope="col" class="num">
                          {t('overdue')}
                        </th>
                      ) : null}
                      <th scope="col" class="num">
                        {t('p50')}
                      </th>
                      <th scope="col" class="num">
                        {t('p95')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.bureau}>
                        <th scope="row">{r.bureau}</th>
                        <td class="num">{r.declarations}</td>
                        <td class="num">{r.lines}</td>
                        <td class="num">{r.valueUsd.toLocaleString()}</td>
                        <td class="num">{r.released}</td>
                        <td class="num">{r.documentReleased}</td>
                        <td class="num">{r.inspected}</td>
                        <td class="num">{r.failed}</td>
                        <td class="num">{r.returned}</td>
                        {hasOverdue ? <td class="num">{r.overdue ?? 0}</td> : null}
                        <td class="num">{r.releaseSeconds.p50 === null ? '—' : fmtDuration(r.releaseSeconds.p50)}</td>
                        <td class="num">{r.releaseSeconds.p95 === null ? '—' : fmtDuration(r.releaseSeconds.p95)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Section>
          </>
        );
      }}
    </Loaded>
  );
}

function OverdueList() {
  const op = 'GET /stats/overdue';
  return (
    <Section title={t('overdueSteps')} id="overdue">
      {served(op) ? <OverdueLoaded /> : <Unavailable operation={op} />}
    </Section>
  );
}

function OverdueLoaded() {
  const state = useAsync(() => pending<Overdue>('GET', '/stats/overdue'), []);
  return (
    <Loaded state={state}>
      {(data) =>
        data.items.length ? (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('declaration')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('bureau')}</th>
                  <th scope="col">{t('due')}</th>
                  <th scope="col" class="num">
                    {t('overdueBy')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((o) => (
                  <tr key={o.declarationId + o.kind} class="overdue">
                    <td>
                      <a href={`#/declaration/${encodeURIComponent(o.declarationId)}`}>{o.declarationId}</a>
                    </td>
                    <td>{o.kind}</td>
                    <td>{o.bureau}</td>
                    <td>{fmtTime(o.dueAt)}</td>
                    <td class="num">{fmtDuration(o.overdueSeconds)}</td>
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
