/**
 * Auditing one declaration: load it, the enterprise's credit at audit time and the active rule
 * set; decide (the engine); apply the pure transition (shared/domain/audit.ts) with its events,
 * counters and (for document release) the certificate, in one conditional transaction.
 * Idempotent: a declaration already past ACCEPTED is left alone.
 *
 * An attempt that fails for a reason of the declaration's own is counted on it; at the bound it is
 * parked (shared/domain/audit-parking.ts) and the message is done with. A parked declaration is
 * audited only by the redrive sweep's slow automatic retry (a message with `parkedRetry`) or after
 * an operator's redrive (`redriveDeclaration`, POST /declarations/{id}/redrive).
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { applyMany } from '../adapters/declaration-transitions.js';
import { itemsReadTogether } from '../adapters/aws.js';
import { dynamoEnterpriseStore, enterpriseWith } from '../adapters/enterprise-store.js';
import { ruleSetStore } from '../adapters/ruleset-store.js';
import { decideAudit } from '../domain/audit.js';
import {
  countsAgainstDeclaration,
  errorSummary,
  isParked,
  recordAuditFailure,
  recordParkedRetryFailure,
  redriveParked,
} from '../domain/audit-parking.js';
import { invalid, notFound } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { MAX_AUDIT_FAILURES } from '../config.js';
import { logger } from '../http/logger.js';
import { auditQueue, type AuditMessage } from '../adapters/queues.js';
import { queueCommittedWork, type WorkQueue } from '../adapters/sqs-queue.js';
import type { DeclarationRecord } from '../domain/declaration.js';
import type { EnterpriseRecord } from '../domain/enterprise.js';
import type { OutboxEvent } from '../domain/events.js';
import { decide, type CompiledRuleSet } from '../domain/rules/engine.js';
import type { Sealer } from '../domain/transition.js';
import type { DeclarationStatus } from '../schemas/declaration.js';
import { stepTimeLimitS } from '../region.js';
import { changeDeclaration, type DeclarationChangeStore } from './declaration-change.js';
import { productionSealer } from './inspection.js';
import { coalescedPerBatch, groupedPerRound, sharedPerBatch } from './batch-scope.js';

export type AuditOutcome =
  { outcome: 'decided'; status: DeclarationStatus; events: OutboxEvent[] } | { outcome: 'already-audited' | 'not-found' | 'parked' };

export type AuditPorts = {
  store: DeclarationChangeStore;
  enterprises: {
    get(code: string): Promise<Pick<EnterpriseRecord, 'level' | 'blacklisted'> | undefined>;
  };
  activeRuleSet: () => Promise<CompiledRuleSet | undefined>;
  sealer: () => Promise<Sealer>;
  clock: () => string;
  /** Failed attempts before a declaration is parked. */
  maxFailures?: number;
};

export const auditPorts: AuditPorts = {
  store: { ...declarationStore, applyMany: (ts) => applyMany(ts) },
  enterprises: dynamoEnterpriseStore,
  activeRuleSet: () => ruleSetStore.activeCompiled(),
  sealer: productionSealer,
  clock: () => new Date().toISOString(),
};

/** What an audit reads before it decides, each read through one shared request (`auditBatchPorts`). */
export type ReadsTogether = {
  declaration(id: string): Promise<DeclarationRecord | undefined>;
  enterprise(code: string): Promise<Pick<EnterpriseRecord, 'level' | 'blacklisted'> | undefined>;
  activeRuleSet(): Promise<CompiledRuleSet | undefined>;
};

/**
 * Ports for one batch of audits (one worker invocation). What the batch's records read at the
 * same moment goes out as one request (`together`): a declaration whose message names its filer is
 * read with its filer's credit and the rule set pointer in one BatchGetItem, and a batch of ten
 * reads its ten declarations, their enterprises and the pointer in one or two (docs/pipeline.md).
 * The active rule set version and each enterprise's credit are read once per batch, not once per
 * declaration. A batch is audited within a second or so; a publish or a credit change that commits
 * meanwhile applies from the next batch, exactly as it would to an audit that had started a moment
 * earlier (each decision records the rule set version it used). The transitions the batch decides
 * at the same moment commit in one transaction, each on its own conditions, the counters they meet
 * on merged (shared/adapters/declaration-transitions.ts). See shared/app/batch-scope.ts.
 */
export function batchScopedPorts(ports: AuditPorts, together: ReadsTogether): AuditPorts {
  const { store } = ports;
  return {
    ...ports,
    activeRuleSet: sharedPerBatch(() => together.activeRuleSet(), () => 'active'),
    enterprises: { get: sharedPerBatch((code: string) => together.enterprise(code), (code) => code) },
    store: {
      ...store,
      get: (id) => together.declaration(id),
      ...(store.applyMany ? { apply: groupedPerRound(store.applyMany.bind(store), store.apply.bind(store)) } : {}),
    },
  };
}

/**
 * The audit worker's ports for one batch (functions/audit-worker.ts): `ports` (the production
 * stores by default), every read of one moment in one strongly consistent BatchGetItem
 * (shared/adapters/aws.ts, `itemsReadTogether`).
 */
export function auditBatchPorts(ports: AuditPorts = auditPorts): AuditPorts {
  const readItem = itemsReadTogether(coalescedPerBatch);
  return batchScopedPorts(ports, {
    declaration: (id) => declarationStore.getWith(readItem, id),
    enterprise: (code) => enterpriseWith(readItem, code),
    activeRuleSet: () => ruleSetStore.activeCompiledWith(readItem),
  });
}

/**
 * Audits a declaration once. A failure is thrown on (the queue retries it) after it has been
 * counted; the failure that parks it answers `parked` instead, so that the message is deleted.
 */
export async function auditDeclaration(
  declarationId: string,
  ports: AuditPorts = auditPorts,
  options: { parkedRetry?: boolean; /** The filer as the message names it (a hint). */ enterpriseId?: string } = {},
): Promise<AuditOutcome> {
  try {
    return await auditOnce(declarationId, ports, options.parkedRetry === true, options.enterpriseId);
  } catch (error) {
    if (!countsAgainstDeclaration(error)) throw error;
    if (options.parkedRetry) return await recordFailedParkedRetry(declarationId, error, ports);
    let parked = false;
    try {
      const t = await changeDeclaration(
        declarationId,
        (current) => recordAuditFailure(current, { at: ports.clock(), error }, ports.maxFailures ?? MAX_AUDIT_FAILURES),
        ports.store,
      );
      parked = t?.pendingIndex === 'parked';
      if (parked) {
        // The cloud's alarm counts parked declarations (functions/redrive.ts); this line says which.
        logger.error('declaration parked: its audit failed too often', {
          declarationId,
          failedAttempts: t!.record.auditFailures?.count,
          lastError: errorSummary(error),
        });
      }
    } catch (recording) {
      logger.error('could not count a failed audit', { declarationId, error: errorSummary(recording) });
    }
    if (parked) return { outcome: 'parked' };
    throw error;
  }
}

/** A parked declaration's automatic retry failed again: counted, still parked, the message done with. */
async function recordFailedParkedRetry(declarationId: string, error: unknown, ports: AuditPorts): Promise<AuditOutcome> {
  try {
    const t = await changeDeclaration(declarationId, (current) => recordParkedRetryFailure(current, { at: ports.clock(), error }), ports.store);
    logger.warn('parked declaration retried automatically; its audit failed again', {
      declarationId,
      failedAttempts: t?.record.auditFailures?.count,
      lastError: errorSummary(error),
    });
  } catch (recording) {
    logger.error('could not count a failed audit', { declarationId, error: errorSummary(recording) });
  }
  return { outcome: 'parked' };
}

/**
 * A read started before it is known to be needed: awaited later or never (a declaration audited
 * already needs no rule set), so a failure is held for whoever awaits it and not left unhandled.
 */
function started<T>(read: () => Promise<T>): Promise<T> {
  const promise = read();
  promise.catch(() => undefined);
  return promise;
}

async function auditOnce(declarationId: string, ports: AuditPorts, parkedRetry: boolean, enterpriseHint?: string): Promise<AuditOutcome> {
  // Everything the decision needs is read at the same moment as the declaration: the filer's
  // credit (when the message names the filer), the active rule set and the sealer. Each read is a
  // round trip to a store under load (docs/pipeline.md); one after the other they were two.
  const ruleSet$ = started(() => ports.activeRuleSet());
  const seal$ = started(() => ports.sealer());
  const hinted$ = enterpriseHint === undefined ? undefined : started(() => ports.enterprises.get(enterpriseHint));
  const d = await ports.store.get(declarationId);
  if (!d) return { outcome: 'not-found' };
  if (d.status !== 'ACCEPTED') return { outcome: 'already-audited' };
  // Parked: audited only by its automatic retry (or after an operator's redrive), not by a stray message.
  if (isParked(d) && !parkedRetry) return { outcome: 'parked' };
  // The declaration's own filer decides; a message that named another (it never should) costs a read.
  const enterprise$ = hinted$ && enterpriseHint === d.enterpriseId ? hinted$ : ports.enterprises.get(d.enterpriseId);
  const [enterprise, ruleSet, seal] = await Promise.all([enterprise$, ruleSet$, seal$]);
  if (!enterprise) throw new Error(`declaration ${d.id}: enterprise ${d.enterpriseId} is not registered`);
  if (!ruleSet) throw new Error('no active rule set: run the seed (local start or deploy trigger) or publish one');

  const t = await changeDeclaration(
    declarationId,
    (current) => {
      if (current.status !== 'ACCEPTED') return undefined; // audited meanwhile (a redelivery)
      const decision = decide(ruleSet, current, { level: enterprise.level, blacklisted: enterprise.blacklisted });
      return decideAudit(current, decision, { at: ports.clock(), seal, timeLimitS: stepTimeLimitS, postRelease: ruleSet.postRelease });
    },
    ports.store,
    d,
  );
  if (!t) return { outcome: 'already-audited' };
  return { outcome: 'decided', status: t.to, events: t.events };
}

/**
 * An operator's redrive of a parked declaration (POST /declarations/{id}/redrive): back in the
 * stranded index with a fresh count, and its audit queued now (if the send fails, the redrive
 * sweep queues it). 404 for an unknown id, 409 when it is not parked.
 */
export async function redriveDeclaration(
  declarationId: string,
  by: Principal,
  ports: { store: DeclarationChangeStore; audit: WorkQueue<AuditMessage>; clock: () => string } = {
    store: auditPorts.store,
    audit: auditQueue,
    clock: auditPorts.clock,
  },
) {
  const who = by.kind === 'officer' ? `an officer of ${by.bureau}` : 'an administrator';
  const t = await changeDeclaration(
    declarationId,
    (current) => redriveParked(current, { at: ports.clock(), who, principalId: by.id }),
    ports.store,
  );
  if (!t) throw notFound(`declaration ${declarationId}`);
  await queueCommittedWork(ports.audit, [{ declarationId }], 'declaration');
  logger.info('parked declaration redriven', { declarationId, by: by.id });
  return t.record;
}

/** A page of the parked declarations, longest parked first (GET /declarations/parked). */
export async function listParked(q: { limit: number; cursor?: string }): Promise<{
  items: (Omit<DeclarationRecord, 'lines'> & { auditFailures: NonNullable<DeclarationRecord['auditFailures']> })[];
  nextCursor: string | null;
}> {
  const page = await declarationStore.listParked(q);
  if (page === 'bad-cursor') throw invalid('the cursor is not valid', [{ path: 'cursor', message: 'is not a cursor this API issued' }]);
  return { ...page, items: page.items.filter((h) => h.auditFailures?.parkedAt !== undefined) as never };
}
