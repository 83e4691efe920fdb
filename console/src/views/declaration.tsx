/**
 * One declaration, for everyone who may read it: lines, decision (hits and plain-word reasons),
 * steps with who/where/when, overrides, release and timeline. Officers record step outcomes and
 * propose/confirm overrides; the declaring enterprise amends or cancels.
 */
import { useState } from 'preact/hooks';
import { api, pending, result, served, type Declaration, type Principal, type Problem, type Result } from '../api/client';
import { t } from '../i18n';
import { Field, fmtTime, Loaded, ProblemView, Section, StatusBadge, Unavailable, useAsync, yesNo } from '../ui';

/** Contract section 12: an override as `GET /declarations/{id}` lists it once the platform has them. */
type Override = {
  id: string;
  action: 'ADD_STEP' | 'WAIVE_STEP';
  kind: string;
  bureau?: string;
  reasonCode: string;
  remarks?: string;
  status: string;
  proposedBy?: string;
  proposedAt?: string;
  confirmedBy?: string;
};
type DeclarationWithExtras = Declaration & { overrides?: Override[]; revision?: number };

const OVERRIDE_REASONS = ['INTELLIGENCE', 'STANDARD_EXCEPTION', 'ARTICULABLE_REASON', 'CAPACITY', 'OTHER'];
const CANCEL_REASONS = ['C01', 'C02', 'C03', 'C04', 'C05'];
const STEP_KINDS = ['ORIGIN_INSPECTION', 'PORT_VERIFICATION', 'PORT_INSPECTION', 'DESTINATION_INSPECTION', 'PORT_DISINFECTION'];

export function DeclarationPage({ id, me }: { id: string; me: Principal }) {
  const state = useAsync(() => result(api.GET('/declarations/{id}', { params: { path: { id } } })), [id]);
  return <Loaded state={state}>{(d) => <DeclarationDetail d={d as DeclarationWithExtras} me={me} reload={state.reload} />}</Loaded>;
}

function DeclarationDetail({ d, me, reload }: { d: DeclarationWithExtras; me: Principal; reload: () => void }) {
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
        {d.revision ? ` · rev ${d.revision}` : ''}
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
              {d.decision.hits.length ? (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('rule')}</th>
                      <th scope="col">{t('effect')}</th>
                      <th scope="col">{t('detail')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.decision.hits.map((h) => (
                      <tr key={h.ruleId}>
                        <td>
                          <code>{h.ruleId}</code>
                        </td>
                        <td>{h.effect}</td>
                        <td>{h.detail}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p>{t('none')}</p>
              )}
            </>
          ) : (
            <p>{t('noDecisionYet')}</p>
          )}
        </Section>
        <Section title={t('steps')} id="steps">
          {d.steps.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('bureau')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('recordedBy')}</th>
                  <th scope="col">{t('recordedAt')}</th>
                  <th scope="col">{t('remarks')}</th>
                </tr>
              </thead>
              <tbody>
                {d.steps.map((s) => (
                  <tr key={s.kind + s.bureau}>
                    <td>{s.kind}</td>
                    <td>{s.bureau}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td>{s.recordedByBureau ?? '—'}</td>
                    <td>{fmtTime(s.recordedAt)}</td>
                    <td>{s.remarks ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{t('none')}</p>
          )}
          {isInspector
            ? d.steps
                .filter((s) => s.status === 'PENDING' && s.bureau === me.bureau && d.status === 'INSPECTION_REQUIRED')
                .map((s) => <RecordStep key={s.kind} id={d.id} kind={s.kind} onDone={reload} />)
            : null}
        </Section>
      </div>
      <Section title={t('lines')} id="lines">
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('hsCode')}</th>
                <th scope="col">{t('description')}</th>
                <th scope="col" class="num">
                  {t('quantity')}
                </th>
                <th scope="col" class="num">
                  {t('valueUsd')}
                </th>
              </tr>
            </thead>
            <tbody>
              {d.lines.map((l, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <code>{l.hsCode}</code>
                  </td>
                  <td>{l.description}</td>
                  <td class="num">
                    {l.quantity} {l.unit}
                  </td>
                  <td class="num">{l.valueUsd.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colSpan={4}>Σ</td>
                <td class="num">{totalValue.toLocaleString()}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </Section>
      {isInspector || d.overrides?.length ? <Overrides d={d} me={me} isInspector={isInspector} reload={reload} /> : null}
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

function RecordStep({ id, kind, onDone }: { id: string; kind: string; onDone: () => void }) {
  const [remarks, setRemarks] = useState('');
  const [problem, setProblem] = useState<Result<unknown>>();
  const send = async (outcome: 'PASS' | 'FAIL') => {
    const r = await result(
      api.POST('/declarations/{id}/steps/{kind}', {
        params: { path: { id, kind: kind as 'ORIGIN_INSPECTION' } },
        body: { outcome, ...(remarks ? { remarks } : {}) },
      }),
    );
    if (r.ok) onDone();
    else setProblem(r);
  };
  const fieldId = `remarks-${kind}`;
  return (
    <form class="inline-form" onSubmit={(e) => e.preventDefault()} aria-label={`${t('recordOutcome')}: ${kind}`}>
      <h3>
        {t('recordOutcome')}: {kind}
      </h3>
      <Field label={t('remarks')} id={fieldId}>
        <input id={fieldId} value={remarks} maxLength={1000} onInput={(e) => setRemarks((e.target as HTMLInputElement).value)} />
      </Field>
      <div class="buttons">
        <button type="button" class="pass" onClick={() => void send('PASS')}>
          {t('pass')}
        </button>
        <button type="button" class="fail" onClick={() => void send('FAIL')}>
          {t('fail')}
        </button>
      </div>
      {problem && !problem.ok ? <ProblemView problem={problem.problem} status={problem.status} /> : null}
    </form>
  );
}

function Overrides({ d, me, isInspector, reload }: { d: DeclarationWithExtras; me: Principal; isInspector: boolean; reload: () => void }) {
  const op = 'POST /declarations/{id}/overrides';
  const [action, setAction] = useState<'ADD_STEP' | 'WAIVE_STEP'>('ADD_STEP');
  const [kind, setKind] = useState(STEP_KINDS[0]!);
  const [reasonCode, setReasonCode] = useState(OVERRIDE_REASONS[0]!);
  const [remarks, setRemarks] = useState('');
  const [outcome, setOutcome] = useState<{ problem?: Problem; status: number; message?: string }>();
  const propose = async (e: Event) => {
    e.preventDefault();
    const r = await pending<{ id: string; status: string }>('POST', `/declarations/${encodeURIComponent(d.id)}/overrides`, {
      action,
      kind,
      bureau: me.bureau,
      reasonCode,
      remarks,
    });
    if (r.ok) {
      setOutcome({ status: r.status, message: `${r.data.id}: ${r.data.status}` });
      reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  const confirm = async (overrideId: string) => {
    const r = await pending('POST', `/declarations/${encodeURIComponent(d.id)}/overrides/${encodeURIComponent(overrideId)}/confirm`, {});
    if (r.ok) reload();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <Section title={t('overrides')} id="overrides">
      {d.overrides?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('action')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('reasonCode')}</th>
              <th scope="col">{t('remarks')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('confirm')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.overrides.map((o) => (
              <tr key={o.id}>
                <td>{o.action}</td>
                <td>
                  {o.kind} {o.bureau ?? ''}
                </td>
                <td>{o.reasonCode}</td>
                <td>{o.remarks ?? ''}</td>
                <td>
                  <StatusBadge status={o.status} />
                </td>
                <td>
                  {isInspector && o.status === 'PENDING_CONFIRMATION' ? (
                    <button type="button" onClick={() => void confirm(o.id)}>
                      {t('confirm')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('none')}</p>
      )}
      {isInspector ? (
        served(op) ? (
          <form onSubmit={propose} class="inline-form">
            <h3>{t('proposeOverride')}</h3>
            <div class="row">
              <Field label={t('action')} id="ov-action">
                <select id="ov-action" value={action} onChange={(e) => setAction((e.target as HTMLSelectElement).value as 'ADD_STEP')}>
                  <option value="ADD_STEP">ADD_STEP</option>
                  <option value="WAIVE_STEP">WAIVE_STEP</option>
                </select>
              </Field>
              <Field label={t('kind')} id="ov-kind">
                <select id="ov-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
                  {STEP_KINDS.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
              </Field>
              <Field label={t('reasonCode')} id="ov-reason">
                <select id="ov-reason" value={reasonCode} onChange={(e) => setReasonCode((e.target as HTMLSelectElement).value)}>
                  {OVERRIDE_REASONS.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
              </Field>
            </div>
            <Field label={t('remarks')} id="ov-remarks">
              <input
                id="ov-remarks"
                required
                maxLength={500}
                value={remarks}
                onInput={(e) => setRemarks((e.target as HTMLInputElement).value)}
              />
            </Field>
            <button type="submit">{t('submit')}</button>
          </form>
        ) : (
          <Unavailable operation={op} />
        )
      ) : null}
      {outcome?.message ? <p role="status">{outcome.message}</p> : null}
      {outcome?.problem ? <ProblemView problem={outcome.problem} status={outcome.status} /> : null}
    </Section>
  );
}

/** The declaring enterprise: amend (returned, or not yet inspected) and cancel. */
function OwnerActions({ d, reload }: { d: DeclarationWithExtras; reload: () => void }) {
  const amendOp = 'PUT /declarations/{id}';
  const cancelOp = 'POST /declarations/{id}/cancel';
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
  const [outcome, setOutcome] = useState<{ problem?: Problem; status: number; message?: string }>();
  const amendable = ['ACCEPTED', 'RETURNED', 'INSPECTION_REQUIRED'].includes(d.status);
  const cancellable = !['RELEASED', 'FAILED', 'CANCELLED'].includes(d.status);
  const amend = async (e: Event) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      setOutcome({ status: 0, problem: { title: t('invalidJson'), detail: String(err) } });
      return;
    }
    const r = await pending('PUT', `/declarations/${encodeURIComponent(d.id)}`, { ...(parsed as object), amendmentReason: reason });
    if (r.ok) {
      setOutcome({ status: r.status, message: t('saved') });
      reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  const cancel = async (e: Event) => {
    e.preventDefault();
    if (!window.confirm(`${t('cancelDeclaration')}: ${d.id}?`)) return;
    const r = await pending('POST', `/declarations/${encodeURIComponent(d.id)}/cancel`, { reasonCode: cancelCode });
    if (r.ok) reload();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  if (!amendable && !cancellable) return null;
  return (
    <div class="grid2">
      {amendable ? (
        <Section title={t('amend')} id="amend">
          {served(amendOp) ? (
            <form onSubmit={amend}>
              <Field label={t('declaration')} id="amend-body" hint={t('amendHelp')}>
                <textarea
                  id="amend-body"
                  rows={12}
                  aria-describedby="amend-body-hint"
                  value={body}
                  onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)}
                />
              </Field>
              <Field label={t('amendmentReason')} id="amend-reason">
                <input
                  id="amend-reason"
                  required
                  maxLength={500}
                  value={reason}
                  onInput={(e) => setReason((e.target as HTMLInputElement).value)}
                />
              </Field>
              <button type="submit">{t('amend')}</button>
            </form>
          ) : (
            <Unavailable operation={amendOp} />
          )}
        </Section>
      ) : null}
      {cancellable ? (
        <Section title={t('cancelDeclaration')} id="cancel">
          {served(cancelOp) ? (
            <form onSubmit={cancel}>
              <Field label={t('reasonCode')} id="cancel-code">
                <select id="cancel-code" value={cancelCode} onChange={(e) => setCancelCode((e.target as HTMLSelectElement).value)}>
                  {CANCEL_REASONS.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </Field>
              <button type="submit" class="fail">
                {t('cancelDeclaration')}
              </button>
            </form>
          ) : (
            <Unavailable operation={cancelOp} />
          )}
        </Section>
      ) : null}
      {outcome?.message ? <p role="status">{outcome.message}</p> : null}
      {outcome?.problem ? <ProblemView problem={outcome.problem} status={outcome.status} /> : null}
    </div>
  );
}
