/**
 * Declare anywhere (contract sections 5, 13 and 16): intake (single and batch, with admission),
 * status, listing; amendment and cancellation in declaration-lifecycle.ts. Officers' work on
 * declarations is served by the officers function (officers.ts).
 */
import { routes } from '../../shared/api/routes.js';
import { readDeclaration, submitDeclaration } from '../../shared/app/declarations.js';
import { listDeclarations } from '../../shared/app/worklist.js';
import { DECLARATION_SUMMARY_FIELDS, type StoredDeclarationSummary } from '../../shared/schemas/declaration.js';
import { declarationView } from '../../shared/domain/declaration.js';
import { errorToProblem, httpFunction, implement } from '../../shared/http/function.js';
import { declarationLifecycleRoutes } from './declaration-lifecycle.js';
import { requiredEnv } from '../../shared/adapters/aws.js';
import { queueDepthSampler } from '../../shared/adapters/queue-depth.js';
import { Admission, admissionLimitsFromEnv } from '../../shared/app/admission.js';
import { submitBatch } from '../../shared/app/batch-intake.js';

/** Exactly the summary schema's fields (what the listing index projects). */
function summaryView(h: StoredDeclarationSummary, baseUrl: string) {
  const view: Record<string, unknown> = {};
  for (const key of DECLARATION_SUMMARY_FIELDS) if (h[key] !== undefined) view[key] = h[key];
  return { ...view, links: { self: `${baseUrl}/declarations/${h.id}` } };
}

/** Intake refuses (503 + Retry-After, nothing stored) beyond what the pipeline can sustain (section 16). */
const admission = new Admission(
  admissionLimitsFromEnv(),
  queueDepthSampler(() => [requiredEnv('AUDIT_QUEUE_URL'), requiredEnv('NOTIFY_QUEUE_URL')]),
);
/** Declarations a batch writes per transaction (shared/adapters/declaration-batch.ts). */
const PER_TRANSACTION = 25;

export const declarationRoutes = [
  implement(routes.submitDeclaration, async ({ body, principal, headers, baseUrl }) => {
    const { outcome, declaration: d } = await admission.run(
      { transactions: 1, declarations: 1 },
      () => submitDeclaration(body, principal, headers['idempotency-key']),
      (r) => (r.outcome === 'accepted' ? 1 : 0),
    );
    const location = { location: `/declarations/${d.id}` };
    if (outcome === 'replayed') return { status: 200, body: declarationView(d, baseUrl), headers: location };
    return { status: 202, body: { id: d.id, status: 'ACCEPTED', links: { self: `${baseUrl}/declarations/${d.id}` } }, headers: location };
  }),

  implement(routes.submitDeclarationBatch, async ({ body, principal, requestId }) => {
    const n = body.declarations.length;
    const outcomes = await admission.run(
      { transactions: Math.ceil(n / PER_TRANSACTION), declarations: n },
      () => submitBatch(body.declarations, principal),
      (items) => items.filter((o) => o.outcome === 'accepted').length,
    );
    const results = outcomes.map((o) =>
      o.outcome === 'refused'
        ? (() => {
            const problem = errorToProblem(o.error, requestId);
            return { index: o.index, status: problem.statusCode!, problem: JSON.parse(problem.body!) as Record<string, unknown> };
          })()
        : { index: o.index, status: o.outcome === 'accepted' ? 202 : 200, id: o.id },
    );
    return { status: 200, body: { results } };
  }),

  implement(routes.getDeclaration, async ({ params, principal, baseUrl }) => ({
    status: 200,
    body: declarationView(await readDeclaration(params.id, principal), baseUrl),
  })),

  implement(routes.listDeclarations, async ({ query, principal, baseUrl }) => {
    const page = await listDeclarations(principal, query);
    return {
      status: 200,
      body: { items: page.items.map((h) => summaryView(h, baseUrl)), nextCursor: page.nextCursor },
    };
  }),
  ...declarationLifecycleRoutes,
];

export const handler = httpFunction('declarations', declarationRoutes);
