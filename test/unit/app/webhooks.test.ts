import { describe, expect, it } from 'vitest';
import {
  deleteEndpoint,
  enableEndpoint,
  getEndpoint,
  listOwnDeliveries,
  putEndpoint,
  retryOwnDelivery,
  rotateEndpointSecret,
  type EndpointPorts,
} from '../../../shared/app/webhooks.js';
import { DomainError } from '../../../shared/domain/errors.js';
import type { NotifyMessage, WebhookOwner } from '../../../shared/domain/events.js';
import type { Delivery, WebhookEndpoint } from '../../../shared/domain/webhook.js';

const acme: WebhookOwner = { kind: 'enterprise', id: '91350100M000100Y43' };
const other: WebhookOwner = { kind: 'enterprise', id: '91110000100000000X' };
const T0 = Date.UTC(2026, 11, 2, 6, 0, 0);

/**
 * An in-memory endpoint store with the real one's conditional save (on the `updatedAt` read, or
 * on absence), a recording queue and a clock that moves a second per reading. `interfere` runs
 * before a save commits, as a concurrent writer would.
 */
function ports(options: { local?: boolean; interfere?: (saves: number) => void } = {}) {
  const endpoints = new Map<string, WebhookEndpoint>();
  const deliveries = new Map<string, Delivery>();
  const queued: NotifyMessage[] = [];
  const dueNow: string[] = [];
  let tick = 0;
  let saves = 0;
  const key = (o: WebhookOwner) => `${o.kind}#${o.id}`;
  const p: EndpointPorts = {
    now: () => new Date(T0 + 1000 * tick++),
    local: options.local ?? true,
    secretOverlapS: 3600,
    queue: {
      send: async (m) => void queued.push(m),
      sendMany: async (ms) => void queued.push(...ms),
    },
    store: {
      getEndpoint: async (o) => endpoints.get(key(o)),
      async saveEndpoint(e, seen) {
        options.interfere?.(saves++);
        const current = endpoints.get(key(e.owner));
        if (seen ? current?.updatedAt !== seen : current) return false;
        endpoints.set(key(e.owner), e);
        return true;
      },
      deleteEndpoint: async (o) => endpoints.delete(key(o)),
      getDelivery: async (id) => deliveries.get(id),
      async makeDueNow(d) {
        dueNow.push(d.id);
        return true;
      },
      listDeliveries: async (_o, q) => (q.cursor === 'forged' ? 'bad-cursor' : { items: [...deliveries.values()], nextCursor: null }),
    },
  };
  return { ports: p, endpoints, deliveries, queued, dueNow, key };
}

const kindOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return (e as DomainError).kind;
};

describe('endpoint management (PUT, rotate, enable, GET, DELETE)', () => {
  it('a PUT refuses a URL the mode does not allow, naming the url field, and stores nothing', async () => {
    const { ports: p, endpoints } = ports({ local: false });
    const e = await putEndpoint(acme, { url: 'http://hooks.example.com/x' }, p).catch((err: unknown) => err as DomainError);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('invalid');
    expect((e as DomainError).errors).toEqual([{ path: 'url', message: 'must be https' }]);
    expect(endpoints.size).toBe(0);
  });

  it('a PUT creates an endpoint with a secret; a second PUT keeps the secret and changes the URL', async () => {
    const { ports: p } = ports();
    const first = await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, p);
    expect(first.secret).toMatch(/^whsec_/);
    const second = await putEndpoint(acme, { url: 'http://127.0.0.1:9001/b' }, p);
    expect(second.secret).toBe(first.secret);
    expect(second.url).toBe('http://127.0.0.1:9001/b');
    expect((await getEndpoint(acme, p)).url).toBe('http://127.0.0.1:9001/b');
  });

  it('a PUT that loses its write to a concurrent change decides again on the new state', async () => {
    const state = ports({
      interfere: (saves) => {
        // The second save (the update) finds that someone rotated the secret meanwhile.
        if (saves !== 1) return;
        const current = state.endpoints.get(state.key(acme))!;
        state.endpoints.set(state.key(acme), { ...current, secret: 'whsec_concurrent', updatedAt: '2026-12-02T05:59:59.999Z' });
      },
    });
    await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, state.ports);
    const updated = await putEndpoint(acme, { url: 'http://127.0.0.1:9001/b' }, state.ports);
    expect(updated.secret).toBe('whsec_concurrent');
    expect(state.endpoints.get(state.key(acme))!.url).toBe('http://127.0.0.1:9001/b');
  });

  it('answers 409 when every attempt loses, and changes nothing', async () => {
    const state = ports({
      interfere: (saves) => {
        if (saves === 0) return;
        const current = state.endpoints.get(state.key(acme))!;
        state.endpoints.set(state.key(acme), { ...current, updatedAt: `2026-12-02T05:00:00.${String(saves).padStart(3, '0')}Z` });
      },
    });
    await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, state.ports);
    expect(await kindOf(putEndpoint(acme, { url: 'http://127.0.0.1:9001/b' }, state.ports))).toBe('conflict');
    expect(state.endpoints.get(state.key(acme))!.url).toBe('http://127.0.0.1:9001/a');
  });

  it('rotation keeps the old secret signing for the configured overlap', async () => {
    const { ports: p } = ports();
    const created = await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, p);
    const rotated = await rotateEndpointSecret(acme, p);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecret).toBe(created.secret);
    expect(Date.parse(rotated.previousSecretValidUntil!) - Date.parse(rotated.updatedAt)).toBe(3600 * 1000);
  });

  it('enabling a disabled endpoint queues the replay from the start of its failures; an enabled one queues nothing', async () => {
    const state = ports();
    await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, state.ports);
    await enableEndpoint(acme, state.ports);
    expect(state.queued).toEqual([]);
    const current = state.endpoints.get(state.key(acme))!;
    state.endpoints.set(state.key(acme), {
      ...current,
      disabled: true,
      disabledAt: '2026-12-02T05:30:00.000Z',
      failingSince: '2026-12-02T05:10:00.000Z',
      consecutiveFailures: 3,
    });
    const enabled = await enableEndpoint(acme, state.ports);
    expect(enabled.disabled).toBe(false);
    expect(enabled.consecutiveFailures).toBe(0);
    expect(state.queued).toEqual([{ replay: acme, from: '2026-12-02T05:10:00.000Z' }]);
  });

  it('a PUT of a disabled endpoint re-enables it and replays too', async () => {
    const state = ports();
    await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, state.ports);
    const current = state.endpoints.get(state.key(acme))!;
    state.endpoints.set(state.key(acme), { ...current, disabled: true, disabledAt: '2026-12-02T05:30:00.000Z' });
    await putEndpoint(acme, { url: 'http://127.0.0.1:9001/b' }, state.ports);
    expect(state.queued).toEqual([{ replay: acme, from: '2026-12-02T05:30:00.000Z' }]);
  });

  it('rotate, enable, GET and DELETE of an endpoint that does not exist are 404', async () => {
    const { ports: p } = ports();
    expect(await kindOf(rotateEndpointSecret(acme, p))).toBe('not-found');
    expect(await kindOf(enableEndpoint(acme, p))).toBe('not-found');
    expect(await kindOf(getEndpoint(acme, p))).toBe('not-found');
    expect(await kindOf(deleteEndpoint(acme, p))).toBe('not-found');
    await putEndpoint(acme, { url: 'http://127.0.0.1:9001/a' }, p);
    await deleteEndpoint(acme, p);
    expect(await kindOf(getEndpoint(acme, p))).toBe('not-found');
  });
});

describe('the delivery log and a manual retry', () => {
  const delivery = (owner: WebhookOwner): Delivery => ({
    id: 'msg_1',
    eventId: 'evt_1',
    eventType: 'declaration.released',
    owner,
    url: 'http://127.0.0.1:9/x',
    payload: '{}',
    status: 'FAILED',
    attempts: [{ at: '2026-12-02T05:00:00.000Z', error: 'connection refused', durationMs: 1 }],
    createdAt: '2026-12-02T05:00:00.000Z',
    failedAt: '2026-12-02T05:00:00.000Z',
  });

  it('a retry makes the delivery due now, queues it for its owner and answers it RETRYING', async () => {
    const state = ports();
    state.deliveries.set('msg_1', delivery(acme));
    const answered = await retryOwnDelivery(acme, 'msg_1', state.ports);
    expect(answered.status).toBe('RETRYING');
    expect(state.dueNow).toEqual(['msg_1']);
    expect(state.queued).toEqual([{ deliveryId: 'msg_1', owner: acme }]);
  });

  it('a retry that loses to an attempt made meanwhile is decided again on the delivery as it now is', async () => {
    const state = ports();
    const first = delivery(acme);
    const afterAttempt = { ...first, attempts: [...first.attempts, { at: '2026-12-02T05:01:00.000Z', error: 'timeout' as const, durationMs: 1 }] };
    const seen: number[] = [];
    state.deliveries.set('msg_1', first);
    state.ports.store.makeDueNow = async (d) => {
      seen.push(d.attempts.length);
      if (d.attempts.length === 1) {
        state.deliveries.set('msg_1', afterAttempt); // the worker's attempt landed between read and write
        return false;
      }
      return true;
    };
    const answered = await retryOwnDelivery(acme, 'msg_1', state.ports);
    expect(seen).toEqual([1, 2]);
    expect(answered.attempts).toHaveLength(2);
    expect(state.queued).toEqual([{ deliveryId: 'msg_1', owner: acme }]);
  });

  it('a retry that keeps losing is a 409, and nothing is queued', async () => {
    const state = ports();
    state.deliveries.set('msg_1', delivery(acme));
    state.ports.store.makeDueNow = async () => false;
    expect(await kindOf(retryOwnDelivery(acme, 'msg_1', state.ports))).toBe('conflict');
    expect(state.queued).toEqual([]);
  });

  it("another owner's delivery is not found, and nothing is queued", async () => {
    const state = ports();
    state.deliveries.set('msg_1', delivery(other));
    expect(await kindOf(retryOwnDelivery(acme, 'msg_1', state.ports))).toBe('not-found');
    expect(await kindOf(retryOwnDelivery(acme, 'msg_missing', state.ports))).toBe('not-found');
    expect(state.queued).toEqual([]);
    expect(state.dueNow).toEqual([]);
  });

  it('a cursor the API did not issue is a 400 naming the cursor', async () => {
    const { ports: p } = ports();
    const e = (await listOwnDeliveries(acme, { limit: 10, cursor: 'forged' }, p).catch((err: unknown) => err)) as DomainError;
    expect(e.kind).toBe('invalid');
    expect(e.errors?.[0]?.path).toBe('cursor');
  });
});
