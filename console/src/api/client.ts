/**
 * The console's API access. Every call goes through openapi-fetch typed by `schema.d.ts`, which is
 * generated from the platform's own OpenAPI document (`npm run typecheck` regenerates it). A view
 * whose route a platform may not serve asks `served()` first (components/Notice `IfServed`), so a
 * missing endpoint shows a notice instead of an error.
 *
 * The API key lives in sessionStorage (this tab, until it closes) and in memory; never in the URL,
 * never in localStorage, never in a cookie.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Declaration = Schemas['Declaration'];
export type DeclarationSummary = Schemas['DeclarationSummary'];
export type Problem = { type?: string; title?: string; status?: number; detail?: string; errors?: { path: string; message: string }[] };
export type Principal = Schemas['PrincipalView'];

const KEY_SLOT = 'clearway.apiKey';
let apiKey: string | undefined = sessionStorage.getItem(KEY_SLOT) ?? undefined;

export const session = {
  get key() {
    return apiKey;
  },
  set(key: string) {
    apiKey = key;
    sessionStorage.setItem(KEY_SLOT, key);
  },
  clear() {
    apiKey = undefined;
    sessionStorage.removeItem(KEY_SLOT);
  },
};

const withKey: Middleware = {
  onRequest({ request }) {
    if (apiKey) request.headers.set('authorization', `Bearer ${apiKey}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(withKey);

/** A call's outcome as the views use it: data, or a problem document (network errors included). */
export type Result<T> = { ok: true; data: T; status: number } | { ok: false; problem: Problem; status: number };

/** Turns an openapi-fetch answer into a Result. */
export async function result<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Result<T>> {
  try {
    const { data, error, response } = await call;
    if (response.ok) return { ok: true, data: data as T, status: response.status };
    return { ok: false, problem: toProblem(error, response), status: response.status };
  } catch (e) {
    return { ok: false, problem: { title: 'Network error', detail: String(e) }, status: 0 };
  }
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object') {
    const e = error as Problem & { message?: string };
    return { ...e, title: e.title ?? e.message ?? response.statusText, status: e.status ?? response.status };
  }
  return { title: response.statusText || `HTTP ${response.status}`, status: response.status };
}

/** "METHOD /path/{param}" of every operation the platform serves, read from GET /openapi.json. */
let servedOperations: Set<string> | undefined;
/** Each served operation's summary and who may call it (`x-clearway-allow`; absent: public). */
export const operationInfo = new Map<string, { summary: string; allow?: string[]; public: boolean }>();

export async function loadServedOperations(): Promise<Set<string>> {
  if (servedOperations) return servedOperations;
  const found = new Set<string>();
  try {
    const res = await fetch('/openapi.json');
    type Operation = { summary?: string; security?: unknown[]; 'x-clearway-allow'?: string[] };
    const doc = (await res.json()) as { paths?: Record<string, Record<string, Operation>> };
    for (const [p, ops] of Object.entries(doc.paths ?? {}))
      for (const [m, op] of Object.entries(ops)) {
        const key = `${m.toUpperCase()} ${p}`;
        found.add(key);
        operationInfo.set(key, {
          summary: op.summary ?? '',
          public: Array.isArray(op.security) && op.security.length === 0,
          ...(op['x-clearway-allow'] ? { allow: op['x-clearway-allow'] } : {}),
        });
      }
  } catch {
    /* no document: every view that needs a route says it is unavailable */
  }
  servedOperations = found;
  return found;
}

/** Whether the route table lets this principal call an operation (the API decides; this only shows it). */
export function mayCall(p: Principal, operation: string): boolean {
  const info = operationInfo.get(operation);
  if (!info) return false;
  if (info.public) return true;
  if (!info.allow) return true;
  return info.allow.some(
    (c) => c === p.kind || (p.kind === 'officer' && c.startsWith('officer:') && !!p.roles?.includes(c.slice(8) as never)),
  );
}

export const served = (operation: string) => servedOperations?.has(operation) ?? false;

/** Statuses the API may answer with a Retry-After (overload): the views say "try again". */
export const isOverload = (status: number) => status === 429 || status === 503;
