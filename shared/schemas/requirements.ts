/**
 * What an enterprise can know before filing: the active rule set's document requirements and
 * negative lists (GET /requirements), and the decision a draft would get now
 * (POST /declarations/check). `DocumentType` is an enum in the OpenAPI document, filled from the
 * active rule set when the document is served (shared/api/document-types.ts).
 */
import { z } from 'zod';
import { conditionSchema } from './ruleset.js';
import { decision, stepKind } from './declaration.js';

const stepBrief = z.object({ kind: stepKind, bureau: z.string() });

export const documentType = z
  .string()
  .meta({
    id: 'DocumentType',
    description: 'A document type the active rule set names (the enum is the active rule set’s, at serve time)',
  });

const directions = z.array(z.enum(['EXPORT', 'IMPORT']));

export const requirementsView = z
  .object({
    ruleSetVersion: z.number().int().meta({ description: 'The active rule set these requirements come from' }),
    documentTypes: z.array(documentType),
    documentRules: z.array(
      z.object({
        ruleId: z.string(),
        description: z.string(),
        documentTypes: z.array(documentType).meta({ description: 'Attach one document of each of these types' }),
        directions: directions.meta({ description: 'The directions the rule applies to' }),
        hsPrefixes: z
          .array(z.string())
          .nullable()
          .meta({ description: 'Applies when a line’s HS code starts with one of these (null: whatever the goods)' }),
        when: conditionSchema.meta({ description: 'The full condition (contract section 7), for tests beyond direction and HS code' }),
      }),
    ),
    negativeLists: z.object({
      export: z.object({ hsPrefixes: z.array(z.string()), means: z.string() }),
      import: z.object({ hsPrefixes: z.array(z.string()), means: z.string() }),
    }),
  })
  .meta({ id: 'Requirements' });

export const checkResult = z
  .object({
    stored: z.literal(false).meta({ description: 'Nothing was filed or stored' }),
    ruleSetVersion: z.number().int(),
    creditLevel: z.string(),
    blacklisted: z.boolean(),
    route: decision.shape.route,
    mode: decision.shape.mode.meta({ description: 'What the audit would decide unless sampling selects the declaration' }),
    steps: z.array(stepBrief).meta({ description: 'Steps required whatever the sampling draw' }),
    releaseBureau: z.string(),
    samplingRate: z.number(),
    ifSelected: z
      .object({ probability: z.number(), mode: decision.shape.mode, addedSteps: z.array(stepBrief) })
      .nullable()
      .meta({ description: 'What selection by sampling would change (null: it can change nothing). The draw itself is not revealed.' }),
    missingDocuments: z.array(z.object({ ruleId: z.string(), documentTypes: z.array(documentType) })),
    hits: decision.shape.hits,
    reasons: z.array(z.string()),
    predicted: z.array(z.string()),
    notPredicted: z.array(z.string()),
  })
  .meta({ id: 'DeclarationCheck' });
