import { describe, expect, it } from 'vitest';
import type { CreateResult, IdempotencyGuard } from '../../../shared/adapters/declaration-store.js';
import type { AuditMessage } from '../../../shared/adapters/queues.js';
import { readDeclaration, submitDeclaration, type DeclarationPorts } from '../../../shared/app/declarations.js';
import type { DeclarationRecord } from '../../../shared/domain/declaration.js';
import { DomainError } from '../../../shared/domain/errors.js';
import type { Principal } from '../../../shared/domain/principal.js';
import { declarationBody } from '../../support/declarations.js';

const ENTERPRISE = '91350100M000100Y43';
const enterprise: Principal = { id: 'prn_e', kind: 'enterprise', enterpriseId: ENTERPRISE };

/** An in-memory declaration store with the guard semantics of the real one, and a recording queue. */
function ports(options: { queueFails?: boolean } = {}) {
  const byId = new Map<string, DeclarationRecord>();
  const guards = new Map<string, { declarationId: string; bodyHash: string; kind: IdempotencyGuard['kind'] }>();
  const queued: AuditMessage[] = [];
  let tick = 0;
  const p: DeclarationPorts = {
    now: () => new Date(Date.UTC(2026, 11, 1, 10, 0, tick++)).toISOString(),
    audit: {
      send: async () => undefined,
      sendMany: async (messages) => {
        if (options.queueFails) throw new Error('SQS is down');
        queued.push(...messages);
      },
    },
    declarations: {
      async create(record, gs): Promise<CreateResult> {
        for (const g of gs) {
          const held = guards.get(`${g.kind}:${g.value}`);
          if (held) return { created: false, existing: { declarationId: held.declarationId, bodyHash: held.bodyHash, guard: held.kind } };
        }
        byId.set(record.id, record);
        for (const g of gs) guards.set(`${g.kind}:${g.value}`, { declarationId: record.id, bodyHash: record.bodyHash, kind: g.kind });
        return { created: true };
      },
      get: async (id) => byId.get(id),
    },
  };
  return { ports: p, queued, byId };
}

describe('submitDeclaration', () => {
  it('stores, queues for audit once (naming the filer, whose credit the audit then reads at once), and answers accepted', async () => {
    const { ports: p, queued, byId } = ports();
    const { outcome, declaration } = await submitDeclaration(declarationBody(ENTERPRISE), enterprise, undefined, p);
    expect(outcome).toBe('accepted');
    expect(declaration.status).toBe('ACCEPTED');
    expect(byId.get(declaration.id)).toEqual(declaration);
    expect(queued).toEqual([{ declarationId: declaration.id, enterpriseId: ENTERPRISE }]);
  });

  it('a retry with the same body answers the original and queues nothing more; another body is a 409 naming it', async () => {
    const { ports: p, queued } = ports();
    const body = declarationBody(ENTERPRISE);
    const first = await submitDeclaration(body, enterprise, 'key-1', p);
    const again = await submitDeclaration({ ...body, clientRef: 'other-ref' }, enterprise, 'key-1', p).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DomainError);
    expect((again as DomainError).kind).toBe('conflict');
    expect((again as DomainError).extensions).toEqual({ existingDeclarationId: first.declaration.id });
    const replay = await submitDeclaration(body, enterprise, 'key-1', p);
    expect(replay).toEqual({ outcome: 'replayed', declaration: first.declaration });
    expect(queued).toHaveLength(1);
  });

  it('a failed queue send still answers accepted: the declaration is durable and the redrive queues it', async () => {
    const { ports: p, byId } = ports({ queueFails: true });
    const { outcome, declaration } = await submitDeclaration(declarationBody(ENTERPRISE), enterprise, undefined, p);
    expect(outcome).toBe('accepted');
    expect(byId.has(declaration.id)).toBe(true);
  });

  it('refuses another enterprise and a malformed Idempotency-Key, storing nothing', async () => {
    const { ports: p, byId } = ports();
    const other: Principal = { id: 'prn_o', kind: 'enterprise', enterpriseId: '91110000802100433B' };
    await expect(submitDeclaration(declarationBody(ENTERPRISE), other, undefined, p)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(submitDeclaration(declarationBody(ENTERPRISE), enterprise, 'has space', p)).rejects.toMatchObject({
      kind: 'invalid',
      errors: [{ path: 'headers.Idempotency-Key' }],
    });
    expect(byId.size).toBe(0);
  });
});

describe('readDeclaration', () => {
  it('shows a declaration to its enterprise, officers of an involved bureau and admins; to anyone else it does not exist', async () => {
    const { ports: p } = ports();
    const { declaration } = await submitDeclaration(declarationBody(ENTERPRISE), enterprise, undefined, p);
    const officer = (bureau: string): Principal => ({ id: 'prn_x', kind: 'officer', bureau, roles: ['inspector'] });
    for (const who of [enterprise, officer('SD'), officer('HA'), { id: 'admin', kind: 'admin' } as Principal])
      expect((await readDeclaration(declaration.id, who, p)).id).toBe(declaration.id);
    for (const who of [officer('XJ'), { id: 'prn_o', kind: 'enterprise', enterpriseId: '91110000802100433B' } as Principal])
      await expect(readDeclaration(declaration.id, who, p)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(readDeclaration('dcl_missing', enterprise, p)).rejects.toMatchObject({ kind: 'not-found' });
  });
});
