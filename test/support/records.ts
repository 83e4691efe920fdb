/** Declaration records for unit tests of the pure transitions, and an in-memory compare-and-set store. */
import { newDeclaration, type DeclarationRecord, type Decision, type StepKind } from '../../shared/domain/declaration.js';
import { pendingStepAt } from '../../shared/domain/audit.js';
import type { DeclarationTransition, Sealer } from '../../shared/domain/transition.js';
import type { DeclarationChangeStore } from '../../shared/app/declaration-change.js';

export const T0 = '2026-11-20T08:00:00.000Z';
export const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

/** A deterministic seal (the real one is an HMAC or a JWS; transitions only carry it). */
export const testSeal: Sealer = (content) => ({ digest: `digest-of-${content.certificateNo}`, signature: 'sig' });

export function accepted(overrides: Partial<DeclarationRecord> = {}): DeclarationRecord {
  return {
    ...newDeclaration(
      {
        clientRef: 'PO-1',
        enterpriseId: '91350100M000100Y43',
        direction: 'EXPORT',
        declaredAt: 'XJ',
        portBureau: 'SD',
        port: 'QDP',
        inspectionBureau: 'HA',
        releaseBureau: 'GS',
        transport: 'RAIL',
        originCountry: 'CN',
        destinationCountry: 'KZ',
        lines: [{ hsCode: '0302110000', description: 'fresh trout', quantity: 50, unit: 'KG', valueUsd: 900 }],
      },
      T0,
    ),
    ...overrides,
  };
}

export function decision(steps: { kind: StepKind; bureau: string }[], overrides: Partial<Decision> = {}): Decision {
  return {
    ruleSetVersion: 3,
    creditLevel: 'A',
    blacklisted: false,
    route: 'EXPORT_ORIGIN_AND_PORT',
    sampled: false,
    samplingRate: 0.05,
    mode: steps.length ? 'INSPECTION' : 'DOCUMENT_RELEASE',
    steps,
    releaseBureau: 'GS',
    hits: [],
    reasons: [],
    ...overrides,
  };
}

/** Awaiting ORIGIN_INSPECTION at HA and PORT_VERIFICATION at SD (as the audit leaves it at T0 + 1 s). */
export function awaitingInspection(): DeclarationRecord {
  const steps = [
    { kind: 'ORIGIN_INSPECTION' as const, bureau: 'HA' },
    { kind: 'PORT_VERIFICATION' as const, bureau: 'SD' },
  ];
  return accepted({
    status: 'INSPECTION_REQUIRED',
    decision: decision(steps),
    steps: steps.map((s) => pendingStepAt(s, at(1), 86_400)),
    version: 1,
  });
}

/**
 * What DynamoDB's conditional transaction guarantees, in memory: a transition commits only if the
 * record is still at the version it was computed from. `interleave` runs before each commit so a
 * test can let two changes read the same record first.
 */
export function casStore(initial: DeclarationRecord, interleave?: () => Promise<void>) {
  let current = structuredClone(initial);
  const committed: DeclarationTransition[] = [];
  const store: DeclarationChangeStore = {
    async get() {
      return structuredClone(current);
    },
    async apply(t) {
      await interleave?.();
      if ((current.version ?? 0) !== t.expectedVersion || current.status !== t.from) return false;
      current = structuredClone(t.record);
      committed.push(t);
      return true;
    },
  };
  return { store, committed, current: () => current };
}

/** The kind of DomainError a pure transition throws ('no error' when it throws none). */
export const kindOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as import('../../shared/domain/errors.js').DomainError).kind;
  }
  return 'no error';
};
