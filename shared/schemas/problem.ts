import { z } from 'zod';

/** RFC 9457 problem document, as every error response carries it. */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'https://clearway.dev/problems/<slug>, one per status (invalid-request, unauthenticated, forbidden, not-found, method-not-allowed, conflict, payload-too-large, unsupported-media-type, internal, unavailable)', example: 'https://clearway.dev/problems/invalid-request' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string().meta({ example: 'lines[0].hsCode' }), message: z.string() }))
      .optional()
      .meta({ description: '400: every failing field, by its path in the request' }),
    // Extensions (RFC 9457 section 3.2) some problems carry; clients may rely on these names.
    existingDeclarationId: z
      .string()
      .optional()
      .meta({ description: '409 on POST /declarations: the declaration that clientRef or Idempotency-Key already names' }),
    openObjectionId: z.string().optional().meta({ description: '409 on filing a credit objection: the one still open' }),
  })
  .loose()
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;
