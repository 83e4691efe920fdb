/**
 * The command center (virtual audit center): rule set versions with the active one marked, a draft
 * editor whose faults are listed at their JSON paths, a simulation of a draft against the active
 * set (lane mix and per-bureau inspection workload against capacity, side by side), rule
 * effectiveness, and publishing with an explicit confirmation.
 */
import { useState } from 'preact/hooks';
import { api, pending, result, served, type Problem, type Schemas } from '../api/client';
import { BarChart } from '../charts';
import { t } from '../i18n';
import { Field, fmtTime, Loaded, ProblemView, Section, StatusBadge, Unavailable, useAsync } from '../ui';

type RuleSet = Schemas['RuleSet'];
type Simulation = Schemas['SimulationResult'];
type Effectiveness = {
  rules: { ruleId: string; fired: number; inspected: number; failed: number; failRate: number | null }[];
  random: { inspected: number; failed: number; failRate: number | null };
};

const BUREAUS = ['SD', 'HA', 'SX', 'SN', 'NM', 'GS', 'SC', 'NX', 'QH', 'XJ'];
const LANES = ['DOCUMENT_RELEASE', 'INSPECTION', 'RETURNED'] as const;

/** The editable part of a rule set (what POST /rulesets takes). */
function editable(rs: RuleSet): Record<string, unknown> {
  const {
    version: _v,
    status: _s,
    active: _a,
    createdAt: _c,
    createdBy: _cb,
    publishedAt: _p,
    publishedBy: _pb,
    ...input
  } = rs as RuleSet & Record<string, unknown>;
  return input;
}

export function CommandCenterView() {
  const list = useAsync(() => result(api.GET('/rulesets')), []);
  const [selected, setSelected] = useState<number>();
  return (
    <>
      <h1>{t('commandCenter')}</h1>
      <div class="grid2">
        <Section title={t('ruleSets')} id="rulesets">
          <Loaded state={list}>
            {(data) => (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('version')}</th>
                    <th scope="col">{t('status')}</th>
                    <th scope="col">{t('created')}</th>
                    <th scope="col">
                      <span class="visually-hidden">{t('view')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((r) => (
                    <tr key={r.version} class={r.version === selected ? 'selected' : undefined}>
                      <td>v{r.version}</td>
                      <td>
                        <StatusBadge status={r.status} /> {r.active ? <strong class="active-flag">{t('active')}</strong> : null}
                      </td>
                      <td>{fmtTime(r.createdAt)}</td>
                      <td>
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`${t('view')} v${r.version}`}
                          onClick={() => setSelected(r.version)}
                        >
                          {t('view')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Loaded>
        </Section>
        <DraftEditor
          onCreated={(v) => {
            list.reload();
            setSelected(v);
          }}
        />
      </div>
      {selected !== undefined ? <Version key={selected} version={selected} onPublished={list.reload} /> : null}
    </>
  );
}

function DraftEditor({ onCreated }: { onCreated: (version: number) => void }) {
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<{ problem?: Problem; status: number; message?: string }>();
  const fromActive = async () => {
    const r = await result(api.GET('/rulesets/active'));
    if (r.ok) setText(JSON.stringify(editable(r.data), null, 2));
    else setOutcome({ problem: r.problem, status: r.status });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setOutcome({ status: 0, problem: { title: t('invalidJson'), detail: String(err) } });
      return;
    }
    const r = await result(api.POST('/rulesets', { body: body as never }));
    if (r.ok) {
      setOutcome({ status: r.status, message: `${t('draft')} v${r.data.version}` });
      onCreated(r.data.version);
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <Section title={t('draftEditor')} id="draft-editor">
      <form onSubmit={save}>
        <Field label={t('draft')} id="draft-json" hint={t('draftHelp')}>
          <textarea
            id="draft-json"
            rows={16}
            spellcheck={false}
            aria-describedby="draft-json-hint"
            aria-invalid={outcome?.problem ? true : undefined}
            value={text}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          />
        </Field>
        <div class="buttons">
          <button type="button" class="secondary" onClick={() => void fromActive()}>
            {t('startFromActive')}
          </button>
          <button type="submit">{t('saveDraft')}</button>
        </div>
      </form>
      {outcome?.message ? <p role="status">{outcome.message}</p> : null}
      {outcome?.problem ? <ProblemView problem={outcome.problem} status={outcome.status} /> : null}
    </Section>
  );
}

function Version({ version, onPublished }: { version: number; onPublished: () => void }) {
  const state = useAsync(() => result(api.GET('/rulesets/{version}', { params: { path: { version } } })), [version]);
  return (
    <Loaded state={state}>
      {(rs) => (
        <>
          <Section title={`${t('version')} v${rs.version}`} id="version">
            <p>
              <StatusBadge status={rs.status} /> {rs.active ? <strong class="active-flag">{t('active')}</strong> : null} {rs.description}
            </p>
            <details>
              <summary>JSON</summary>
              <pre class="json">{JSON.stringify(editable(rs), null, 2)}</pre>
            </details>
            {rs.status === 'DRAFT' ? (
              <Publish
                version={rs.version}
                onPublished={() => {
                  state.reload();
                  onPublished();
                }}
              />
            ) : null}
          </Section>
          {rs.status === 'DRAFT' ? <Simulate version={rs.version} /> : <EffectivenessView version={rs.version} />}
        </>
      )}
    </Loaded>
  );
}

function Publish({ version, onPublished }: { version: number; onPublished: () => void }) {
  const [asking, setAsking] = useState(false);
  const [outcome, setOutcome] = useState<{ problem?: Problem; status: number; message?: string }>();
  const publish = async () => {
    const r = await result(api.POST('/rulesets/{version}/publish', { params: { path: { version } } }));
    setAsking(false);
    if (r.ok) {
      setOutcome({ status: r.status, message: t('published', { v: version }) });
      onPublished();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <div>
      {asking ? (
        <div class="confirm" role="alertdialog" aria-labelledby="publish-q" aria-modal="false">
          <p id="publish-q">{t('publishConfirm', { v: version })}</p>
          <div class="buttons">
            <button type="button" onClick={() => void publish()}>
              {t('confirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          {t('publish')} v{version}
        </button>
      )}
      {outcome?.message ? <p role="status">{outcome.message}</p> : null}
      {outcome?.problem ? <ProblemView problem={outcome.problem} status={outcome.status} /> : null}
    </div>
  );
}

function Simulate({ version }: { version: number }) {
  const [sim, setSim] = useState<Simulation>();
  const [problem, setProblem] = useState<{ problem: Problem; status: number }>();
  const [capacity, setCapacity] = useState(20);
  const [running, setRunning] = useState(false);
  const run = async (e: Event) => {
    e.preventDefault();
    setRunning(true);
    const r = await result(api.POST('/rulesets/{version}/simulate', { params: { path: { version } }, body: { limit: 500 } }));
    setRunning(false);
    if (r.ok) {
      setSim(r.data);
      setProblem(undefined);
    } else setProblem({ problem: r.problem, status: r.status });
  };
  const bureaus = sim
    ? BUREAUS.filter((b) => b in sim.inspectionWorkload.active || b in sim.inspectionWorkload.draft).concat(
        Object.keys({ ...sim.inspectionWorkload.active, ...sim.inspectionWorkload.draft }).filter((b) => !BUREAUS.includes(b)),
      )
    : [];
  return (
    <Section title={`${t('simulation')} v${version}`} id="simulation">
      <form class="row" onSubmit={run}>
        <Field label={t('capacity')} id="sim-capacity">
          <input
            id="sim-capacity"
            type="number"
            min={0}
            value={capacity}
            onInput={(e) => setCapacity(Number((e.target as HTMLInputElement).value))}
          />
        </Field>
        <button type="submit" disabled={running}>
          {running ? t('loading') : t('simulate')}
        </button>
      </form>
      {problem ? <ProblemView problem={problem.problem} status={problem.status} /> : null}
      {sim ? (
        <>
          <p role="status">
            {t('evaluated')}: <strong>{sim.evaluated}</strong> · {t('changedDecisions')}: <strong>{sim.changed.length}</strong>
            {sim.truncated ? ` · ${t('truncated')}` : ''}
          </p>
          <div class="grid2">
            <BarChart
              title={t('laneMix')}
              categories={[...LANES]}
              series={[
                { name: `${t('active')} v${sim.activeVersion ?? '—'}`, values: LANES.map((l) => sim.laneMix.active[l]), className: 's1' },
                { name: `${t('draft')} v${sim.draftVersion}`, values: LANES.map((l) => sim.laneMix.draft[l]), className: 's2' },
              ]}
            />
            <BarChart
              title={t('workload')}
              categories={bureaus}
              limit={capacity}
              limitLabel={t('capacity')}
              series={[
                {
                  name: `${t('active')} v${sim.activeVersion ?? '—'}`,
                  values: bureaus.map((b) => sim.inspectionWorkload.active[b] ?? 0),
                  className: 's1',
                },
                {
                  name: `${t('draft')} v${sim.draftVersion}`,
                  values: bureaus.map((b) => sim.inspectionWorkload.draft[b] ?? 0),
                  className: 's2',
                },
              ]}
            />
          </div>
          <div class="grid2">
            <table>
              <caption>{t('laneMix')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('mode')}</th>
                  <th scope="col" class="num">
                    {t('active')}
                  </th>
                  <th scope="col" class="num">
                    {t('draft')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {LANES.map((l) => (
                  <tr key={l}>
                    <th scope="row">{l}</th>
                    <td class="num">{sim.laneMix.active[l]}</td>
                    <td class="num">{sim.laneMix.draft[l]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <caption>{t('workload')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('bureau')}</th>
                  <th scope="col" class="num">
                    {t('active')}
                  </th>
                  <th scope="col" class="num">
                    {t('draft')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {bureaus.map((b) => (
                  <tr key={b} class={(sim.inspectionWorkload.draft[b] ?? 0) > capacity ? 'overdue' : undefined}>
                    <th scope="row">{b}</th>
                    <td class="num">{sim.inspectionWorkload.active[b] ?? 0}</td>
                    <td class="num">{sim.inspectionWorkload.draft[b] ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {sim.changed.length ? (
            <div class="scroll">
              <table>
                <caption>{t('changedDecisions')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('declaration')}</th>
                    <th scope="col">{t('active')}</th>
                    <th scope="col">{t('draft')}</th>
                  </tr>
                </thead>
                <tbody>
                  {sim.changed.slice(0, 25).map((c) => (
                    <tr key={c.declarationId}>
                      <td>
                        <a href={`#/declaration/${encodeURIComponent(c.declarationId)}`}>{c.declarationId}</a>
                      </td>
                      <td>{c.active ? `${c.active.mode} (${c.active.hits.join(', ') || '—'})` : '—'}</td>
                      <td>{`${c.draft.mode} (${c.draft.hits.join(', ') || '—'})`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </Section>
  );
}

function EffectivenessView({ version }: { version: number }) {
  const op = 'GET /rulesets/{version}/effectiveness';
  if (!served(op))
    return (
      <Section title={`${t('effectiveness')} v${version}`} id="effectiveness">
        <Unavailable operation={op} />
      </Section>
    );
  return <EffectivenessLoaded version={version} />;
}

function EffectivenessLoaded({ version }: { version: number }) {
  const state = useAsync(() => pending<Effectiveness>('GET', `/rulesets/${version}/effectiveness`), [version]);
  const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10} %`);
  return (
    <Section title={`${t('effectiveness')} v${version}`} id="effectiveness">
      <Loaded state={state}>
        {(e) => (
          <div class="grid2">
            <BarChart
              title={`${t('failRate')} (%)`}
              categories={[...e.rules.map((r) => r.ruleId), t('random')]}
              series={[
                {
                  name: t('failRate'),
                  values: [...e.rules.map((r) => r.failRate ?? 0), e.random.failRate ?? 0].map((v) => Math.round(v * 1000) / 10),
                  className: 's2',
                },
              ]}
            />
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('rule')}</th>
                  <th scope="col" class="num">
                    {t('fired')}
                  </th>
                  <th scope="col" class="num">
                    {t('inspected')}
                  </th>
                  <th scope="col" class="num">
                    {t('failed')}
                  </th>
                  <th scope="col" class="num">
                    {t('failRate')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {e.rules.map((r) => (
                  <tr key={r.ruleId}>
                    <th scope="row">
                      <code>{r.ruleId}</code>
                    </th>
                    <td class="num">{r.fired}</td>
                    <td class="num">{r.inspected}</td>
                    <td class="num">{r.failed}</td>
                    <td class="num">{pct(r.failRate)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t('random')}</th>
                  <td class="num">—</td>
                  <td class="num">{e.random.inspected}</td>
                  <td class="num">{e.random.failed}</td>
                  <td class="num">{pct(e.random.failRate)}</td>
                </tr>
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </Section>
  );
}
