/**
 * The enterprise's console (contract sections 5, 9, 13, 14, 18): its declarations (detail with
 * reasons in plain words, amend, cancel: see declaration.tsx), a "check my declaration" form
 * before filing, the webhook endpoint with its delivery log and retry, and credit with objections.
 */
import { useState } from 'preact/hooks';
import { api, pending, result, served, type Principal, type Problem, type Schemas } from '../api/client';
import { t, type Label } from '../i18n';
import { Field, fmtTime, Loaded, ProblemView, Section, StatusBadge, Unavailable, useAsync, yesNo } from '../ui';

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

type Outcome = { problem?: Problem; status: number; message?: string };
function OutcomeView({ outcome }: { outcome?: Outcome }) {
  if (!outcome) return null;
  if (outcome.problem) return <ProblemView problem={outcome.problem} status={outcome.status} />;
  return outcome.message ? <p role="status">{outcome.message}</p> : null;
}

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
        <Field label={t('status')} id="dl-status">
          <select id="dl-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">{t('all')}</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
      </form>
      <Loaded state={state}>
        {(data) =>
          data.items.length ? (
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('declaration')}</th>
                    <th scope="col">clientRef</th>
                    <th scope="col">{t('status')}</th>
                    <th scope="col">{t('direction')}</th>
                    <th scope="col">{t('reasons')}</th>
                    <th scope="col">{t('created')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((d) => (
                    <tr key={d.id}>
                      <td>
                        <a href={`#/declaration/${encodeURIComponent(d.id)}`}>{d.id}</a>
                      </td>
                      <td>{d.clientRef}</td>
                      <td>
                        <StatusBadge status={d.status} />
                      </td>
                      <td>
                        {d.direction} {d.declaredAt} → {d.releaseBureau}
                      </td>
                      <td class="reasons-cell">{d.decision?.reasons?.join('; ') ?? ''}</td>
                      <td>{fmtTime(d.createdAt)}</td>
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
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setOutcome({ status: 0, problem: { title: t('invalidJson'), detail: String(err) } });
      return;
    }
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
          {served(op) ? (
            <form onSubmit={check}>
              <Field label={t('declaration')} id="check-body" hint={t('checkHelp')}>
                <textarea
                  id="check-body"
                  rows={16}
                  spellcheck={false}
                  aria-describedby="check-body-hint"
                  value={text}
                  onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
                />
              </Field>
              <button type="submit">{t('check')}</button>
            </form>
          ) : (
            <Unavailable operation={op} />
          )}
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
  const op = 'GET /requirements';
  if (!served(op))
    return (
      <Section title={t('requirements')} id="requirements">
        <Unavailable operation={op} />
      </Section>
    );
  return <DocumentRulesLoaded />;
}

function DocumentRulesLoaded() {
  const state = useAsync(() => result(api.GET('/requirements')), []);
  return (
    <Section title={t('requirements')} id="requirements">
      <Loaded state={state}>
        {(r) => (
          <div class="scroll">
            <table>
              <caption>{`${t('version')} v${r.ruleSetVersion}`}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('rule')}</th>
                  <th scope="col">{t('direction')}</th>
                  <th scope="col">{t('hsCode')}</th>
                  <th scope="col">{t('documents')}</th>
                  <th scope="col">{t('description')}</th>
                </tr>
              </thead>
              <tbody>
                {r.documentRules.map((d) => (
                  <tr key={d.ruleId}>
                    <td>
                      <code>{d.ruleId}</code>
                    </td>
                    <td>{d.directions.join(', ')}</td>
                    <td>{d.hsPrefixes ? d.hsPrefixes.join(' ') : t('all')}</td>
                    <td>
                      <strong>{d.documentTypes.join(', ')}</strong>
                    </td>
                    <td>{d.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </Section>
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
    const r = await pending<{ secret: string; previousSecretValidUntil: string }>('POST', '/webhook/rotate-secret', {});
    if (r.ok) setSecret(r.data.secret);
    else setOutcome({ problem: r.problem, status: r.status });
  };
  const enable = async () => {
    const r = await pending('POST', '/webhook/enable', {});
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
            <Field label={t('webhookUrl')} id="wh-url">
              <input
                id="wh-url"
                type="url"
                required
                value={url}
                placeholder={current?.url ?? 'https://…'}
                onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
              />
            </Field>
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
        <Field label={t('status')} id="dv-status">
          <select id="dv-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">{t('all')}</option>
            {['PENDING', 'RETRYING', 'DELIVERED', 'FAILED'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
      </form>
      <Loaded state={list}>
        {(data) =>
          data.items.length ? (
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('events')}</th>
                    <th scope="col">{t('status')}</th>
                    <th scope="col">{t('attempts')}</th>
                    <th scope="col">{t('at')}</th>
                    <th scope="col">
                      <span class="visually-hidden">{t('retry')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((d) => {
                    const last = d.attempts[d.attempts.length - 1];
                    return (
                      <tr key={d.id}>
                        <td>
                          {d.eventType}
                          <br />
                          <small>
                            <code>{d.id}</code>
                          </small>
                        </td>
                        <td>
                          <StatusBadge status={d.status} />
                        </td>
                        <td>
                          {d.attempts.length}
                          {last ? ` · ${last.responseStatus ? `http ${last.responseStatus}` : (last.error ?? '')}` : ''}
                        </td>
                        <td>{fmtTime(last?.at ?? d.createdAt)}</td>
                        <td>
                          {d.status !== 'DELIVERED' ? (
                            <button type="button" class="secondary" aria-label={`${t('retry')} ${d.id}`} onClick={() => void retry(d.id)}>
                              {t('retry')}
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : (
            <p>{t('noItems')}</p>
          )
        }
      </Loaded>
      <OutcomeView outcome={outcome} />
    </Section>
  );
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
              {c.history.length ? (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('at')}</th>
                      <th scope="col">{t('bureau')}</th>
                      <th scope="col">{t('level')}</th>
                      <th scope="col">{t('reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.history.map((h, i) => (
                      <tr key={i}>
                        <td>{fmtTime(h.at)}</td>
                        <td>{h.bureau}</td>
                        <td>
                          {h.from} → {h.to}
                          {h.blacklisted ? ` · ${t('blacklisted')}` : ''}
                        </td>
                        <td>{h.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p>{t('none')}</p>
              )}
            </>
          )}
        </Loaded>
      </Section>
      <Objections code={code} onDecided={credit.reload} />
    </div>
  );
}

function Objections({ code }: { code: string; onDecided: () => void }) {
  const op = 'GET /enterprises/{code}/credit/objections';
  if (!served(op))
    return (
      <Section title={t('objections')} id="objections">
        <Unavailable operation={op} />
      </Section>
    );
  return <ObjectionsLoaded code={code} />;
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
    <Section title={t('objections')} id="objections">
      <Loaded state={list}>
        {(data) =>
          data.items.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('created')}</th>
                  <th scope="col">{t('reason')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('dueBy')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((o) => (
                  <tr key={o.id}>
                    <td>{fmtTime(o.createdAt)}</td>
                    <td>{o.reason}</td>
                    <td>
                      <StatusBadge status={o.status} />
                      {o.decision ? ` ${o.decision.reason}` : ''}
                    </td>
                    <td>{fmtTime(o.dueBy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{t('noItems')}</p>
          )
        }
      </Loaded>
      <form onSubmit={file}>
        <Field label={t('fileObjection')} id="obj-reason">
          <textarea
            id="obj-reason"
            rows={3}
            required
            maxLength={2000}
            value={reason}
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
          />
        </Field>
        <button type="submit">{t('submit')}</button>
      </form>
      <OutcomeView outcome={outcome} />
    </Section>
  );
}
