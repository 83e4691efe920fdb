/**
 * The console shell: sign in with an API key (once per tab), find out who the key is
 * (GET /principals/me), and offer only the views its roles allow. Views are routed by the URL
 * fragment (#/inspector, #/declaration/dcl_…), so any static host can serve the one page.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, loadServedOperations, mayCall, operationInfo, result, session, type Principal, type Problem } from './api/client';
import { t, useLang, type Label } from './i18n';
import { LangSwitch } from './components/LangSwitch';
import { ProblemView } from './components/Notice';
import { InspectorView } from './views/inspector';
import { DeclarationPage } from './views/declaration';
import { CommandCenterView } from './views/command-center';
import { StatisticsView } from './views/statistics';
import { EnterpriseView } from './views/enterprise';

type ViewId = 'home' | 'inspector' | 'command' | 'stats' | 'enterprise';

/** What each view needs; the home page lists these for the signed-in key. */
export const VIEWS: { id: ViewId; label: Label; allowed: (p: Principal) => boolean }[] = [
  { id: 'inspector', label: 'inspector', allowed: (p) => p.kind === 'officer' && !!p.roles?.includes('inspector') },
  { id: 'command', label: 'commandCenter', allowed: (p) => p.kind === 'officer' && !!p.roles?.includes('rules') },
  { id: 'stats', label: 'statistics', allowed: (p) => p.kind === 'officer' && !!p.roles?.some((r) => r === 'stats' || r === 'inspector') },
  { id: 'enterprise', label: 'enterprise', allowed: (p) => p.kind === 'enterprise' },
];

function useHashRoute(): string[] {
  const parse = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function SignIn({ onSignedIn }: { onSignedIn: (p: Principal) => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<{ problem: Problem; status: number }>();
  const submit = async (e: Event) => {
    e.preventDefault();
    session.set(key.trim());
    const me = await result(api.GET('/principals/me'));
    if (me.ok) onSignedIn(me.data);
    else {
      session.clear();
      setProblem({ problem: me.problem, status: me.status });
    }
  };
  return (
    <main id="main" class="signin">
      <h1>{t('appName')}</h1>
      {/* method=post and no action: the key can never end up in the URL, even without JavaScript */}
      <form method="post" onSubmit={submit} class="card">
        <label for="api-key">{t('apiKey')}</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          aria-describedby="api-key-hint"
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <small id="api-key-hint" class="hint">
          {t('apiKeyHelp')}
        </small>
        <button type="submit">{t('signIn')}</button>
        {problem ? <ProblemView problem={problem.problem} status={problem.status} /> : null}
      </form>
      <p>
        <a href="/verify">{t('verify')}</a>
      </p>
    </main>
  );
}

function Home({ me }: { me: Principal }) {
  const operations = [...operationInfo.keys()]
    .filter((op) => mayCall(me, op))
    .sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!));
  return (
    <section class="card" aria-labelledby="allows-h">
      <h2 id="allows-h">{t('yourKeyAllows')}</h2>
      <ul class="allows">
        {VIEWS.map((v) => {
          const ok = v.allowed(me);
          return (
            <li key={v.id} class={ok ? 'ok' : 'no'}>
              {ok ? <a href={`#/${v.id}`}>{t(v.label)}</a> : <span>{t(v.label)}</span>}
              <span class="allow-state">{ok ? `✓ ${t('allowed')}` : `✗ ${t('notAllowed')}`}</span>
            </li>
          );
        })}
      </ul>
      <details>
        <summary>{t('apiOperations', { n: operations.length })}</summary>
        <ul class="operations">
          {operations.map((op) => (
            <li key={op}>
              <code>{op}</code> {operationInfo.get(op)?.summary}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

function App() {
  useLang();
  const route = useHashRoute();
  const [me, setMe] = useState<Principal | undefined>();
  const [checking, setChecking] = useState(!!session.key);
  useEffect(() => {
    const operations = loadServedOperations();
    if (!session.key) return;
    // Views ask served() as they render and it is not reactive: show them only once the served
    // operations are known (after a reload, /principals/me may answer before /openapi.json).
    void Promise.all([result(api.GET('/principals/me')), operations]).then(([r]) => {
      if (r.ok) setMe(r.data);
      else session.clear();
      setChecking(false);
    });
  }, []);
  if (checking) return <p aria-live="polite">{t('loading')}</p>;
  if (!me)
    return (
      <>
        <header class="topbar">
          <span class="brand">{t('appName')}</span>
          <LangSwitch />
        </header>
        <SignIn onSignedIn={(p) => void loadServedOperations().then(() => setMe(p))} />
      </>
    );
  const [head = 'home', ...rest] = route;
  const allowed = VIEWS.filter((v) => v.allowed(me));
  const who =
    me.kind === 'officer'
      ? `officer ${me.bureau} (${me.roles?.join(', ')})`
      : me.kind === 'enterprise'
        ? `enterprise ${me.enterpriseId}`
        : me.kind;
  let body;
  if (head === 'declaration' && rest[0]) body = <DeclarationPage id={rest[0]} me={me} />;
  else if (head === 'inspector' && allowed.some((v) => v.id === 'inspector')) body = <InspectorView me={me} />;
  else if (head === 'command' && allowed.some((v) => v.id === 'command')) body = <CommandCenterView />;
  else if (head === 'stats' && allowed.some((v) => v.id === 'stats')) body = <StatisticsView me={me} />;
  else if (head === 'enterprise' && allowed.some((v) => v.id === 'enterprise')) body = <EnterpriseView me={me} tab={rest[0]} />;
  else body = <Home me={me} />;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('skipToContent')}
      </a>
      <header class="topbar">
        <span class="brand">{t('appName')}</span>
        <nav aria-label="Clearway">
          <ul>
            <li>
              <a href="#/home" aria-current={head === 'home' ? 'page' : undefined}>
                {t('home')}
              </a>
            </li>
            {allowed.map((v) => (
              <li key={v.id}>
                <a href={`#/${v.id}`} aria-current={head === v.id ? 'page' : undefined}>
                  {t(v.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {t('signedInAs')} <strong>{who}</strong>
        </span>
        <LangSwitch />
        <button
          type="button"
          class="secondary"
          onClick={() => {
            session.clear();
            setMe(undefined);
            location.hash = '';
          }}
        >
          {t('signOut')}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
