/** Batch intake (contract section 16): the envelope; each item is a section 5 body, validated on its own. */
import { z } from 'zod';
import { problemSchema } from './problem.js';

export const MAX_BATCH_DECLARATIONS = 100;
/** The batch route's body limit (the single call keeps 1 MiB; API Gateway allows 10 MB). */
export const MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

export const declarationBatchInput = z
  .strictObject({
    declarations: z
      .array(
        // Items are validated one by one by the handler, so that one bad item is its own 400 and
        // the others go ahead; the document still describes each as a DeclarationInput.
        z.unknown().meta({ $ref: '#/components/schemas/DeclarationInput' }),
      )
      .min(1)
      .max(MAX_BATCH_DECLARATIONS),
  })
  .meta({ id: 'DeclarationBatchInput' });

export const declarationBatchResult = z
  .object({
    results: z.array(
      z.object({
        index: z.number().int().meta({ description: 'Position of the item in the request' }),
        status: z
          .number()
          .int()
          .meta({ description:
              'What POST /declarations would have answered for this item: 202, 200 (a retry), 400, 403, 409, 413, ' +
              '503 (not stored under load while other items were; file it again after problem.retryAfterSeconds), or 500 (not stored because of a fault; quote problem.requestId)', }),
        id: z.string().optional().meta({ description: 'The declaration (202: stored now; 200: stored before)' }),
        problem: problemSchema.optional(),
      }),
    ),
  })
  .meta({ id: 'DeclarationBatchResult' });
