/**
 * Auditing one declaration: load it, the enterprise's credit at audit time and the active rule
 * set; decide; commit the transition with its event, counters and (for document release) the
 * certificate. Idempotent: a declaration already past ACCEPTED is left alone.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { dynamoEnterpriseStore } from '../adapters/enterprise-store.js';
import { ruleSetStore } from '../adapters/ruleset-store.js';
import { signingKey } from '../adapters/signing-key.js';
import { issueRelease } from '../domain/certificate.js';
import type { DeclarationRecord, Decision } from '../domain/declaration.js';
import type { EventType, OutboxEvent } from '../domain/events.js';
import { timeOrderedId } from '../domain/ids.js';
import { decide } from '../domain/rules/engine.js';
import type { DeclarationStatus } from '../schemas/declaration.js';

export type AuditOutcome =
  { outcome: 'decided'; status: DeclarationStatus; event: OutboxEvent } | { outcome: 'already-audited' | 'not-found' };

const STATUS_OF_MODE = { DOCUMENT_RELEASE: 'RELEASED', INSPECTION: 'INSPECTION_REQUIRED', RETURNED: 'RETURNED' } as const;
const EVENT_OF_STATUS: Record<string, EventType> = {
  RELEASED: 'declaration.released',
  INSPECTION_REQUIRED: 'declaration.inspection_required',
  RETURNED: 'declaration.returned',
  FAILED: 'declaration.failed',
};

export function declarationEvent(d: DeclarationRecord, status: DeclarationStatus, at: string, extra: Record<string, unknown>): OutboxEvent {
  return {
    id: `evt_${timeOrderedId()}`,
    type: EVENT_OF_STATUS[status]!,
    enterpriseId: d.enterpriseId,
    timestamp: at,
    data: { declarationId: d.id, clientRef: d.clientRef, status, ...extra },
  };
}

function timelineDetail(decision: Decision): string {
  const lane = `rule set v${decision.ruleSetVersion}, credit ${decision.creditLevel}${decision.blacklisted ? ' (blacklisted)' : ''}, route ${decision.route}`;
  if (decision.mode === 'RETURNED') return `returned by the audit (${lane}): ${decision.reasons.join('; ')}`;
  if (decision.mode === 'INSPECTION')
    return `inspection required (${lane}): ${decision.steps.map((s) => `${s.kind} at ${s.bureau}`).join(', ')}`;
  return `released on documents (${lane}) at ${decision.releaseBureau}`;
}

export async function auditDeclaration(declarationId: string, now = () => new Date().toISOString()): Promise<AuditOutcome> {
  const d = await declarationStore.get(declarationId);
  if (!d) return { outcome: 'not-found' };
  if (d.status !== 'ACCEPTED') return { outcome: 'already-audited' };
  const [enterprise, ruleSet] = await Promise.all([dynamoEnterpriseStore.get(d.enterpriseId), ruleSetStore.activeCompiled()]);
  if (!enterprise) throw new Error(`declaration ${d.id}: enterprise ${d.enterpriseId} is not registered`);
  if (!ruleSet) throw new Error('no active rule set: run the seed (local start or deploy trigger) or publish one');

  const decision = decide(ruleSet, d, { level: enterprise.level, blacklisted: enterprise.blacklisted });
  const at = now();
  const status = STATUS_OF_MODE[decision.mode];
  const released = status === 'RELEASED' ? issueRelease(d, decision.releaseBureau, at, decision.mode, await signingKey()) : undefined;
  const event = declarationEvent(d, status, at, {
    decision: {
      ruleSetVersion: decision.ruleSetVersion,
      route: decision.route,
      mode: decision.mode,
      steps: decision.steps,
      releaseBureau: decision.releaseBureau,
      hits: decision.hits,
    },
    reasons: decision.reasons,
    ...(released ? { release: released.release } : {}),
  });
  const committed = await declarationStore.transition(d, {
    from: 'ACCEPTED',
    to: status,
    at,
    set: {
      decision,
      steps: decision.steps.map((s) => ({ ...s, status: 'PENDING' as const })),
      stepsVersion: 0,
      ...(released ? { release: released.release } : {}),
    },
    timeline: [{ at, status, ...(released ? { bureau: decision.releaseBureau } : {}), detail: timelineDetail(decision) }],
    event,
    counters: status === 'RELEASED' ? { released: 1, documentReleased: 1 } : status === 'RETURNED' ? { returned: 1 } : { inspected: 1 },
    ...(released ? { releaseSeconds: (Date.parse(at) - Date.parse(d.createdAt)) / 1000 } : {}),
    ...(released
      ? { certificate: { content: released.content, digest: released.release.digest, signature: released.release.signature } }
      : {}),
  });
  return committed ? { outcome: 'decided', status, event } : { outcome: 'already-audited' };
}
