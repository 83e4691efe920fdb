/**
 * Enterprises and their region-wide credit (contract section 4). One record per enterprise for the
 * whole region: a change made by any bureau is the change everywhere.
 */
import type { CreditLevel } from '../schemas/common.js';
import { DomainError } from './errors.js';
import type { OutboxEvent } from './events.js';
import { timeOrderedId } from './ids.js';

export type EnterpriseRecord = {
  creditCode: string;
  name: string;
  registeredBureau: string;
  registeredAt: string;
  level: CreditLevel;
  blacklisted: boolean;
  updatedAt: string;
  updatedByBureau: string;
  /** Optimistic-concurrency counter: every credit change is conditional on it. */
  version: number;
};

/** One credit change, never rewritten. `from`/`to` are levels; `blacklisted` is the state after. */
export type CreditHistoryEntry = {
  at: string;
  bureau: string;
  principalId: string;
  from: CreditLevel;
  to: CreditLevel;
  wasBlacklisted: boolean;
  blacklisted: boolean;
  reason: string;
  /** The credit objection (contract section 14) whose upheld decision made this change, if any. */
  objectionId?: string;
};

export type CreditChangeRequest = { level?: CreditLevel; blacklisted?: boolean; reason: string };

export type CreditChange = {
  next: EnterpriseRecord;
  history: CreditHistoryEntry;
  event: OutboxEvent;
};

export interface EnterpriseStore {
  /** Conditional create; throws DomainError('conflict') when the code is registered already. */
  register(record: EnterpriseRecord): Promise<void>;
  /** Strongly consistent read: the credit an audit sees is the latest committed change. */
  get(code: string): Promise<EnterpriseRecord | undefined>;
  history(code: string, limit: number): Promise<CreditHistoryEntry[]>;
  /**
   * Commits a change, its history entry and its outbox event in one transaction, only if the record
   * is still at `expectedVersion`. Returns false when another change got there first.
   */
  commitCreditChange(change: CreditChange, expectedVersion: number): Promise<boolean>;
}

export const DEFAULT_CREDIT_LEVEL: CreditLevel = 'B';

export function newEnterprise(
  input: { creditCode: string; name: string; registeredBureau: string; creditLevel?: CreditLevel },
  by: { bureau: string },
  now: string,
): EnterpriseRecord {
  const level = input.creditLevel ?? DEFAULT_CREDIT_LEVEL;
  return {
    creditCode: input.creditCode,
    name: input.name,
    registeredBureau: input.registeredBureau,
    registeredAt: now,
    level,
    blacklisted: false,
    updatedAt: now,
    updatedByBureau: by.bureau,
    version: 1,
  };
}

/**
 * The change an officer asks for, applied to the current record. Returns undefined when it would
 * change nothing (a PUT of the current state is idempotent: no history entry, no event).
 */
export function planCreditChange(
  current: EnterpriseRecord,
  request: CreditChangeRequest,
  by: { bureau: string; principalId: string },
  now: string,
  cause: { objectionId?: string } = {},
): CreditChange | undefined {
  if (request.level === undefined && request.blacklisted === undefined) {
    throw new DomainError('invalid', 'a credit change needs level or blacklisted', [
      { path: 'level', message: 'level or blacklisted is required' },
    ]);
  }
  const from = { level: current.level, blacklisted: current.blacklisted };
  const to = { level: request.level ?? current.level, blacklisted: request.blacklisted ?? current.blacklisted };
  if (from.level === to.level && from.blacklisted === to.blacklisted) return undefined;
  const at = now > current.updatedAt ? now : current.updatedAt;
  const next: EnterpriseRecord = { ...current, ...to, updatedAt: at, updatedByBureau: by.bureau, version: current.version + 1 };
  const history: CreditHistoryEntry = {
    at,
    bureau: by.bureau,
    principalId: by.principalId,
    from: from.level,
    to: to.level,
    wasBlacklisted: from.blacklisted,
    blacklisted: to.blacklisted,
    reason: request.reason,
    ...(cause.objectionId ? { objectionId: cause.objectionId } : {}),
  };
  const event: OutboxEvent = {
    id: `evt_${timeOrderedId()}`,
    type: 'enterprise.credit_changed',
    enterpriseId: current.creditCode,
    timestamp: at,
    data: {
      creditCode: current.creditCode,
      from: from.level,
      to: to.level,
      wasBlacklisted: from.blacklisted,
      blacklisted: to.blacklisted,
      bureau: by.bureau,
      reason: request.reason,
      changedAt: at,
      ...(cause.objectionId ? { objectionId: cause.objectionId } : {}),
    },
  };
  return { next, history, event };
}
