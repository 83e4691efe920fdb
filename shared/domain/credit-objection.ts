/**
 * Credit objections (contract section 14): an enterprise objects to its credit, an officer with the
 * credit role decides. Pure transitions: current objection (and enterprise) + input → the next
 * objection, the credit change an upheld decision makes, and the events; no I/O. The store makes
 * each one conditional (one open objection per enterprise; an objection is decided once).
 */
import type { CreditLevel } from '../schemas/common.js';
import { planCreditChange, type CreditChange, type EnterpriseRecord } from './enterprise.js';
import { conflict, invalid } from './errors.js';
import type { OutboxEvent } from './events.js';
import { timeOrderedId } from './ids.js';

/** How long the credit office has to decide (contract: 20 days). */
export const OBJECTION_DUE_DAYS = 20;

export type ObjectionOutcome = 'UPHELD' | 'REJECTED';
export type ObjectionStatus = 'OPEN' | ObjectionOutcome;

export type ObjectionDecision = {
  outcome: ObjectionOutcome;
  reason: string;
  decidedAt: string;
  bureau: string;
  principalId: string;
  /** What an upheld decision asked for (absent: upheld without a change, or rejected). */
  level?: CreditLevel;
  blacklisted?: boolean;
  /** The credit change it made: absent when nothing changed (rejected, or the credit was already so). */
  creditChange?: { from: CreditLevel; to: CreditLevel; wasBlacklisted: boolean; blacklisted: boolean };
};

export type CreditObjection = {
  id: string;
  creditCode: string;
  status: ObjectionStatus;
  reason: string;
  createdAt: string;
  createdBy: string;
  dueBy: string;
  /** The credit the enterprise objected to, as it was when it filed. */
  levelAtFiling: CreditLevel;
  blacklistedAtFiling: boolean;
  decision?: ObjectionDecision;
};

export type DecideObjectionInput = { outcome: ObjectionOutcome; reason: string; level?: CreditLevel; blacklisted?: boolean };

export function dueByOf(createdAt: string): string {
  return new Date(Date.parse(createdAt) + OBJECTION_DUE_DAYS * 86_400_000).toISOString();
}

/** A new open objection. The store refuses it (409) while another one of the enterprise is open. */
export function fileObjection(
  enterprise: Pick<EnterpriseRecord, 'creditCode' | 'level' | 'blacklisted'>,
  input: { reason: string },
  by: { principalId: string },
  now: string,
): CreditObjection {
  return {
    id: `obj_${timeOrderedId(Date.parse(now))}`,
    creditCode: enterprise.creditCode,
    status: 'OPEN',
    reason: input.reason,
    createdAt: now,
    createdBy: by.principalId,
    dueBy: dueByOf(now),
    levelAtFiling: enterprise.level,
    blacklistedAtFiling: enterprise.blacklisted,
  };
}

export type ObjectionDecided = {
  objection: CreditObjection;
  /** Present when the decision changes the credit: committed with the objection, same transaction. */
  creditChange?: CreditChange;
  events: OutboxEvent[];
};

/**
 * Deciding an objection. An upheld decision with a level or blacklist change is an ordinary credit
 * change (`planCreditChange`: history, `enterprise.credit_changed`, version-conditional, region-wide
 * at once) whose history entry names the objection. Either way the enterprise gets
 * `enterprise.credit_objection_decided`. Deciding a decided objection is a 409.
 */
export function decideObjection(
  objection: CreditObjection,
  enterprise: EnterpriseRecord,
  input: DecideObjectionInput,
  by: { bureau: string; principalId: string },
  now: string,
): ObjectionDecided {
  if (objection.status !== 'OPEN') {
    throw conflict(`objection ${objection.id} was decided already (${objection.status} at ${objection.decision?.decidedAt})`, {
      objectionStatus: objection.status,
    });
  }
  const asksChange = input.level !== undefined || input.blacklisted !== undefined;
  if (input.outcome === 'REJECTED' && asksChange) {
    throw invalid('a rejected objection changes no credit', [
      ...(input.level !== undefined ? [{ path: 'level', message: 'only an UPHELD decision may set level' }] : []),
      ...(input.blacklisted !== undefined ? [{ path: 'blacklisted', message: 'only an UPHELD decision may set blacklisted' }] : []),
    ]);
  }
  const creditChange = asksChange
    ? planCreditChange(
        enterprise,
        {
          ...(input.level !== undefined ? { level: input.level } : {}),
          ...(input.blacklisted !== undefined ? { blacklisted: input.blacklisted } : {}),
          reason: `objection ${objection.id} upheld: ${input.reason}`,
        },
        by,
        now,
        { objectionId: objection.id },
      )
    : undefined;
  const decidedAt = creditChange?.history.at ?? (now > objection.createdAt ? now : objection.createdAt);
  const decision: ObjectionDecision = {
    outcome: input.outcome,
    reason: input.reason,
    decidedAt,
    bureau: by.bureau,
    principalId: by.principalId,
    ...(input.level !== undefined ? { level: input.level } : {}),
    ...(input.blacklisted !== undefined ? { blacklisted: input.blacklisted } : {}),
    ...(creditChange
      ? {
          creditChange: {
            from: creditChange.history.from,
            to: creditChange.history.to,
            wasBlacklisted: creditChange.history.wasBlacklisted,
            blacklisted: creditChange.history.blacklisted,
          },
        }
      : {}),
  };
  const decided: CreditObjection = { ...objection, status: input.outcome, decision };
  const event: OutboxEvent = {
    id: `evt_${timeOrderedId()}`,
    type: 'enterprise.credit_objection_decided',
    enterpriseId: objection.creditCode,
    timestamp: decidedAt,
    data: {
      creditCode: objection.creditCode,
      objectionId: objection.id,
      outcome: input.outcome,
      reason: input.reason,
      bureau: by.bureau,
      decidedAt,
      creditChanged: !!creditChange,
      ...(decision.creditChange ? { creditChange: decision.creditChange } : {}),
    },
  };
  return { objection: decided, ...(creditChange ? { creditChange } : {}), events: creditChange ? [creditChange.event, event] : [event] };
}

/** Whether an open objection is past its `dueBy` at `now`, and by how many whole seconds. */
export function overdueSeconds(o: Pick<CreditObjection, 'dueBy'>, now: string): number {
  return Math.max(0, Math.floor((Date.parse(now) - Date.parse(o.dueBy)) / 1000));
}

export function objectionView({ createdBy: _by, ...o }: CreditObjection) {
  const { principalId: _p, ...decision } = o.decision ?? ({} as ObjectionDecision);
  return { ...o, ...(o.decision ? { decision } : {}) };
}
