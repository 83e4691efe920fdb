/** Declare anywhere (contract section 5): intake, status, listing. */
import { routes } from '../../shared/api/routes.js';
import { declarationStore, type DeclarationHeader, type IdempotencyGuard } from '../../shared/adapters/declaration-store.js';
import { auditQueue, notifyQueue } from '../../shared/adapters/queues.js';
import { queueCommittedWork } from '../../shared/adapters/queue.js';
import { queueEvents } from '../../shared/adapters/outbox.js';
import { recordStep } from '../../shared/app/inspection.js';
import { DECLARATION_SUMMARY_FIELDS } from '../../shared/schemas/declaration.js';
import { declarationView, involvesBureau, newDeclaration, type DeclarationRecord } from '../../shared/domain/declaration.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../../shared/domain/errors.js';
import { anyPrincipal, requireEnterprise, requireOfficerRole, type Officer, type Principal } from '../../shared/domain/principal.js';
import { httpFunction, implement } from '../../shared/http/function.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** An enterprise sees its own; an officer those involving its bureau; an admin all. Else 404. */
function visible(
  principal: Principal,
  d: Pick<DeclarationRecord, 'enterpriseId' | 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau' | 'steps'>,
): boolean {
  if (principal.kind === 'admin') return true;
  if (principal.kind === 'enterprise') return principal.enterpriseId === d.enterpriseId;
  return !!principal.bureau && involvesBureau(d, principal.bureau);
}

/** Exactly the summary schema's fields (what the listing index projects). */
function summaryView(h: DeclarationHeader, baseUrl: string) {
  const view: Record<string, unknown> = {};
  for (const key of DECLARATION_SUMMARY_FIELDS) if (h[key] !== undefined) view[key] = h[key];
  return { ...view, links: { self: `${baseUrl}/declarations/${h.id}` } };
}

export const declarationRoutes = [
  implement(routes.submitDeclaration, requireEnterprise, async ({ body, principal, headers, baseUrl }) => {
    if (body.enterpriseId !== principal.enterpriseId) {
      throw new DomainError('forbidden', 'an enterprise may only declare for itself', [
        { path: 'enterpriseId', message: 'must be your own enterprise' },
      ]);
    }
    const guards: IdempotencyGuard[] = [{ kind: 'clientRef', value: body.clientRef }];
    const idempotencyKey = headers['idempotency-key'];
    if (idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw invalid('the Idempotency-Key header is not valid', [
          { path: 'headers.Idempotency-Key', message: 'must be 1..128 visible ASCII characters' },
        ]);
      }
      guards.push({ kind: 'idempotencyKey', value: idempotencyKey });
    }
    const record = newDeclaration(body, new Date().toISOString());
    const result = await declarationStore.create(record, guards);
    if (!result.created) {
      const { existing } = result;
      if (existing.bodyHash !== record.bodyHash) {
        throw conflict(
          `${existing.guard === 'clientRef' ? `clientRef "${body.clientRef}"` : 'this Idempotency-Key'} was used for declaration ${existing.declarationId} with a different body`,
          { existingDeclarationId: existing.declarationId },
        );
      }
      const original = await declarationStore.get(existing.declarationId);
      if (!original) throw notFound(`declaration ${existing.declarationId}`);
      return { status: 200, body: declarationView(original, baseUrl), headers: { location: `/declarations/${original.id}` } };
    }
    // Durable now. If the send fails, the redrive sweep queues it after CLEARWAY_STRANDED_AFTER_S.
    await queueCommittedWork(auditQueue, [{ declarationId: record.id }], 'declaration');
    return {
      status: 202,
      body: { id: record.id, status: 'ACCEPTED', links: { self: `${baseUrl}/declarations/${record.id}` } },
      headers: { location: `/declarations/${record.id}` },
    };
  }),

  implement(routes.getDeclaration, anyPrincipal, async ({ params, principal, baseUrl }) => {
    const d = await declarationStore.get(params.id);
    if (!d || !visible(principal, d)) throw notFound(`declaration ${params.id}`);
    return { status: 200, body: declarationView(d, baseUrl) };
  }),

  implement(routes.listDeclarations, anyPrincipal, async ({ query, principal, baseUrl }) => {
    if (principal.kind !== 'enterprise' || !principal.enterpriseId) {
      throw forbidden('listing is per enterprise; officers read declarations of their bureau by id');
    }
    if (query.from && query.to && query.from > query.to)
      throw invalid('from is after to', [{ path: 'from', message: 'must not be after to' }]);
    const page = await declarationStore.listByEnterprise(principal.enterpriseId, query);
    if (page === 'bad-cursor')
      throw invalid('the cursor is not valid', [{ path: 'cursor', message: 'is not a cursor this API issued to you' }]);
    return { status: 200, body: { items: page.items.map((h) => summaryView(h, baseUrl)), nextCursor: page.nextCursor } };
  }),
  implement(
    routes.recordStep,
    (p) => requireOfficerRole(p, 'inspector'),
    async ({ params, body, principal, baseUrl }) => {
      const { declaration, events } = await recordStep(params.id, params.kind, principal as Officer, body);
      await queueEvents(notifyQueue, events);
      return { status: 200, body: declarationView(declaration, baseUrl) };
    },
  ),
];

export const handler = httpFunction('declarations', declarationRoutes);
