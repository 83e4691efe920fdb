/**
 * What generated rule code reads. One context per compiled rule set, refilled at every decision
 * (deciding is synchronous, so one is enough): no object, array or closure is allocated to
 * evaluate a declaration.
 */
import type { DeclarationInput } from '../../schemas/declaration.js';
import type { CreditSnapshot } from './measures.js';

/** What the engine reads of a declaration. */
export type AuditDeclaration = Pick<
  DeclarationInput,
  | 'direction'
  | 'declaredAt'
  | 'portBureau'
  | 'port'
  | 'inspectionBureau'
  | 'releaseBureau'
  | 'transport'
  | 'originCountry'
  | 'destinationCountry'
  | 'enterpriseId'
  | 'containers'
  | 'lines'
  | 'documents'
> & { id: string };

export type AuditContext = {
  d: AuditDeclaration;
  credit: CreditSnapshot;
  /** Sum of the line values (the domain's cents-exact definition); only when a rule reads it. */
  totalValueUsd: number;
  /** Document types present (a handful: an array beats a Set here); refilled, never reallocated. */
  docTypes: string[];
  /** Numbers the decision: an atom holds in this decision when atomTrue[atom] === stamp. */
  stamp: number;
  atomTrue: Int32Array;
  /** For scanned atoms: atomKnown[atom] === stamp once this decision has scanned the lines. */
  atomKnown: Int32Array;
};

export function newContext(atoms: number): AuditContext {
  return {
    d: undefined as unknown as AuditDeclaration,
    credit: undefined as unknown as CreditSnapshot,
    totalValueUsd: 0,
    docTypes: [],
    stamp: 0,
    atomTrue: new Int32Array(Math.max(1, atoms)),
    atomKnown: new Int32Array(Math.max(1, atoms)),
  };
}
