/**
 * The declaration and its state machine (contract sections 5 and 13):
 *   ACCEPTED → RETURNED | INSPECTION_REQUIRED | RELEASED;  INSPECTION_REQUIRED → RELEASED | FAILED;
 *   amended: RETURNED | INSPECTION_REQUIRED (no step recorded) → ACCEPTED (ACCEPTED stays ACCEPTED);
 *   cancelled: ACCEPTED | RETURNED | INSPECTION_REQUIRED → CANCELLED.
 * Each transition happens once: the store makes it conditional on the status it leaves.
 */
import { createHash } from 'node:crypto';
import type { Decision, DeclarationInput, Override, DeclarationStatus, Release, StepState, TimelineEntry } from '../schemas/declaration.js';
import { timeOrderedId } from './ids.js';
import type { Principal } from './principal.js';
import { centsToUsd, toCents } from '../schemas/numbers.js';
import type { AuditFailures } from './audit-parking.js';

// The declaration's parts are typed by their schemas (one definition per concept); re-exported
// here because the domain is where code reaches for them.
export type { Decision, Hit, Mode, Release, Route, StepKind, StepState, TimelineEntry } from '../schemas/declaration.js';

export type DeclarationRecord = DeclarationInput & {
  id: string;
  status: DeclarationStatus;
  createdAt: string;
  updatedAt: string;
  bodyHash: string;
  decision: Decision | null;
  steps: StepState[];
  release: Release | null;
  timeline: TimelineEntry[];
  /** Officers' overrides of the audit (contract section 12); absent on declarations without any. */
  overrides?: Override[];
  /**
   * Optimistic-concurrency version, + 1 on every transition (shared/domain/transition.ts): two
   * transitions computed from the same record cannot both commit. Never shown to clients.
   */
  version?: number;
  /** Contract section 13: 1 until the first amendment (absent on records filed before amendments existed). */
  revision?: number;
  amendmentReason?: string;
  amendedAt?: string;
  /** Hash of the current revision's amendment (body and reason): the same amendment again is a replay. */
  amendmentHash?: string;
  cancellation?: { reasonCode: string; remarks?: string; cancelledAt: string; fromStatus: DeclarationStatus };
  /** Failed audit attempts and parking (shared/domain/audit-parking.ts); absent while none failed. */
  auditFailures?: AuditFailures;
};

const NEXT: Record<DeclarationStatus, readonly DeclarationStatus[]> = {
  // ACCEPTED → ACCEPTED (an amendment before the audit) is staying put, not a move.
  ACCEPTED: ['RETURNED', 'INSPECTION_REQUIRED', 'RELEASED', 'CANCELLED'],
  // → ACCEPTED: amended (contract section 13), audited again.
  INSPECTION_REQUIRED: ['RELEASED', 'FAILED', 'ACCEPTED', 'CANCELLED'],
  RETURNED: ['ACCEPTED', 'CANCELLED'],
  RELEASED: [],
  FAILED: [],
  CANCELLED: [],
};

/** Whether a declaration may move from one status to another (staying put is not a move). */
export function canTransition(from: DeclarationStatus, to: DeclarationStatus): boolean {
  return NEXT[from].includes(to);
}

/** Canonical JSON (sorted keys) so that the same body hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function bodyHash(input: DeclarationInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export function newDeclaration(input: DeclarationInput, now: string): DeclarationRecord {
  return {
    ...input,
    id: `dcl_${timeOrderedId(Date.parse(now))}`,
    status: 'ACCEPTED',
    createdAt: now,
    updatedAt: now,
    bodyHash: bodyHash(input),
    decision: null,
    steps: [],
    release: null,
    timeline: [{ at: now, status: 'ACCEPTED', bureau: input.declaredAt, detail: `declared at ${input.declaredAt}; queued for audit` }],
    revision: 1,
  };
}

/** Officers see declarations that involve their bureau in any role. */
export function involvesBureau(
  d: Pick<DeclarationRecord, 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau' | 'steps'>,
  bureau: string,
): boolean {
  return (
    d.declaredAt === bureau ||
    d.portBureau === bureau ||
    d.inspectionBureau === bureau ||
    d.releaseBureau === bureau ||
    d.steps.some((s) => s.bureau === bureau)
  );
}

/**
 * Who may see a declaration: an enterprise its own, an officer those involving its bureau, an
 * admin all. Everyone else is told it does not exist (404), so ids reveal nothing.
 */
export function visibleTo(
  principal: Principal,
  d: Pick<DeclarationRecord, 'enterpriseId' | 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau' | 'steps'>,
): boolean {
  if (principal.kind === 'admin') return true;
  if (principal.kind === 'enterprise') return principal.enterpriseId === d.enterpriseId;
  return !!principal.bureau && involvesBureau(d, principal.bureau);
}

/**
 * The declared value of all lines, summed in integer cents (exact, unlike a sum of doubles:
 * 0.1 + 0.2): the one definition the listing, the certificate, the counters and the rules use.
 */
export function totalValueCents(d: Pick<DeclarationInput, 'lines'>): number {
  let cents = 0;
  for (let i = 0; i < d.lines.length; i++) cents += toCents(d.lines[i]!.valueUsd);
  return cents;
}
export const totalValueUsd = (d: Pick<DeclarationInput, 'lines'>): number => centsToUsd(totalValueCents(d));

/** The bureau each statistics view attributes a declaration to (contract section 10). */
export function statsBureaus(d: Pick<DeclarationInput, 'declaredAt' | 'inspectionBureau' | 'portBureau' | 'direction'>) {
  return {
    declaredAt: d.declaredAt,
    inspectedAt: d.inspectionBureau,
    destination: d.direction === 'IMPORT' ? d.inspectionBureau : d.portBureau,
  };
}

/** Parked: audits failed too often, so the declaration waits in ACCEPTED for an operator (docs/operations.md). */
export const isParked = (d: Pick<DeclarationRecord, 'status' | 'auditFailures'>): boolean =>
  d.status === 'ACCEPTED' && d.auditFailures?.parkedAt !== undefined;

export function declarationView(d: DeclarationRecord, baseUrl: string) {
  // The failures' messages are for operators (GET /declarations/parked); the view says only that it is parked.
  const { bodyHash: _hash, version: _v, amendmentHash: _a, auditFailures, ...view } = d;
  const parked = isParked(d) && auditFailures ? { parked: { since: auditFailures.parkedAt!, failedAttempts: auditFailures.count } } : {};
  return {
    ...view,
    ...parked,
    revision: d.revision ?? 1,
    overrides: d.overrides ?? [],
    links: { self: `${baseUrl}/declarations/${d.id}` },
  };
}
