/** A valid declaration body, to be varied per test. */
import { randomUUID } from 'node:crypto';
import type { DeclarationInput } from '../../shared/schemas/declaration.js';
import { newContainerNumber } from './fixtures.js';

export function declarationBody(enterpriseId: string, overrides: Partial<DeclarationInput> = {}): DeclarationInput {
  return {
    clientRef: `ref-${randomUUID()}`,
    enterpriseId,
    direction: 'EXPORT',
    declaredAt: 'SD',
    portBureau: 'SD',
    port: 'QDP',
    inspectionBureau: 'HA',
    releaseBureau: 'HA',
    transport: 'SEA',
    originCountry: 'CN',
    destinationCountry: 'KZ',
    containers: [newContainerNumber()],
    lines: [{ hsCode: '8471300000', description: 'Laptop computers', quantity: 100, unit: 'PCS', valueUsd: 45000 }],
    documents: [{ type: 'INVOICE', number: 'INV-1' }],
    ...overrides,
  };
}
