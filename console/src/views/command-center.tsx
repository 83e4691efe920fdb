/**
 * The command center (virtual audit center): rule set versions with the active one marked, a draft
 * editor whose faults are listed at their JSON paths, a simulation of a draft against the active
 * set (lane mix and per-bureau inspection workload against capacity, side by side), rule
 * effectiveness, and publishing with an explicit confirmation.
 */
import { useState } from 'preact/hooks';
import { api, result, type Problem, type Schemas } from '../api/client';
import { BarChart } from '../charts';
import { DeclarationLink } from '../components/cells';
import { DataTable } from '../components/DataTable';
import { TextField } from '../components/Field';
import { IfServed, OutcomeView, parseJson, ProblemView, type Outcome } from '../components/Notice';
import { t } from '../i18n';
import { fmtTime, Loaded, Section, StatusBadge, useAsync } from '../ui';

type RuleSet = Schemas['RuleSet'];
type RuleSetEntry = Schemas['RuleSetList']['items'][number];
type Change = Schemas['SimulationResult']['changed'][number];
type Simulation = Schemas['SimulationResult'];
/** Each bureau's expected daily inspections against its daily capacity from the region config. */
type BureauCapacity = Simulation['inspectionCapacity']['bureaus'][number];
type Effectiveness = Schemas['RuleEffectiveness'];
type RuleEffect = Effectiveness['rules'][number];

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
              <DataTable<RuleSetEntry>
                scroll={false}
                rows={data.items}
                rowKey={(r) => r.version}
                rowClass={(r) => (r.version === selected ? 'selected' : undefined)}
                columns={[
                  { header: t('version'), cell: (r) => `v${r.version}` },
                  {
                    header: t('status'),
                    cell: (r) => (
                      <>
                        <StatusBadge status={r.status} /> {r.active ? <strong class="active-flag">{t('active')}</strong> : null}
                      </>
                    ),
                  },
                  { header: t('created'), cell: (r) => fmtTime(r.createdAt) },
                  {
                    header: t('view'),
                    hiddenHeader: true,
                    cell: (r) => (
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`${t('view')} v${r.version}`}
                        onClick={() => setSelected(r.version)}
                      >
                        {t('view')}
                      </button>
                    ),
                  },
                ]}
              />
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
  const [outcome, setOutcome] = useState<Outcome>();
  const fromActive = async () => {
    const r = await result(api.GET('/rulesets/active'));
    if (r.ok) setText(JSON.stringify(editable(r.data), null, 2));
    else setOutcome({ problem: r.problem, status: r.status });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const json = parseJson(text);
    if ('outcome' in json) return setOutcome(json.outcome);
    const body = json.value;
    const r = await result(api.POST('/rulesets', { body: body as never }));
    if (r.ok) {
      setOutcome({ status: r.status, message: `${t('draft')} v${r.data.version}` });
      onCreated(r.data.version);
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <Section title={t('draftEditor')} id="draft-editor">
      <form onSubmit={save}>
        <TextField label={t('draft')} id="draft-json" hint={t('draftHelp')} rows={16} code value={text} onInput={setText} />
        <div class="buttons">
          <button type="button" class="secondary" onClick={() => void fromActive()}>
            {t('startFromActive')}
          </button>
          <button type="submit">{t('saveDraft')}</button>
        </div>
      </form>
      <OutcomeView outcome={outcome} />
    </Section>
  );
}

function Version({ version, onPublished }: { version: number; onPublished: () => void }) {
  const state = useAsync(() => result(api.GET('/rulesets/{version}', { params: { path: { version } } })), [version]);
  // Held here, not in Publish: once the version reloads as PUBLISHED, Publish is gone, and the
  // officer must still read that it worked.
  const [published, setPublished] = useState<Outcome>();
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
                onPublished={(outcome) => {
                  setPublished(outcome);
                  state.reload();
                  onPublished();
                }}
              />
            ) : null}
            <OutcomeView outcome={published} />
          </Section>
          {rs.status === 'DRAFT' ? <Simulate version={rs.version} /> : <EffectivenessView version={rs.version} />}
        </>
      )}
    </Loaded>
  );
}

function Publish({ version, onPublished }: { version: number; onPublished: (outcome: Outcome) => void }) {
  const [asking, setAsking] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const publish = async () => {
    const r = await result(api.POST('/rulesets/{version}/publish', { params: { path: { version } } }));
    setAsking(false);
    if (r.ok) onPublished({ status: r.status, message: t('published', { v: version }) });
    else setOutcome({ problem: r.problem, status: r.status });
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
      <OutcomeView outcome={outcome} />
    </div>
  );
}

function Simulate({ version }: { version: number }) {
  const [sim, setSim] = useState<Simulation>();
  const [problem, setProblem] = useState<{ problem: Problem; status: number }>();
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
  const activeName = `${t('active')} v${sim?.activeVersion ?? '—'}`;
  const draftName = `${t('draft')} v${sim?.draftVersion ?? version}`;
  return (
    <Section title={`${t('simulation')} v${version}`} id="simulation">
      <form class="row" onSubmit={run}>
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
                { name: activeName, values: LANES.map((l) => sim.laneMix.active[l]), className: 's1' },
                { name: draftName, values: LANES.map((l) => sim.laneMix.draft[l]), className: 's2' },
              ]}
            />
            <BarChart
              title={t('workload')}
              categories={bureaus}
              series={[
                { name: activeName, values: bureaus.map((b) => sim.inspectionWorkload.active[b] ?? 0), className: 's1' },
                { name: draftName, values: bureaus.map((b) => sim.inspectionWorkload.draft[b] ?? 0), className: 's2' },
              ]}
            />
          </div>
          <div class="grid2">
            <DataTable<(typeof LANES)[number]>
              scroll={false}
              caption={t('laneMix')}
              rows={LANES}
              rowKey={(l) => l}
              columns={[
                { header: t('mode'), rowHeader: true, cell: (l) => l },
                { header: t('active'), num: true, cell: (l) => sim.laneMix.active[l] },
                { header: t('draft'), num: true, cell: (l) => sim.laneMix.draft[l] },
              ]}
            />
            <DataTable<string>
              scroll={false}
              caption={t('workload')}
              rows={bureaus}
              rowKey={(b) => b}
              columns={[
                { header: t('bureau'), rowHeader: true, cell: (b) => b },
                { header: t('active'), num: true, cell: (b) => sim.inspectionWorkload.active[b] ?? 0 },
                { header: t('draft'), num: true, cell: (b) => sim.inspectionWorkload.draft[b] ?? 0 },
              ]}
            />
          </div>
          <CapacityView capacity={sim.inspectionCapacity} activeName={activeName} draftName={draftName} />
          {sim.changed.length ? (
            <DataTable<Change>
              caption={t('changedDecisions')}
              rows={sim.changed.slice(0, 25)}
              rowKey={(c) => c.declarationId}
              columns={[
                { header: t('declaration'), cell: (c) => <DeclarationLink id={c.declarationId} /> },
                { header: t('active'), cell: (c) => (c.active ? `${c.active.mode} (${c.active.hits.join(', ') || '—'})` : '—') },
                { header: t('draft'), cell: (c) => `${c.draft.mode} (${c.draft.hits.join(', ') || '—'})` },
              ]}
            />
          ) : null}
        </>
      ) : null}
    </Section>
  );
}

const pct = (r: number | null | undefined) =>
  r === null || r === undefined ? '—' : r > 0 && r < 0.001 ? '< 0.1 %' : `${Math.round(r * 1000) / 10} %`;

/** Expected inspections per day at each bureau, active vs draft, against the bureau's own capacity. */
function CapacityView({
  capacity,
  activeName,
  draftName,
}: {
  capacity: Simulation['inspectionCapacity'];
  activeName: string;
  draftName: string;
}) {
  const rows = capacity.bureaus;
  return (
    <div class="grid2">
      <div>
        <BarChart
          title={t('expectedVsCapacity')}
          categories={rows.map((r) => r.bureau)}
          limits={rows.map((r) => r.dailyCapacity)}
          limitLabel={t('dailyCapacity')}
          series={[
            { name: activeName, values: rows.map((r) => r.expectedPerDay.active), className: 's1' },
            { name: draftName, values: rows.map((r) => r.expectedPerDay.draft), className: 's2' },
          ]}
        />
        <p class="hint">{t('capacityFromConfig', { days: capacity.periodDays })}</p>
      </div>
      <DataTable<BureauCapacity>
        caption={t('expectedVsCapacity')}
        rows={rows}
        rowKey={(r) => r.bureau}
        rowClass={(r) => (r.overCapacity.draft ? 'overdue' : undefined)}
        columns={[
          { header: t('bureau'), rowHeader: true, cell: (r) => r.bureau },
          { header: t('dailyCapacity'), num: true, cell: (r) => r.dailyCapacity },
          { header: `${t('expectedPerDay')} · ${t('active')}`, num: true, cell: (r) => r.expectedPerDay.active },
          { header: `${t('expectedPerDay')} · ${t('draft')}`, num: true, cell: (r) => r.expectedPerDay.draft },
          { header: `${t('utilisation')} · ${t('draft')}`, num: true, cell: (r) => pct(r.utilisation.draft) },
          {
            header: t('overCapacity'),
            cell: (r) =>
              r.overCapacity.draft ? (
                <strong class="overdue-flag">{t('overCapacity')}</strong>
              ) : r.overCapacity.active ? (
                `${t('active')} ✗`
              ) : (
                '—'
              ),
          },
        ]}
      />
    </div>
  );
}

function EffectivenessView({ version }: { version: number }) {
  return (
    <Section title={`${t('effectiveness')} v${version}`} id="effectiveness">
      <IfServed operation="GET /rulesets/{version}/effectiveness">{() => <EffectivenessLoaded version={version} />}</IfServed>
    </Section>
  );
}

/** Whether a rule's inspections find more than random sampling's do (its lift over the baseline). */
function verdictOf(r: RuleEffect, random: Effectiveness['random']): string {
  if (r.failRate === null || r.inspected === 0) return t('noInspections');
  if (r.liftOverRandom !== null) return r.liftOverRandom > 1 ? t('earnsInspections') : t('belowRandom');
  // No usable baseline (nothing sampled, or sampling found nothing): any failure found earns it.
  return r.failRate > (random.failRate ?? 0) ? t('earnsInspections') : t('belowRandom');
}

function EffectivenessLoaded({ version }: { version: number }) {
  const state = useAsync(() => result(api.GET('/rulesets/{version}/effectiveness', { params: { path: { version } } })), [version]);
  const percent = (v: number | null) => (v === null ? 0 : Math.round(v * 1000) / 10);
  return (
    <Loaded state={state}>
      {(e) => (
        <>
          <p class="hint">{t('effectivenessHelp')}</p>
          <div class="grid2">
            <BarChart
              title={`${t('failRate')} (%)`}
              categories={e.rules.map((r) => r.ruleId)}
              limit={e.random.failRate === null ? undefined : percent(e.random.failRate)}
              limitLabel={t('random')}
              series={[{ name: t('failRate'), values: e.rules.map((r) => percent(r.failRate)), className: 's2' }]}
            />
            <DataTable<RuleEffect | 'random'>
              caption={`${t('effectiveness')} v${version}`}
              rows={[...e.rules, 'random']}
              rowKey={(r) => (r === 'random' ? '~random' : r.ruleId)}
              rowClass={(r) => (r !== 'random' && verdictOf(r, e.random) === t('belowRandom') ? 'overdue' : undefined)}
              columns={[
                {
                  header: t('rule'),
                  rowHeader: true,
                  cell: (r) =>
                    r === 'random' ? (
                      t('random')
                    ) : (
                      <>
                        <code>{r.ruleId}</code> <small>{r.description}</small>
                      </>
                    ),
                },
                { header: t('fired'), num: true, cell: (r) => (r === 'random' ? '—' : r.fired) },
                { header: t('inspected'), num: true, cell: (r) => (r === 'random' ? e.random.inspected : r.inspected) },
                { header: t('failed'), num: true, cell: (r) => (r === 'random' ? e.random.failed : r.failed) },
                { header: t('failRate'), num: true, cell: (r) => pct(r === 'random' ? e.random.failRate : r.failRate) },
                {
                  header: t('liftOverRandom'),
                  num: true,
                  cell: (r) => (r === 'random' || r.liftOverRandom === null ? '—' : `× ${r.liftOverRandom}`),
                },
                { header: t('verdict'), cell: (r) => (r === 'random' ? '' : verdictOf(r, e.random)) },
              ]}
            />
          </div>
        </>
      )}
    </Loaded>
  );
}
