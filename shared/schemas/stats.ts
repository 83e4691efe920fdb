import { z } from 'zod';
import { isoTimestamp, limit } from './common.js';

const day = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v).toISOString().slice(0, 10));

export const statsQuery = z.strictObject({
  groupBy: z.enum(['declaredAt', 'inspectedAt', 'destination']),
  from: day.optional().meta({ description: 'First UTC day (date or date-time), default 30 days before `to`' }),
  to: day.optional().meta({ description: 'Last UTC day, default today' }),
  direction: z.enum(['EXPORT', 'IMPORT']).optional(),
});

const row = z.object({
  bureau: z.string(),
  declarations: z.number().int(),
  lines: z.number().int(),
  valueUsd: z.number(),
  released: z.number().int(),
  documentReleased: z.number().int(),
  inspected: z.number().int(),
  failed: z.number().int(),
  returned: z.number().int(),
  overdue: z
    .number()
    .int()
    .meta({ description: 'Steps owed by the bureau pending past dueAt now (whatever the date range; by direction when asked)' }),
  cancelled: z.number().int().meta({ description: 'Declarations cancelled (contract section 13)' }),
  followUpFailed: z
    .number()
    .int()
    .meta({ description: 'Released declarations whose follow-up check after release failed (contract section 15); they stay released' }),
  releaseSeconds: z.object({
    p50: z.number().nullable().meta({ description: 'Upper bound of the histogram bucket holding the median; null without releases' }),
    p95: z.number().nullable(),
  }),
});

export const statsResult = z
  .object({ groupBy: statsQuery.shape.groupBy, from: z.string(), to: z.string(), direction: z.enum(['EXPORT', 'IMPORT']).nullable(), rows: z.array(row) })
  .meta({ id: 'Statistics' });

export const overdueQuery = z.strictObject({ limit: limit(1000, 100) });

export const overdueResult = z
  .object({
    items: z.array(
      z.object({
        kind: z.string().meta({ description: 'A step kind, or CREDIT_OBJECTION (section 14; officers with stats only)' }),
        declarationId: z.string().optional(),
        bureau: z.string().optional(),
        objectionId: z.string().optional(),
        creditCode: z.string().optional(),
        requiredSince: isoTimestamp.nullable().optional(),
        dueAt: isoTimestamp,
        overdueSeconds: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'OverdueList' });
