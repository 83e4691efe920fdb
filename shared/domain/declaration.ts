/**
 * The declaration and its state machine (contract section 5):
 *   ACCEPTED → RETURNED | INSPECTION_REQUIRED | RELEASED;  INSPECTION_REQUIRED → RELEASED | FAILED.
 * Each transition happens once: the store makes it conditional on the status it leaves.
 */
import { createHash } from 'node:crypto';
import type { DeclarationInput, DeclarationStatus } from '../schemas/declaration.js';
import { timeOrderedId } from './ids.js';

export type Route = 'EXPORT_DIRECT' | 'EXPORT_ORIGIN_AND_PORT' | 'IMPORT_PORT' | 'IMPORT_DESTINATION';
export type Mode = 'DOCUMENT_RELEASE' | 'INSPECTION' | 'RETURNED';
export type StepKind = 'ORIGIN_INSPECTION' | 'PORT_VERIFICATION' | 'PORT_INSPECTION' | 'DESTINATION_INSPECTION' | 'PORT_DISINFECTION';
export type Hit = { ruleId: string; effect: string; detail: string };

export type Decision = {
  ruleSetVersion: number;
  creditLevel: string;
  blacklisted: boolean;
  route: Route;
  sampled: boolean;
  samplingRate: number;
  mode: Mode;
  steps: { kind: StepKind; bureau: string }[];
  releaseBureau: string;
  hits: Hit[];
  /** Why a declaration was returned or must be inspected, in words for the enterprise. */
  reasons: string[];
};

export type StepState = {
  kind: StepKind;
  bureau: string;
  status: 'PENDING' | 'PASSED' | 'FAILED';
  recordedAt?: string;
  recordedByBureau?: string;
  remarks?: string;
};

export type Release = { bureau: string; certificateNo: string; releasedAt: string; mode: string; digest: string; signature: string };
export type TimelineEntry = { at: string; status: DeclarationStatus; bureau?: string; detail: string };

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
  /** Optimistic-concurrency counter of `steps`: two bureaus recording at once cannot both miss the last pass. */
  stepsVersion?: number;
};

const NEXT: Record<DeclarationStatus, readonly DeclarationStatus[]> = {
  ACCEPTED: ['RETURNED', 'INSPECTION_REQUIRED', 'RELEASED'],
  INSPECTION_REQUIRED: ['RELEASED', 'FAILED'],
  RETURNED: [],
  RELEASED: [],
  FAILED: [],
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

export const totalValueUsd = (d: Pick<DeclarationInput, 'lines'>) => d.lines.reduce((sum, l) => sum + l.valueUsd, 0);

/** The bureau each statistics view attributes a declaration to (contract section 10). */
export function statsBureaus(d: Pick<DeclarationInput, 'declaredAt' | 'inspectionBureau' | 'portBureau' | 'direction'>) {
  return {
    declaredAt: d.declaredAt,
    inspectedAt: d.inspectionBureau,
    destination: d.direction === 'IMPORT' ? d.inspectionBureau : d.portBureau,
  };
}

export function declarationView(d: DeclarationRecord, baseUrl: string) {
  const { bodyHash: _hash, stepsVersion: _v, ...view } = d;
  return { ...view, links: { self: `${baseUrl}/declarations/${d.id}` } };
}
