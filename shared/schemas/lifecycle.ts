/** Amendment and cancellation (contract section 13): request bodies and the revisions view. */
import { z } from 'zod';
import { cancellationReasonCodes, region } from '../region.js';
import { text, isoTimestamp } from './common.js';
import { DECLARATION_STATUSES, declarationInput, decision, portOfItsBureau, stepState } from './declaration.js';

/** A full section 5 body (same clientRef) and why it changes. */
export const amendmentInput = z
  .strictObject({
    ...declarationInput.shape,
    amendmentReason: text(1, 500).meta({ description: 'Why the declaration is amended (kept with the revision)' }),
  })
  .superRefine(portOfItsBureau)
  .meta({ id: 'DeclarationAmendment' });
export type AmendmentInput = z.infer<typeof amendmentInput>;

export const cancelRequest = z
  .strictObject({
    reasonCode: z.enum(cancellationReasonCodes).meta({
      description: `From the region config: ${region.cancellationReasons.map((r) => `${r.code} ${r.description}`).join(', ')}`,
    }),
    remarks: text(1, 500).optional(),
  })
  .meta({ id: 'CancelDeclaration' });
export type CancelRequest = z.infer<typeof cancelRequest>;

export const declarationAmended = z
  .object({
    id: z.string(),
    status: z.literal('ACCEPTED'),
    revision: z.number().int().min(2),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'DeclarationAmended' });

export const revisionView = z
  .object({
    revision: z.number().int().min(1),
    body: declarationInput,
    status: z.enum(DECLARATION_STATUSES).meta({ description: 'Where this revision stood when the next one replaced it' }),
    decision: decision.nullable().meta({ description: 'The audit decision this revision got (null: amended before its audit)' }),
    steps: z.array(stepState),
    validFrom: isoTimestamp,
    supersededAt: isoTimestamp,
    amendmentReason: z.string().optional().meta({ description: 'Why this revision was made (absent on revision 1)' }),
    supersededBecause: z.string().meta({ description: 'The amendment reason of the revision that replaced it' }),
  })
  .meta({ id: 'DeclarationRevision' });
export type RevisionRecord = z.infer<typeof revisionView>;

export const revisionList = z
  .object({ currentRevision: z.number().int(), items: z.array(revisionView).meta({ description: 'Every earlier revision, oldest first' }) })
  .meta({ id: 'DeclarationRevisions' });
