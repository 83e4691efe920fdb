/**
 * The public certificate check (/verify): no key. Enter a certificate number or paste its JWS (or
 * open /verify/#<number>, which is what a QR code on the paper certificate points at).
 *
 * When the platform publishes its signing keys (GET /.well-known/jwks.json, contract section 17),
 * the JWS is verified here, in the browser, with WebCrypto against that key set: a changed byte
 * fails without trusting the platform's own answer. Until then the platform's check
 * (GET /certificates/{no}) is shown and labelled as such.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, useLang } from './i18n';
import { TextField } from './components/Field';
import { LangSwitch } from './components/LangSwitch';

type Jwk = JsonWebKey & { kid?: string; alg?: string };
type CertificateView = {
  certificateNo: string;
  genuine: boolean;
  unaltered: boolean;
  jws?: string;
  content: Record<string, unknown>;
};
type Verdict =
  | { by: 'browser'; genuine: boolean; unaltered: boolean; kid: string; content: Record<string, unknown> }
  | { by: 'server'; genuine: boolean; unaltered: boolean; content: Record<string, unknown> }
  | { by: 'none'; message: string };

const b64urlToBytes = (s: string) => {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
};
const isJws = (s: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(s);

async function fetchJwks(): Promise<Jwk[] | undefined> {
  try {
    const res = await fetch('/.well-known/jwks.json');
    if (!res.ok) return undefined;
    const body = (await res.json()) as { keys?: Jwk[] };
    return Array.isArray(body.keys) && body.keys.length ? body.keys : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies a compact JWS against the key set; `genuine`: a published key signed these bytes. */
export async function verifyJws(jws: string, keys: Jwk[]): Promise<{ genuine: boolean; kid: string; payload?: Record<string, unknown> }> {
  const [h, p, s] = jws.split('.') as [string, string, string];
  let header: { alg?: string; kid?: string };
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlToBytes(h)));
  } catch {
    return { genuine: false, kid: '?' };
  }
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk || (jwk.alg && jwk.alg !== header.alg)) return { genuine: false, kid: header.kid ?? '?' };
  const algorithm =
    header.alg === 'EdDSA'
      ? { importAs: { name: 'Ed25519' }, verifyAs: { name: 'Ed25519' } }
      : header.alg === 'ES256'
        ? { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, verifyAs: { name: 'ECDSA', hash: 'SHA-256' } }
        : undefined;
  if (!algorithm) return { genuine: false, kid: header.kid ?? '?' };
  const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...material } = jwk as Jwk & { use?: string };
  const key = await crypto.subtle.importKey('jwk', material, algorithm.importAs, false, ['verify']);
  const genuine = await crypto.subtle.verify(algorithm.verifyAs, key, b64urlToBytes(s), new TextEncoder().encode(`${h}.${p}`));
  let payload: Record<string, unknown> | undefined;
  try {
    payload = JSON.parse(new TextDecoder().decode(b64urlToBytes(p)));
  } catch {
    payload = undefined;
  }
  return { genuine, kid: header.kid ?? '?', ...(payload ? { payload } : {}) };
}

/** What a user may paste or scan: a number, a compact JWS, or the QR payload `CLEARWAY-CERT:{no}:{jws}`. */
export function parseInput(raw: string): { certificateNo?: string; jws?: string } {
  const input = raw.trim();
  const qr = /^CLEARWAY-CERT:([^:]+):(.+)$/.exec(input);
  if (qr) return { certificateNo: qr[1]!, jws: qr[2]! };
  return isJws(input) ? { jws: input } : { certificateNo: input };
}

async function check(raw: string): Promise<Verdict> {
  const keys = await fetchJwks();
  const asked = parseInput(raw);
  let jws = asked.jws;
  let server: CertificateView | undefined;
  if (!jws || !keys) {
    if (!asked.certificateNo) return { by: 'none', message: t('unavailable') };
    const res = await fetch(`/certificates/${encodeURIComponent(asked.certificateNo)}`);
    if (res.status === 404 || res.status === 400) return { by: 'none', message: t('certificateNotFound') };
    if (!res.ok) return { by: 'none', message: `${t('error')} ${res.status}` };
    server = (await res.json()) as CertificateView;
    jws ??= server.jws;
  }
  if (keys && jws) {
    const v = await verifyJws(jws, keys);
    const content = v.payload ?? {};
    // The signature covers the content; it is also the certificate the number names.
    const unaltered = v.genuine && (!asked.certificateNo || content.certificateNo === asked.certificateNo);
    return { by: 'browser', genuine: v.genuine, unaltered, kid: v.kid, content };
  }
  if (server) return { by: 'server', genuine: server.genuine, unaltered: server.unaltered, content: server.content };
  return { by: 'none', message: t('unavailable') };
}

function VerifyPage() {
  useLang();
  const [input, setInput] = useState(() => decodeURIComponent(location.hash.slice(1)));
  const [verdict, setVerdict] = useState<Verdict>();
  const [busy, setBusy] = useState(false);
  const run = async (value: string) => {
    if (!value.trim()) return;
    setBusy(true);
    setVerdict(await check(value.trim()));
    setBusy(false);
  };
  useEffect(() => {
    if (input) void run(input);
  }, []);
  return (
    <>
      <header class="topbar">
        <span class="brand">{t('verifyTitle')}</span>
        <LangSwitch />
      </header>
      <main id="main" class="verify">
        <h1>{t('verifyTitle')}</h1>
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            void run(input);
          }}
        >
          <TextField label={t('certificateOrJws')} id="cert-input" hint={t('verifyHelp')} rows={3} code value={input} onInput={setInput} />
          <button type="submit" disabled={busy}>
            {busy ? t('loading') : t('verifyButton')}
          </button>
        </form>
        {verdict ? <VerdictView verdict={verdict} /> : null}
        <p>
          <a href="/console">{t('goToConsole')}</a>
        </p>
      </main>
    </>
  );
}

function VerdictView({ verdict }: { verdict: Verdict }) {
  if (verdict.by === 'none')
    return (
      <div class="card verdict bad" role="status">
        <p>{verdict.message}</p>
      </div>
    );
  const good = verdict.genuine && verdict.unaltered;
  return (
    <section class={`card verdict ${good ? 'good' : 'bad'}`} role="status" aria-labelledby="verdict-h">
      <h2 id="verdict-h">
        {verdict.genuine ? `✓ ${t('genuine')}` : `✗ ${t('notGenuine')}`} · {verdict.unaltered ? `✓ ${t('unaltered')}` : `✗ ${t('altered')}`}
      </h2>
      <p>{verdict.by === 'browser' ? t('verifiedInBrowser', { kid: verdict.kid }) : t('verifiedByServer')}</p>
      <h3>{t('content')}</h3>
      <dl class="facts">
        {Object.entries(verdict.content).map(([k, v]) => (
          <>
            <dt key={`${k}-k`}>{k}</dt>
            <dd key={`${k}-v`}>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

render(<VerifyPage />, document.getElementById('app')!);
