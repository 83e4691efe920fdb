import { z } from 'zod';
import { bureau, creditCode } from './common.js';

export const principalKind = z.enum(['admin', 'enterprise', 'officer']);
export const officerRole = z.enum(['inspector', 'credit', 'rules', 'stats']);
export type PrincipalKind = z.infer<typeof principalKind>;
export type OfficerRole = z.infer<typeof officerRole>;

/** `POST /principals` body: one shape per kind, so a wrong combination is named field by field. */
export const createPrincipalRequest = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('admin') }),
    z.strictObject({ kind: z.literal('enterprise'), enterpriseId: creditCode }),
    z.strictObject({
      kind: z.literal('officer'),
      bureau,
      roles: z
        .array(officerRole)
        .min(1)
        .max(4)
        .refine((r) => new Set(r).size === r.length, 'roles must not repeat'),
    }),
  ])
  .meta({ id: 'CreatePrincipalRequest' });
export type CreatePrincipalRequest = z.infer<typeof createPrincipalRequest>;

export const principalCreated = z
  .object({
    id: z.string(),
    kind: principalKind,
    enterpriseId: z.string().optional(),
    bureau: z.string().optional(),
    roles: z.array(officerRole).optional(),
    apiKey: z.string().meta({ description: 'Shown once; only its hash is stored' }),
  })
  .meta({ id: 'PrincipalCreated' });

/** `GET /principals/me`: who the calling key is, so a client (the web console) can show what it may do. */
export const principalView = z
  .object({
    id: z.string(),
    kind: principalKind,
    enterpriseId: z.string().optional(),
    bureau: z.string().optional(),
    roles: z.array(officerRole).optional(),
  })
  .meta({ id: 'PrincipalView' });
