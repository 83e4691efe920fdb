/**
 * Officers' work on declarations (contract sections 8, 12 and 15): the worklist, inspection steps
 * and follow-up checks (a release signs the certificate), overrides, parked declarations and their
 * redrive. A function of its own, apart from intake: at peak an officer's step, which releases
 * inspected goods, waits neither for the intake function's concurrency (cloud) nor behind filings
 * for its connections and thread (local).
 */
import { routes } from '../../shared/api/routes.js';
import { notifyQueue } from '../../shared/adapters/queues.js';
import { queueEvents } from '../../shared/adapters/outbox.js';
import { recordStep } from '../../shared/app/inspection.js';
import { worklistOf } from '../../shared/app/worklist.js';
import { confirmOverrideFor, proposeOverrideFor } from '../../shared/app/overrides.js';
import { listParked, redriveDeclaration } from '../../shared/app/audit.js';
import { declarationView } from '../../shared/domain/declaration.js';
import type { Officer } from '../../shared/domain/principal.js';
import { httpFunction, implement } from '../../shared/http/function.js';

export const officerRoutes = [
  implement(routes.getWorklist, async ({ query, principal }) => ({ status: 200, body: await worklistOf(principal as Officer, query) })),
  implement(routes.recordStep, async ({ params, body, principal, baseUrl }) => {
    const { declaration, events } = await recordStep(params.id, params.kind, principal as Officer, body);
    await queueEvents(notifyQueue, events);
    return { status: 200, body: declarationView(declaration, baseUrl) };
  }),
  implement(routes.proposeOverride, async ({ params, body, principal }) => {
    const { override } = await proposeOverrideFor(params.id, body, principal as Officer);
    return override.status === 'APPLIED'
      ? { status: 201, body: override }
      : { status: 202, body: { id: override.id, status: 'PENDING_CONFIRMATION', override } };
  }),
  implement(routes.confirmOverride, async ({ params, principal }) => ({
    status: 200,
    body: (await confirmOverrideFor(params.id, params.overrideId, principal as Officer)).override,
  })),
  implement(routes.listParkedDeclarations, async ({ query, baseUrl }) => {
    const page = await listParked(query);
    return {
      status: 200,
      body: {
        items: page.items.map((h) => ({
          declarationId: h.id,
          enterpriseId: h.enterpriseId,
          clientRef: h.clientRef,
          direction: h.direction,
          declaredAt: h.declaredAt,
          createdAt: h.createdAt,
          parkedAt: h.auditFailures!.parkedAt!,
          failedAttempts: h.auditFailures!.count,
          lastFailedAt: h.auditFailures!.lastFailedAt ?? h.auditFailures!.parkedAt!,
          lastError: h.auditFailures!.lastError ?? '',
          links: { self: `${baseUrl}/declarations/${h.id}`, redrive: `${baseUrl}/declarations/${h.id}/redrive` },
        })),
        nextCursor: page.nextCursor,
      },
    };
  }),
  implement(routes.redriveDeclaration, async ({ params, principal, baseUrl }) => ({
    status: 202,
    body: declarationView(await redriveDeclaration(params.id, principal), baseUrl),
  })),
];

export const handler = httpFunction('officers', officerRoutes);
