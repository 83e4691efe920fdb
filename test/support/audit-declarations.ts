/** One audit-ready declaration for domain unit tests (engine, requirements): an export of laptops. */
import type { AuditDeclaration } from '../../shared/domain/rules/engine.js';

export function auditDraft(overrides: Partial<AuditDeclaration> = {}): Omit<AuditDeclaration, 'id'> {
  return {
    enterpriseId: '91350100M000100Y43',
    direction: 'EXPORT',
    declaredAt: 'SD',
    portBureau: 'SD',
    port: 'QDP',
    inspectionBureau: 'HA',
    releaseBureau: 'SN',
    transport: 'SEA',
    originCountry: 'CN',
    destinationCountry: 'KZ',
    lines: [{ hsCode: '8471300000', description: 'laptops', quantity: 1, unit: 'PCS', valueUsd: 1000 }],
    documents: [],
    ...overrides,
  };
}

/** A declaration line with this HS code and value. */
export const line = (hsCode: string, valueUsd = 10) => ({ hsCode, description: 'x', quantity: 1, unit: 'KG', valueUsd });
