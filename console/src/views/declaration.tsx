/**
 * One declaration, for everyone who may read it: lines, decision (hits and plain-word reasons),
 * steps with who/where/when, overrides, release and timeline. Officers record step outcomes and
 * propose/confirm overrides; the declaring enterprise amends or cancels.
 */
import { useState } from 'preact/hooks';
import { api, result, type Declaration, type Principal, type Schemas } from '../api/client';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { IfServed, OutcomeView, parseJson, type Outcome } from '../components/Notice';
import { t } from '../i18n';
import { fmtTime, Loaded, Section, StatusBadge, useAsync, yesNo } from '../ui';

type Override = Schemas['Override'];
type Step = Declaration['steps'][number];
type Line = Declaration['lines'][number];
type Hit = NonNullable<Declaration['decision']>['hits'][number];
type StepKind = Override['kind'];

const OVERRIDE_REASONS = ['INTELLIGENCE', 'STANDARD_EXCEPTION', 'ARTICULABLE_REASON', 'CAPACITY', 'OTHER'];
const CANCEL_REASONS = ['C01', 'C02', 'C03', 'C04', 'C05'];
const STEP_KINDS: StepKind[] = ['ORIGIN_INSPECTION', 'PORT_VERIFICATION', 'PORT_INSPECTION', 'DESTINATION_INSPECTION', 'PORT_DISINFECTION'];

export function DeclarationPage({ id, me }: { id: string; me: Principal }) {
  const state = useAsync(() => result(api.GET('/declarations/{id}', { params: { path: { id } } })), [id]);
  return <Loaded state={state}>{(d) => <DeclarationDetail d={d} me={me} reload={state.reload} />}</Loaded>;
}

/** The bureaus a declaration involves (where an officer may override it). */
const involved = (d: Declaration) => [
  ...new Set([d.declaredAt, d.portBureau, d.inspectionBureau, d.releaseBureau, ...d.steps.map((s) => s.bureau)]),
];

function DeclarationDetail({ d, me, reload }: { d: Declaration; me: Principal; reload: () => void }) {
  const isInspector = me.kind === 'officer' && !!me.roles?.includes('inspector');
  const isOwner = me.kind === 'enterprise' && me.enterpriseId === d.enterpriseId;
  const totalValue = d.lines.reduce((s, l) => s + l.valueUsd, 0);
  return (
    <>
      <h1>
        {t('declaration')} <code>{d.id}</code> <StatusBadge status={d.status} />
      </h1>
      <p class="meta">
        {d.clientRef} · {d.enterpriseId} · {d.direction} · {d.declaredAt} → {d.portBureau}
        {d.port ? ` (${d.port})` : ''} · {t('inspectedAt')} {d.inspectionBureau} · {t('release')} {d.releaseBureau} · {d.transport} ·{' '}
        {d.originCountry} → {d.destinationCountry}
        {d.revision > 1 ? ` · rev ${d.revision}` : ''}
      </p>
      <div class="grid2">
        <Section title={t('decision')} id="decision">
          {d.decision ? (
            <>
              <dl class="facts">
                <dt>{t('mode')}</dt>
                <dd>
                  <StatusBadge status={d.decision.mode} />
                </dd>
                <dt>{t('route')}</dt>
                <dd>{d.decision.route}</dd>
                <dt>{t('creditLevel')}</dt>
                <dd>
                  {d.decision.creditLevel}
                  {d.decision.blacklisted ? ` · ${t('blacklisted')}` : ''}
                </dd>
                <dt>{t('sampled')}</dt>
                <dd>
                  {yesNo(d.decision.sampled)} ({t('samplingRate')} {d.decision.samplingRate})
                </dd>
                <dt>{t('version')}</dt>
                <dd>{d.decision.ruleSetVersion}</dd>
              </dl>
              {d.decision.reasons?.length ? (
                <>
                  <h3>{t('reasons')}</h3>
                  <ul class="reasons">
                    {d.decision.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </>
              ) : null}
              <h3>{t('ruleHits')}</h3>
              <DataTable<Hit>
                scroll={false}
                rows={d.decision.hits}
                rowKey={(h) => h.ruleId}
                empty={t('none')}
                columns={[
                  { header: t('rule'), cell: (h) => <code>{h.ruleId}</code> },
                  { header: t('effect'), cell: (h) => h.effect },
                  { header: t('detail'), cell: (h) => h.detail },
                ]}
              />
            </>
          ) : (
            <p>{t('noDecisionYet')}</p>
          )}
        </Section>
        <Section title={t('steps')} id="steps">
          <DataTable<Step>
            rows={d.steps}
            rowKey={(s) => s.kind + s.bureau}
            empty={t('none')}
            columns={[
              { header: t('kind'), cell: (s) => s.kind },
              { header: t('bureau'), cell: (s) => s.bureau },
              { header: t('status'), cell: (s) => <StatusBadge status={s.status} /> },
              { header: t('recordedBy'), cell: (s) => s.recordedByBureau ?? '—' },
              { header: t('recordedAt'), cell: (s) => fmtTime(s.recordedAt) },
              { header: t('remarks'), cell: (s) => s.remarks ?? '' },
            ]}
          />
          {isInspector
            ? d.steps
                .filter((s) => s.status === 'PENDING' && s.bureau === me.bureau && d.status === 'INSPECTION_REQUIRED')
                .map((s) => <RecordStep key={s.kind} id={d.id} kind={s.kind} onDone={reload} />)
            : null}
        </Section>
      </div>
      <Section title={t('lines')} id="lines">
        <DataTable<Line>
          rows={d.lines}
          rowKey={(_, i) => i}
          columns={[
            { header: '#', cell: (_, i) => i + 1 },
            { header: t('hsCode'), cell: (l) => <code>{l.hsCode}</code> },
            { header: t('description'), cell: (l) => l.description },
            { header: t('quantity'), num: true, cell: (l) => `${l.quantity} ${l.unit}` },
            { header: t('valueUsd'), num: true, cell: (l) => l.valueUsd.toLocaleString() },
          ]}
          footer={
            <tr>
              <td colSpan={4}>Σ</td>
              <td class="num">{totalValue.toLocaleString()}</td>
            </tr>
          }
        />
      </Section>
      {isInspector || d.overrides.length ? <Overrides d={d} me={me} isInspector={isInspector} reload={reload} /> : null}
      {d.release ? (
        <Section title={t('release')} id="release">
          <dl class="facts">
            <dt>{t('bureau')}</dt>
            <dd>{d.release.bureau}</dd>
            <dt>{t('certificate')}</dt>
            <dd>
              <a href={`/verify#${encodeURIComponent(d.release.certificateNo)}`}>{d.release.certificateNo}</a>
            </dd>
            <dt>{t('at')}</dt>
            <dd>{fmtTime(d.release.releasedAt)}</dd>
            <dt>{t('mode')}</dt>
            <dd>{d.release.mode}</dd>
          </dl>
        </Section>
      ) : null}
      {isOwner ? <OwnerActions d={d} reload={reload} /> : null}
      <Section title={t('timeline')} id="timeline">
        <ol class="timeline">
          {d.timeline.map((e, i) => (
            <li key={i}>
              <time dateTime={e.at}>{fmtTime(e.at)}</time> <StatusBadge status={e.status} /> {e.bureau ? <strong>{e.bureau}</strong> : null}{' '}
              {e.detail}
            </li>
          ))}
        </ol>
      </Section>
    </>
  );
}

function RecordStep({ id, kind, onDone }: { id: string; kind: Step['kind']; onDone: () => void }) {
  const [remarks, setRemarks] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const send = async (verdict: 'PASS' | 'FAIL') => {
    const r = await result(
      api.POST('/declarations/{id}/steps/{kind}', {
        params: { path: { id, kind } },
        body: { outcome: verdict, ...(remarks ? { remarks } : {}) },
      }),
    );
    if (r.ok) onDone();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <form class="inline-form" onSubmit={(e) => e.preventDefault()} aria-label={`${t('recordOutcome')}: ${kind}`}>
      <h3>
        {t('recordOutcome')}: {kind}
      </h3>
      <TextField label={t('remarks')} id={`remarks-${kind}`} value={remarks} maxLength={1000} onInput={setRemarks} />
      <div class="buttons">
        <button type="button" class="pass" onClick={() => void send('PASS')}>
          {t('pass')}
        </button>
        <button type="button" class="fail" onClick={() => void send('FAIL')}>
          {t('fail')}
        </button>
      </div>
      <OutcomeView outcome={outcome} />
    </form>
  );
}

/**
 * Overrides (contract section 12): ADD_STEP applies at once; WAIVE_STEP waits for a second officer
 * of the proposing bureau, so the proposer is not offered the confirmation (the API would say 403).
 */
function Overrides({ d, me, isInspector, reload }: { d: Declaration; me: Principal; isInspector: boolean; reload: () => void }) {
  const [action, setAction] = useState<Override['action']>('ADD_STEP');
  const [kind, setKind] = useState<StepKind>(STEP_KINDS[0]!);
  const [bureau, setBureau] = useState('');
  const [reasonCode, setReasonCode] = useState(OVERRIDE_REASONS[0]!);
  const [remarks, setRemarks] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  // A waiver names a pending step; an added step may be any kind.
  const pendingKinds = [...new Set(d.steps.filter((s) => s.status === 'PENDING').map((s) => s.kind as StepKind))];
  const kindOptions = action === 'WAIVE_STEP' && pendingKinds.length ? pendingKinds : STEP_KINDS;
  const chosenKind = kindOptions.includes(kind) ? kind : kindOptions[0]!;
  const path = { id: d.id };
  const propose = async (e: Event) => {
    e.preventDefault();
    const r = await result(
      api.POST('/declarations/{id}/overrides', {
        params: { path },
        body: {
          action,
          kind: chosenKind,
          reasonCode: reasonCode as Schemas['OverrideInput']['reasonCode'],
          remarks,
          ...(bureau ? { bureau: bureau as Override['bureau'] } : {}),
        },
      }),
    );
    if (r.ok) {
      setOutcome({ status: r.status, message: `${r.data.id}: ${r.data.status}` });
      setRemarks('');
      reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  const confirm = async (overrideId: string) => {
    const r = await result(api.POST('/declarations/{id}/overrides/{overrideId}/confirm', { params: { path: { ...path, overrideId } } }));
    if (r.ok) {
      setOutcome({ status: r.status, message: `${r.data.id}: ${r.data.status}` });
      reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  const mayConfirm = (o: Override) =>
    isInspector && o.status === 'PENDING_CONFIRMATION' && o.proposedBy.principalId !== me.id && o.proposedBy.bureau === me.bureau;
  return (
    <Section title={t('overrides')} id="overrides">
      <DataTable<Override>
        rows={d.overrides}
        rowKey={(o) => o.id}
        empty={t('none')}
        columns={[
          { header: t('action'), cell: (o) => o.action },
          { header: t('kind'), cell: (o) => `${o.kind} ${o.bureau}` },
          { header: t('reasonCode'), cell: (o) => o.reasonCode },
          { header: t('remarks'), cell: (o) => o.remarks },
          { header: t('proposedBy'), cell: (o) => `${o.proposedBy.bureau} · ${fmtTime(o.proposedAt)}` },
          { header: t('confirmedBy'), cell: (o) => (o.confirmedBy ? `${o.confirmedBy.bureau} · ${fmtTime(o.confirmedAt)}` : '—') },
          { header: t('status'), cell: (o) => <StatusBadge status={o.status} /> },
          {
            header: t('confirm'),
            hiddenHeader: true,
            cell: (o) =>
              mayConfirm(o) ? (
                <button type="button" aria-label={`${t('confirm')} ${o.action} ${o.kind}`} onClick={() => void confirm(o.id)}>
                  {t('confirm')}
                </button>
              ) : o.status === 'PENDING_CONFIRMATION' ? (
                <small>{t('awaitsSecondOfficer')}</small>
              ) : null,
          },
        ]}
      />
      {/* Overrides change an audit still in progress (section 12): none once released, failed or cancelled. */}
      {isInspector && (d.status === 'INSPECTION_REQUIRED' || d.status === 'ACCEPTED') ? (
        <IfServed operation="POST /declarations/{id}/overrides">
          {() => (
            <form onSubmit={propose} class="inline-form" aria-label={t('proposeOverride')}>
              <h3>{t('proposeOverride')}</h3>
              <div class="row">
                <SelectField
                  label={t('action')}
                  id="ov-action"
                  value={action}
                  onChange={(v) => setAction(v as Override['action'])}
                  options={['ADD_STEP', 'WAIVE_STEP']}
                />
                <SelectField
                  label={t('kind')}
                  id="ov-kind"
                  value={chosenKind}
                  onChange={(v) => setKind(v as StepKind)}
                  options={kindOptions}
                />
                <SelectField
                  label={t('bureau')}
                  id="ov-bureau"
                  value={bureau}
                  onChange={setBureau}
                  options={[{ value: '', label: t('whereTheRoutePutsIt') }, ...involved(d)]}
                />
                <SelectField
                  label={t('reasonCode')}
                  id="ov-reason"
                  value={reasonCode}
                  onChange={setReasonCode}
                  options={OVERRIDE_REASONS}
                />
              </div>
              <TextField label={t('remarks')} id="ov-remarks" required maxLength={500} value={remarks} onInput={setRemarks} />
              <button type="submit">{t('submit')}</button>
            </form>
          )}
        </IfServed>
      ) : null}
      <OutcomeView outcome={outcome} />
    </Section>
  );
}

/** The declaring enterprise: amend (returned, or not yet inspected) and cancel. */
function OwnerActions({ d, reload }: { d: Declaration; reload: () => void }) {
  const input = {
    clientRef: d.clientRef,
    enterpriseId: d.enterpriseId,
    direction: d.direction,
    declaredAt: d.declaredAt,
    portBureau: d.portBureau,
    ...(d.port ? { port: d.port } : {}),
    inspectionBureau: d.inspectionBureau,
    releaseBureau: d.releaseBureau,
    transport: d.transport,
    originCountry: d.originCountry,
    destinationCountry: d.destinationCountry,
    ...(d.containers?.length ? { containers: d.containers } : {}),
    lines: d.lines,
    ...(d.documents?.length ? { documents: d.documents } : {}),
  };
  const [body, setBody] = useState(JSON.stringify(input, null, 2));
  const [reason, setReason] = useState('');
  const [cancelCode, setCancelCode] = useState(CANCEL_REASONS[0]!);
  const [outcome, setOutcome] = useState<Outcome>();
  const amendable = ['ACCEPTED', 'RETURNED', 'INSPECTION_REQUIRED'].includes(d.status);
  const cancellable = !['RELEASED', 'FAILED', 'CANCELLED'].includes(d.status);
  const path = { id: d.id };
  const amend = async (e: Event) => {
    e.preventDefault();
    const json = parseJson(body);
    if ('outcome' in json) return setOutcome(json.outcome);
    const parsed = json.value;
    const r = await result(
      api.PUT('/declarations/{id}', { params: { path }, body: { ...(parsed as object), amendmentReason: reason } as never }),
    );
    if (r.ok) {
      setOutcome({ status: r.status, message: t('saved') });
      reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  const cancel = async (e: Event) => {
    e.preventDefault();
    if (!window.confirm(`${t('cancelDeclaration')}: ${d.id}?`)) return;
    const r = await result(api.POST('/declarations/{id}/cancel', { params: { path }, body: { reasonCode: cancelCode } as never }));
    if (r.ok) reload();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  if (!amendable && !cancellable) return null;
  return (
    <div class="grid2">
      {amendable ? (
        <Section title={t('amend')} id="amend">
          <IfServed operation="PUT /declarations/{id}">
            {() => (
              <form onSubmit={amend}>
                <TextField label={t('declaration')} id="amend-body" hint={t('amendHelp')} rows={12} code value={body} onInput={setBody} />
                <TextField label={t('amendmentReason')} id="amend-reason" required maxLength={500} value={reason} onInput={setReason} />
                <button type="submit">{t('amend')}</button>
              </form>
            )}
          </IfServed>
        </Section>
      ) : null}
      {cancellable ? (
        <Section title={t('cancelDeclaration')} id="cancel">
          <IfServed operation="POST /declarations/{id}/cancel">
            {() => (
              <form onSubmit={cancel}>
                <SelectField
                  label={t('reasonCode')}
                  id="cancel-code"
                  value={cancelCode}
                  onChange={setCancelCode}
                  options={CANCEL_REASONS}
                />
                <button type="submit" class="fail">
                  {t('cancelDeclaration')}
                </button>
              </form>
            )}
          </IfServed>
        </Section>
      ) : null}
      <OutcomeView outcome={outcome} />
    </div>
  );
}
