/** Credit objections (contract section 14): one schema per request and view. */
import { z } from 'zod';
import { creditCode, creditLevel, isoTimestamp, text } from './common.js';

export const fileObjectionRequest = z
  .strictObject({ reason: text(1, 2000).meta({ description: 'Why the enterprise objects to its credit' }) })
  .meta({ id: 'CreditObjectionRequest' });

export const objectionParams = z.object({
  code: creditCode,
  id: z.string().min(1).max(64).meta({ example: 'obj_01M7YXACV01X7M0D8WWR0TCG1D' }),
});

export const decideObjectionRequest = z
  .strictObject({
    outcome: z.enum(['UPHELD', 'REJECTED']),
    reason: text(1, 500),
    level: creditLevel.optional().meta({ description: 'UPHELD only: the level to change to' }),
    blacklisted: z.boolean().optional().meta({ description: 'UPHELD only: the blacklist state to change to' }),
  })
  .meta({ id: 'CreditObjectionDecisionRequest' });

const transition = z.object({ from: creditLevel, to: creditLevel, wasBlacklisted: z.boolean(), blacklisted: z.boolean() });

export const objectionView = z
  .object({
    id: z.string(),
    creditCode: z.string(),
    status: z.enum(['OPEN', 'UPHELD', 'REJECTED']),
    reason: z.string(),
    createdAt: isoTimestamp,
    dueBy: isoTimestamp.meta({ description: '20 days after createdAt: the credit office decides by then' }),
    levelAtFiling: creditLevel,
    blacklistedAtFiling: z.boolean(),
    decision: z
      .object({
        outcome: z.enum(['UPHELD', 'REJECTED']),
        reason: z.string(),
        decidedAt: isoTimestamp,
        bureau: z.string(),
        level: creditLevel.optional(),
        blacklisted: z.boolean().optional(),
        creditChange: transition
          .optional()
          .meta({ description: 'The credit change the decision made (in the credit history, naming this objection)' }),
      })
      .optional(),
  })
  .meta({ id: 'CreditObjection' });

export const objectionList = z.object({ items: z.array(objectionView) }).meta({ id: 'CreditObjectionList' });
