/**
 * The enterprise's console (contract sections 5, 9, 13, 14, 18): its declarations (detail with
 * reasons in plain words, amend, cancel: see declaration.tsx), a "check my declaration" form
 * before filing, the webhook endpoint with its delivery log and retry, and credit with objections.
 */
import { useState } from 'preact/hooks';
import { api, result, served, type Principal, type Schemas } from '../api/client';
import { DeclarationLink } from '../components/cells';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { IfServed, OutcomeView, parseJson, type Outcome } from '../components/Notice';
import { t, type Label } from '../i18n';
import { fmtTime, Loaded, Section, StatusBadge, useAsync, yesNo } from '../ui';

type Summary = Schemas['DeclarationSummary'];
type DocumentRule = Schemas['Requirements']['documentRules'][number];
type Delivery = Schemas['WebhookDeliveryList']['items'][number];
type CreditChange = Schemas['Credit']['history'][number];
type Objection = Schemas['CreditObjectionList']['items'][number];

const TABS: { id: string; label: Label }[] = [
  { id: 'declarations', label: 'myDeclarations' },
  { id: 'check', label: 'checkDeclaration' },
  { id: 'webhook', label: 'webhook' },
  { id: 'credit', label: 'credit' },
];
const STATUSES = ['ACCEPTED', 'RETURNED', 'INSPECTION_REQUIRED', 'RELEASED', 'FAILED', 'CANCELLED'];
const EVENTS = [
  'declaration.released',
  'declaration.inspection_required',
  'declaration.returned',
  'declaration.failed',
  'enterprise.credit_changed',
];

export function EnterpriseView({ me, tab = 'declarations' }: { me: Principal; tab?: string }) {
  return (
    <>
      <h1>
        {t('enterprise')} · {me.enterpriseId}
      </h1>
      <nav aria-label={t('enterprise')} class="tabs">
        <ul>
          {TABS.map((x) => (
            <li key={x.id}>
              <a href={`#/enterprise/${x.id}`} aria-current={tab === x.id ? 'page' : undefined}>
                {t(x.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'check' ? (
        <CheckDeclaration me={me} />
      ) : tab === 'webhook' ? (
        <WebhookView />
      ) : tab === 'credit' ? (
        <CreditView code={me.enterpriseId!} />
      ) : (
        <Declarations />
      )}
    </>
  );
}

function Declarations() {
  const [status, setStatus] = useState('');
  const state = useAsync(
    () => result(api.GET('/declarations', { params: { query: { limit: 50, ...(status ? { status: status as 'ACCEPTED' } : {}) } } })),
    [status],
  );
  return (
    <Section title={t('myDeclarations')} id="declarations">
      <form class="row filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('status')}
          id="dl-status"
          value={status}
          onChange={setStatus}
          options={[{ value: '', label: t('all') }, ...STATUSES]}
        />
      </form>
      <Loaded state={state}>
        {(data) => (
          <DataTable<Summary>
            rows={data.items}
            rowKey={(d) => d.id}
            empty={t('noItems')}
            columns={[
              { header: t('declaration'), cell: (d) => <DeclarationLink id={d.id} /> },
              { header: 'clientRef', cell: (d) => d.clientRef },
              { header: t('status'), cell: (d) => <StatusBadge status={d.status} /> },
              { header: t('direction'), cell: (d) => `${d.direction} ${d.declaredAt} → ${d.releaseBureau}` },
              { header: t('reasons'), cell: (d) => <span class="reasons-cell">{d.decision?.reasons?.join('; ') ?? ''}</span> },
              { header: t('created'), cell: (d) => fmtTime(d.createdAt) },
            ]}
          />
        )}
      </Loaded>
    </Section>
  );
}

const sampleDeclaration = (enterpriseId: string) => ({
  clientRef: 'PO-CHECK-1',
  enterpriseId,
  direction: 'EXPORT',
  declaredAt: 'XJ',
  portBureau: 'XJ',
  port: 'AKU',
  inspectionBureau: 'HA',
  releaseBureau: 'HA',
  transport: 'RAIL',
  originCountry: 'CN',
  destinationCountry: 'KZ',
  lines: [{ hsCode: '8471300000', description: 'Laptop computers', quantity: 200, unit: 'PCS', valueUsd: 90000 }],
});

function CheckDeclaration({ me }: { me: Principal }) {
  const op = 'POST /declarations/check';
  const [text, setText] = useState(JSON.stringify(sampleDeclaration(me.enterpriseId ?? ''), null, 2));
  const [answer, setAnswer] = useState<Schemas['DeclarationCheck']>();
  const [outcome, setOutcome] = useState<Outcome>();
  const check = async (e: Event) => {
    e.preventDefault();
    const json = parseJson(text);
    if ('outcome' in json) return setOutcome(json.outcome);
    const body = json.value;
    const r = await result(api.POST('/declarations/check', { body: body as never }));
    if (r.ok) {
      setAnswer(r.data);
      setOutcome(undefined);
    } else {
      setAnswer(undefined);
      setOutcome({ problem: r.problem, status: r.status });
    }
  };
  return (
    <>
      <div class="grid2">
        <Section title={t('checkDeclaration')} id="check">
          <IfServed operation={op}>
            {() => (
              <form onSubmit={check}>
                <TextField label={t('declaration')} id="check-body" hint={t('checkHelp')} rows={16} code value={text} onInput={setText} />
                <button type="submit">{t('check')}</button>
              </form>
            )}
          </IfServed>
          <OutcomeView outcome={outcome} />
        </Section>
        {answer ? <CheckAnswer answer={answer} /> : null}
      </div>
      <DocumentRules />
    </>
  );
}

/** What the check answered, in the words an enterprise needs: lane, steps, what is missing, why. */
function CheckAnswer({ answer: a }: { answer: Schemas['DeclarationCheck'] }) {
  return (
    <Section title={t('checkResult')} id="check-result">
      <dl class="facts">
        <dt>{t('mode')}</dt>
        <dd>
          <StatusBadge status={a.mode} />
        </dd>
        <dt>{t('route')}</dt>
        <dd>{a.route}</dd>
        <dt>{t('steps')}</dt>
        <dd>{a.steps.length ? a.steps.map((s) => `${s.kind} @ ${s.bureau}`).join(', ') : t('none')}</dd>
        <dt>{t('release')}</dt>
        <dd>{a.releaseBureau}</dd>
        <dt>{t('samplingRate')}</dt>
        <dd>
          {a.samplingRate}
          {a.ifSelected
            ? ` · ${t('ifSelected')}: ${a.ifSelected.mode} ${a.ifSelected.addedSteps.map((s) => `${s.kind} @ ${s.bureau}`).join(', ')}`
            : ''}
        </dd>
      </dl>
      <h3>{t('missingDocuments')}</h3>
      {a.missingDocuments.length ? (
        <ul class="reasons">
          {a.missingDocuments.map((m) => (
            <li key={m.ruleId}>
              <strong>{m.documentTypes.join(', ')}</strong> ({m.ruleId})
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('none')}</p>
      )}
      {a.reasons.length ? (
        <>
          <h3>{t('reasons')}</h3>
          <ul class="reasons">
            {a.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

/** GET /requirements: the documents each kind of goods needs, before anything is filed. */
function DocumentRules() {
  return (
    <Section title={t('requirements')} id="requirements">
      <IfServed operation="GET /requirements">{() => <DocumentRulesLoaded />}</IfServed>
    </Section>
  );
}

function DocumentRulesLoaded() {
  const state = useAsync(() => result(api.GET('/requirements')), []);
  return (
    <Loaded state={state}>
      {(r) => (
        <DataTable<DocumentRule>
          caption={`${t('version')} v${r.ruleSetVersion}`}
          rows={r.documentRules}
          rowKey={(d) => d.ruleId}
          columns={[
            { header: t('rule'), cell: (d) => <code>{d.ruleId}</code> },
            { header: t('direction'), cell: (d) => d.directions.join(', ') },
            { header: t('hsCode'), cell: (d) => (d.hsPrefixes ? d.hsPrefixes.join(' ') : t('all')) },
            { header: t('documents'), cell: (d) => <strong>{d.documentTypes.join(', ')}</strong> },
            { header: t('description'), cell: (d) => d.description },
          ]}
        />
      )}
    </Loaded>
  );
}

function WebhookView() {
  const hook = useAsync(() => result(api.GET('/webhook')), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(EVENTS);
  const [secret, setSecret] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>();
  const save = async (e: Event) => {
    e.preventDefault();
    const r = await result(api.PUT('/webhook', { body: { url, events: events as never } }));
    if (r.ok) {
      setSecret(r.data.secret);
      setOutcome({ status: r.status, message: t('saved') });
      hook.reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  const remove = async () => {
    const r = await result(api.DELETE('/webhook'));
    if (r.ok) hook.reload();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  const rotate = async () => {
    const r = await result(api.POST('/webhook/rotate-secret'));
    if (r.ok) setSecret(r.data.secret);
    else setOutcome({ problem: r.problem, status: r.status });
  };
  const enable = async () => {
    const r = await result(api.POST('/webhook/enable'));
    if (r.ok) hook.reload();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  const current = hook.result?.ok ? (hook.result.data as Schemas['Webhook']) : undefined;
  return (
    <>
      <div class="grid2">
        <Section title={t('webhook')} id="webhook">
          {current ? (
            <dl class="facts">
              <dt>{t('webhookUrl')}</dt>
              <dd>
                <code>{current.url}</code>
              </dd>
              <dt>{t('events')}</dt>
              <dd>{current.events.join(', ')}</dd>
              <dt>{t('status')}</dt>
              <dd>
                {current.disabled ? (
                  <strong class="overdue-flag">{`${t('disabled')}: ${current.disabledReason ?? ''}`}</strong>
                ) : (
                  t('active')
                )}
              </dd>
            </dl>
          ) : (
            <p>{hook.loading ? t('loading') : t('none')}</p>
          )}
          <form onSubmit={save}>
            <TextField
              label={t('webhookUrl')}
              id="wh-url"
              type="url"
              required
              value={url}
              placeholder={current?.url ?? 'https://…'}
              onInput={setUrl}
            />
            <fieldset>
              <legend>{t('events')}</legend>
              {EVENTS.map((ev) => (
                <label key={ev} class="check">
                  <input
                    type="checkbox"
                    checked={events.includes(ev)}
                    onChange={(e) => setEvents((xs) => ((e.target as HTMLInputElement).checked ? [...xs, ev] : xs.filter((x) => x !== ev)))}
                  />{' '}
                  {ev}
                </label>
              ))}
            </fieldset>
            <div class="buttons">
              <button type="submit">{t('saveWebhook')}</button>
              {current ? (
                <button type="button" class="secondary" onClick={() => void remove()}>
                  {t('removeWebhook')}
                </button>
              ) : null}
              {current && served('POST /webhook/rotate-secret') ? (
                <button type="button" class="secondary" onClick={() => void rotate()}>
                  {t('rotateSecret')}
                </button>
              ) : null}
              {current?.disabled && served('POST /webhook/enable') ? (
                <button type="button" onClick={() => void enable()}>
                  {t('enable')}
                </button>
              ) : null}
            </div>
          </form>
          {secret ? (
            <p role="status">
              {t('secretOnce')}: <code class="secret">{secret}</code>
            </p>
          ) : null}
          <OutcomeView outcome={outcome} />
        </Section>
        <Deliveries />
      </div>
    </>
  );
}

function Deliveries() {
  const [status, setStatus] = useState('');
  const list = useAsync(
    () => result(api.GET('/webhook/deliveries', { params: { query: status ? { status: status as 'FAILED' } : {} } })),
    [status],
  );
  const [outcome, setOutcome] = useState<Outcome>();
  const retry = async (id: string) => {
    const r = await result(api.POST('/webhook/deliveries/{id}/retry', { params: { path: { id } } }));
    if (r.ok) list.reload();
    else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <Section title={t('deliveries')} id="deliveries">
      <form class="row filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('status')}
          id="dv-status"
          value={status}
          onChange={setStatus}
          options={[{ value: '', label: t('all') }, 'PENDING', 'RETRYING', 'DELIVERED', 'FAILED']}
        />
      </form>
      <Loaded state={list}>
        {(data) => (
          <DataTable<Delivery>
            rows={data.items}
            rowKey={(d) => d.id}
            empty={t('noItems')}
            columns={[
              {
                header: t('events'),
                cell: (d) => (
                  <>
                    {d.eventType}
                    <br />
                    <small>
                      <code>{d.id}</code>
                    </small>
                  </>
                ),
              },
              { header: t('status'), cell: (d) => <StatusBadge status={d.status} /> },
              { header: t('attempts'), cell: (d) => `${d.attempts.length}${lastAttempt(d)}` },
              { header: t('at'), cell: (d) => fmtTime(d.attempts[d.attempts.length - 1]?.at ?? d.createdAt) },
              {
                header: t('retry'),
                hiddenHeader: true,
                cell: (d) =>
                  d.status !== 'DELIVERED' ? (
                    <button type="button" class="secondary" aria-label={`${t('retry')} ${d.id}`} onClick={() => void retry(d.id)}>
                      {t('retry')}
                    </button>
                  ) : null,
              },
            ]}
          />
        )}
      </Loaded>
      <OutcomeView outcome={outcome} />
    </Section>
  );
}

/** The last attempt in a few words: its HTTP status or why it failed. */
function lastAttempt(d: Delivery): string {
  const last = d.attempts[d.attempts.length - 1];
  if (!last) return '';
  return ` · ${last.responseStatus ? `http ${last.responseStatus}` : (last.error ?? '')}`;
}

function CreditView({ code }: { code: string }) {
  const credit = useAsync(() => result(api.GET('/enterprises/{code}/credit', { params: { path: { code } } })), [code]);
  return (
    <div class="grid2">
      <Section title={t('credit')} id="credit">
        <Loaded state={credit}>
          {(c) => (
            <>
              <dl class="facts">
                <dt>{t('enterpriseId')}</dt>
                <dd>
                  {c.name} ({c.creditCode})
                </dd>
                <dt>{t('level')}</dt>
                <dd>
                  <strong class="level">{c.level}</strong>
                </dd>
                <dt>{t('blacklisted')}</dt>
                <dd>{yesNo(c.blacklisted)}</dd>
                <dt>{t('measures')}</dt>
                <dd>
                  {t('samplingRate')} {c.measures.samplingRate} · {t('documentReleased')} {yesNo(c.measures.documentRelease)} · 9+1{' '}
                  {yesNo(c.measures.regionalIntegration)}
                </dd>
              </dl>
              <h3>{t('history')}</h3>
              <DataTable<CreditChange>
                scroll={false}
                rows={c.history}
                rowKey={(_, i) => i}
                empty={t('none')}
                columns={[
                  { header: t('at'), cell: (h) => fmtTime(h.at) },
                  { header: t('bureau'), cell: (h) => h.bureau },
                  { header: t('level'), cell: (h) => `${h.from} → ${h.to}${h.blacklisted ? ` · ${t('blacklisted')}` : ''}` },
                  { header: t('reason'), cell: (h) => h.reason },
                ]}
              />
            </>
          )}
        </Loaded>
      </Section>
      <Objections code={code} onDecided={credit.reload} />
    </div>
  );
}

function Objections({ code }: { code: string; onDecided: () => void }) {
  return (
    <Section title={t('objections')} id="objections">
      <IfServed operation="GET /enterprises/{code}/credit/objections">{() => <ObjectionsLoaded code={code} />}</IfServed>
    </Section>
  );
}

function ObjectionsLoaded({ code }: { code: string }) {
  const params = { params: { path: { code } } };
  const list = useAsync(() => result(api.GET('/enterprises/{code}/credit/objections', params)), [code]);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const file = async (e: Event) => {
    e.preventDefault();
    const r = await result(api.POST('/enterprises/{code}/credit/objections', { ...params, body: { reason } }));
    if (r.ok) {
      setOutcome({ status: r.status, message: `${r.data.id}: ${r.data.status}` });
      setReason('');
      list.reload();
    } else setOutcome({ problem: r.problem, status: r.status });
  };
  return (
    <>
      <Loaded state={list}>
        {(data) => (
          <DataTable<Objection>
            scroll={false}
            rows={data.items}
            rowKey={(o) => o.id}
            empty={t('noItems')}
            columns={[
              { header: t('created'), cell: (o) => fmtTime(o.createdAt) },
              { header: t('reason'), cell: (o) => o.reason },
              {
                header: t('status'),
                cell: (o) => (
                  <>
                    <StatusBadge status={o.status} />
                    {o.decision ? ` ${o.decision.reason}` : ''}
                  </>
                ),
              },
              { header: t('dueBy'), cell: (o) => fmtTime(o.dueBy) },
            ]}
          />
        )}
      </Loaded>
      <form onSubmit={file}>
        <TextField label={t('fileObjection')} id="obj-reason" rows={3} required maxLength={2000} value={reason} onInput={setReason} />
        <button type="submit">{t('submit')}</button>
      </form>
      <OutcomeView outcome={outcome} />
    </>
  );
}
