import { z } from 'zod';
import { bureau, creditCode, creditLevel, isoTimestamp, text } from './common.js';

export const registerEnterpriseRequest = z
  .strictObject({
    creditCode,
    name: text(1, 200),
    registeredBureau: bureau,
    creditLevel: creditLevel.optional(),
  })
  .meta({ id: 'RegisterEnterpriseRequest' });

export const enterpriseCodeParams = z.object({ code: creditCode });

export const creditChangeRequest = z
  .strictObject({
    level: creditLevel.optional(),
    blacklisted: z.boolean().optional(),
    reason: text(1, 500),
  })
  .meta({ id: 'CreditChangeRequest' });

export const enterpriseView = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    registeredBureau: z.string(),
    registeredAt: isoTimestamp,
    level: creditLevel,
    blacklisted: z.boolean(),
    updatedAt: isoTimestamp,
    updatedByBureau: z.string(),
  })
  .meta({ id: 'Enterprise' });

export const creditView = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    level: creditLevel,
    blacklisted: z.boolean(),
    measures: z.object({
      samplingRate: z.number().min(0).max(1),
      regionalIntegration: z.boolean(),
      documentRelease: z.boolean(),
    }),
    ruleSetVersion: z.number().int().nullable().meta({ description: 'Rule set the measures come from (null: built-in defaults)' }),
    updatedAt: isoTimestamp,
    updatedByBureau: z.string(),
    history: z.array(
      z.object({
        at: isoTimestamp,
        bureau: z.string(),
        principalId: z.string().optional().meta({ description: 'The officer who changed it: shown to officers and admins only' }),
        from: creditLevel,
        to: creditLevel,
        wasBlacklisted: z.boolean(),
        blacklisted: z.boolean().meta({ description: 'Blacklist state after the change' }),
        reason: z.string(),
        objectionId: z.string().optional().meta({ description: 'The upheld credit objection that made this change' }),
      }),
    ),
  })
  .meta({ id: 'Credit' });
