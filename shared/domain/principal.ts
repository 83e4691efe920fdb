/**
 * Who is calling, and what each kind of principal may do (contract section 2). Pure checks: they
 * throw a DomainError the HTTP layer maps to 403.
 */
import type { OfficerRole, PrincipalKind } from '../schemas/principal.js';
import { forbidden } from './errors.js';

export type Principal = {
  id: string;
  kind: PrincipalKind;
  enterpriseId?: string;
  bureau?: string;
  roles?: OfficerRole[];
};

export type Officer = Principal & { kind: 'officer'; bureau: string; roles: OfficerRole[] };
export type EnterprisePrincipal = Principal & { kind: 'enterprise'; enterpriseId: string };

export const ADMIN_PRINCIPAL_ID = 'admin';

export function isOfficerWith(p: Principal, role: OfficerRole): p is Officer {
  return p.kind === 'officer' && !!p.bureau && (p.roles ?? []).includes(role);
}

export function requireAdmin(p: Principal): void {
  if (p.kind !== 'admin') throw forbidden('only an admin may do this');
}

export function requireEnterprise(p: Principal): asserts p is EnterprisePrincipal {
  if (p.kind !== 'enterprise' || !p.enterpriseId) throw forbidden('only an enterprise may do this');
}

export function requireOfficerRole(p: Principal, role: OfficerRole): asserts p is Officer {
  if (!isOfficerWith(p, role)) throw forbidden(`only an officer with the ${role} role may do this`);
}

/** Admin, or an officer with the given role (e.g. registering enterprises). */
export function requireAdminOrOfficerRole(p: Principal, role: OfficerRole): void {
  if (p.kind === 'admin') return;
  requireOfficerRole(p, role);
}

/** Any authenticated principal. */
export function anyPrincipal(_p: Principal): void {}

/**
 * Who may call a route, as data (the route table's `allow`): a principal kind, any officer, or an
 * officer holding one role. The handler enforces it, the OpenAPI document shows it, the
 * authorization tests read it.
 */
export type Caller = 'admin' | 'enterprise' | 'officer' | `officer:${OfficerRole}`;

/** Every kind of principal. */
export const ANY_CALLER: readonly Caller[] = ['admin', 'enterprise', 'officer'];

export function isAllowed(p: Principal, allow: readonly Caller[]): boolean {
  return allow.some((c) => {
    if (c === 'admin' || c === 'enterprise') return p.kind === c;
    if (c === 'officer') return p.kind === 'officer' && !!p.bureau;
    return isOfficerWith(p, c.slice('officer:'.length) as OfficerRole);
  });
}

const callerPhrase = (c: Caller) =>
  c === 'admin'
    ? 'an admin'
    : c === 'enterprise'
      ? 'an enterprise'
      : c === 'officer'
        ? 'an officer'
        : `an officer with the ${c.slice(8)} role`;

/** In words, for a 403 and for the API document: "an admin or an officer with the credit role". */
export const describeCallers = (allow: readonly Caller[]) => allow.map(callerPhrase).join(' or ');

/** 403 unless `p` is one of `allow`; `refusal` says why in the route's own words. */
export function requireAllowed(p: Principal, allow: readonly Caller[], refusal?: string): void {
  if (!isAllowed(p, allow)) throw forbidden(refusal ?? `only ${describeCallers(allow)} may do this`);
}
