/**
 * Auditing one declaration: load it, the enterprise's credit at audit time and the active rule
 * set; decide (the engine); apply the pure transition (shared/domain/audit.ts) with its events,
 * counters and (for document release) the certificate, in one conditional transaction.
 * Idempotent: a declaration already past ACCEPTED is left alone.
 */
import { declarationStore } from '../adapters/declaration-store.js';
import { dynamoEnterpriseStore } from '../adapters/enterprise-store.js';
import { ruleSetStore } from '../adapters/ruleset-store.js';
import { decideAudit } from '../domain/audit.js';
import type { EnterpriseRecord } from '../domain/enterprise.js';
import type { OutboxEvent } from '../domain/events.js';
import { decide, type CompiledRuleSet } from '../domain/rules/engine.js';
import type { Sealer } from '../domain/transition.js';
import type { DeclarationStatus } from '../schemas/declaration.js';
import { stepTimeLimitS } from '../region.js';
import { changeDeclaration, type DeclarationChangeStore } from './declaration-change.js';
import { productionSealer } from './inspection.js';

export type AuditOutcome =
  { outcome: 'decided'; status: DeclarationStatus; events: OutboxEvent[] } | { outcome: 'already-audited' | 'not-found' };

export type AuditPorts = {
  store: DeclarationChangeStore;
  enterprises: { get(code: string): Promise<Pick<EnterpriseRecord, 'level' | 'blacklisted'> | undefined> };
  activeRuleSet: () => Promise<CompiledRuleSet | undefined>;
  sealer: () => Promise<Sealer>;
  clock: () => string;
};

export const auditPorts: AuditPorts = {
  store: declarationStore,
  enterprises: dynamoEnterpriseStore,
  activeRuleSet: () => ruleSetStore.activeCompiled(),
  sealer: productionSealer,
  clock: () => new Date().toISOString(),
};

export async function auditDeclaration(declarationId: string, ports: AuditPorts = auditPorts): Promise<AuditOutcome> {
  const d = await ports.store.get(declarationId);
  if (!d) return { outcome: 'not-found' };
  if (d.status !== 'ACCEPTED') return { outcome: 'already-audited' };
  const [enterprise, ruleSet, seal] = await Promise.all([ports.enterprises.get(d.enterpriseId), ports.activeRuleSet(), ports.sealer()]);
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
