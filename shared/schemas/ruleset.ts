/**
 * The rule set of the virtual audit center (contract section 7). The zod schema reports every
 * fault with its path: unknown field or operator, wrong value type for the operator, bad HS prefix,
 * rate outside 0..1, duplicate rule id, empty condition lists.
 */
import { z } from 'zod';
import { cursor, isoTimestamp, text } from './common.js';
import { rate as rateNumber } from './numbers.js';

export const OPERATORS = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'startsWith'] as const;
export type Operator = (typeof OPERATORS)[number];

type FieldType = 'string' | 'number' | 'boolean';
/** Declaration fields and derived values a condition may test, with their types. */
export const DECLARATION_FIELDS = {
  direction: 'string',
  declaredAt: 'string',
  portBureau: 'string',
  port: 'string',
  inspectionBureau: 'string',
  releaseBureau: 'string',
  transport: 'string',
  originCountry: 'string',
  destinationCountry: 'string',
  enterpriseId: 'string',
  creditLevel: 'string',
  blacklisted: 'boolean',
  totalValueUsd: 'number',
  lineCount: 'number',
  containerCount: 'number',
} as const satisfies Record<string, FieldType>;
export const LINE_FIELDS = {
  hsCode: 'string',
  valueUsd: 'number',
  quantity: 'number',
  unit: 'string',
  originCountry: 'string',
} as const satisfies Record<string, FieldType>;
export type DeclarationField = keyof typeof DECLARATION_FIELDS;
export type LineField = keyof typeof LINE_FIELDS;

export type Scalar = string | number | boolean;
export type Comparison<F extends string> = { field: F; op: Operator; value: Scalar | Scalar[] };
export type LineCondition = { all: LineCondition[] } | { any: LineCondition[] } | { not: LineCondition } | Comparison<LineField>;
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | Comparison<DeclarationField>
  | { anyLine: LineCondition }
  | { missingDocument: string };

const MAX_LIST = 50;
const scalar = z.union([z.string().max(256), z.number().refine(Number.isFinite, 'must be finite'), z.boolean()]);
const comparisonValue = z.union([scalar, z.array(scalar).min(1).max(10_000)]);

/** Whether `value` suits `op` on a field of type `type`; the message names what is wrong. */
function comparisonFault(type: FieldType, op: Operator, value: unknown): string | undefined {
  const isList = Array.isArray(value);
  if (op === 'in' || op === 'nin') {
    if (!isList) return `${op} takes a list`;
    return (value as unknown[]).every((v) => typeof v === type) ? undefined : `${op} takes a list of ${type}s for this field`;
  }
  if (op === 'startsWith') {
    if (type !== 'string') return 'startsWith applies to text fields only';
    const list = isList ? (value as unknown[]) : [value];
    return list.every((v) => typeof v === 'string' && v.length > 0) ? undefined : 'startsWith takes a non-empty string or a list of them';
  }
  if (isList) return `${op} takes a single value`;
  if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte')
    return type === 'number' && typeof value === 'number' ? undefined : `${op} compares numbers; this field or value is not a number`;
  return typeof value === type ? undefined : `${op} on this field takes a ${type}`;
}

function exactlyOneForm(keys: string[], forms: string[][], ctx: z.RefinementCtx): string | undefined {
  const present = forms.filter((form) => form.some((k) => keys.includes(k)));
  if (present.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `must be exactly one of: ${forms.map((f) => f.join('+')).join(', ')}` });
    return undefined;
  }
  const form = present[0]!;
  for (const k of form) if (!keys.includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'is required' });
  return form[0];
}

function makeCondition<F extends string>(fields: Record<F, FieldType>, extraForms: Record<string, () => z.ZodType>, id: string) {
  const names = Object.keys(fields) as [F, ...F[]];
  const forms = [['all'], ['any'], ['not'], ['field', 'op', 'value'], ...Object.keys(extraForms).map((k) => [k])];
  const schema: z.ZodType = z
    .strictObject({
      get all() {
        return z.array(schema).min(1, 'must not be empty').max(MAX_LIST).optional();
      },
      get any() {
        return z.array(schema).min(1, 'must not be empty').max(MAX_LIST).optional();
      },
      get not() {
        return schema.optional();
      },
      field: z.enum(names).optional(),
      op: z.enum(OPERATORS).optional(),
      value: comparisonValue.optional(),
      ...Object.fromEntries(Object.entries(extraForms).map(([k, s]) => [k, s().optional()])),
    })
    .superRefine((c: Record<string, unknown>, ctx) => {
      const form = exactlyOneForm(
        Object.keys(c).filter((k) => c[k] !== undefined),
        forms,
        ctx,
      );
      if (form === 'field' && c.field && c.op && c.value !== undefined) {
        const fault = comparisonFault(fields[c.field as F], c.op as Operator, c.value);
        if (fault) ctx.addIssue({ code: 'custom', path: ['value'], message: fault });
      }
    })
    .meta({ id, 'x-one-of-forms': forms });
  return schema;
}

export const lineConditionSchema = makeCondition(LINE_FIELDS, {}, 'LineCondition') as z.ZodType<LineCondition>;
export const conditionSchema = makeCondition(
  DECLARATION_FIELDS,
  { anyLine: () => lineConditionSchema, missingDocument: () => text(1, 64) },
  'Condition',
) as z.ZodType<Condition>;

export const rate = rateNumber();
export const INSPECT_PLACES = ['ORIGIN', 'PORT', 'DESTINATION'] as const;

export type Action =
  | { requireDocuments: string[] }
  | { inspect: (typeof INSPECT_PLACES)[number] }
  | { disinfect: true }
  | { samplingRate: number }
  | { return: string };

const ACTION_FORMS = [['requireDocuments'], ['inspect'], ['disinfect'], ['samplingRate'], ['return']];
export const actionSchema = z
  .strictObject({
    requireDocuments: z.array(text(1, 64)).min(1).max(20).optional(),
    inspect: z.enum(INSPECT_PLACES).optional(),
    disinfect: z.literal(true).optional(),
    samplingRate: rate.optional(),
    return: text(1, 500).optional(),
  })
  .superRefine(
    (a: Record<string, unknown>, ctx) =>
      void exactlyOneForm(
        Object.keys(a).filter((k) => a[k] !== undefined),
        ACTION_FORMS,
        ctx,
      ),
  )
  .meta({ id: 'Action', 'x-one-of-forms': ACTION_FORMS }) as unknown as z.ZodType<Action>;

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1..64 letters, digits, _ . -'),
  description: text(1, 500),
  when: conditionSchema,
  then: z.array(actionSchema).min(1, 'must not be empty').max(20),
});
export type Rule = z.infer<typeof ruleSchema>;

export const hsPrefix = z.string().regex(/^[0-9]{2,10}$/, 'must be an HS prefix of 2 to 10 digits');

/** Limits on a rule set's shape (each named in the 400 that enforces it). */
export const RULESET_LIMITS = { conditionDepth: 16, conditions: 20_000, listValues: 50_000 } as const;

/** Depth of nested conditions and counts of conditions and list values, without recursion. */
function ruleSetShape(rules: unknown[]): { depth: number; conditions: number; listValues: number } {
  let depth = 0;
  let conditions = 0;
  let listValues = 0;
  const stack: [unknown, number][] = rules.map((r) => [(r as { when?: unknown })?.when, 1]);
  while (stack.length) {
    const [c, d] = stack.pop()!;
    if (!c || typeof c !== 'object') continue;
    conditions++;
    if (d > depth) depth = d;
    const node = c as Record<string, unknown>;
    for (const key of ['all', 'any']) if (Array.isArray(node[key])) for (const child of node[key] as unknown[]) stack.push([child, d + 1]);
    if (node.not) stack.push([node.not, d + 1]);
    if (node.anyLine) stack.push([node.anyLine, d + 1]);
    if (Array.isArray(node.value)) listValues += (node.value as unknown[]).length;
  }
  return { depth, conditions, listValues };
}

export const ruleSetInput = z
  .strictObject({
    description: text(1, 1000),
    negativeLists: z.strictObject({ export: z.array(hsPrefix).max(20_000), import: z.array(hsPrefix).max(20_000) }),
    sampling: z.strictObject({ AA: rate, A: rate, B: rate, C: rate, D: rate }),
    postRelease: z.strictObject({ AA: rate, A: rate, B: rate, C: rate, D: rate }).optional().meta({
      description:
        'Contract section 15: the share of released declarations, per credit level, that get a follow-up document check at the release bureau (deterministic, as sampling; absent: all 0). A blacklisted enterprise gets at least the D rate: the higher of D\'s rate and its own level\'s.',
    }),
    rules: z
      .array(ruleSchema)
      .max(2000)
      // `when`: report duplicate ids even when other faults exist, so one answer names them all.
      .superRefine(
        (rules: unknown[], ctx) => {
          const seen = new Map<string, number>();
          const shape = ruleSetShape(rules);
          if (shape.depth > RULESET_LIMITS.conditionDepth)
            ctx.addIssue({ code: 'custom', message: `conditions nest ${shape.depth} deep; the limit is ${RULESET_LIMITS.conditionDepth}` });
          if (shape.conditions > RULESET_LIMITS.conditions)
            ctx.addIssue({
              code: 'custom',
              message: `the rule set has ${shape.conditions} conditions; the limit is ${RULESET_LIMITS.conditions}`,
            });
          if (shape.listValues > RULESET_LIMITS.listValues)
            ctx.addIssue({
              code: 'custom',
              message: `the rule set's in/nin/startsWith lists hold ${shape.listValues} values; the limit is ${RULESET_LIMITS.listValues}`,
            });
          rules.forEach((r, i) => {
            const id = (r as { id?: unknown })?.id;
            if (typeof id !== 'string') return;
            if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id (also rules[${seen.get(id)}])` });
            else seen.set(id, i);
          });
        },
        { when: (payload: { value: unknown }) => Array.isArray(payload.value) } as never,
      ),
  })
  .meta({ id: 'RuleSetInput' });
export type RuleSetInput = z.infer<typeof ruleSetInput>;

export const RULESET_STATUSES = ['DRAFT', 'PUBLISHED'] as const;

export const ruleSetVersionParams = z.object({ version: z.coerce.number().int('must be a version number').min(1).max(99_999_999) });

export const ruleSetView = z
  .object({
    version: z.number().int(),
    status: z.enum(RULESET_STATUSES),
    active: z.boolean(),
    createdAt: isoTimestamp,
    createdBy: z.string(),
    publishedAt: isoTimestamp.optional(),
    publishedBy: z.string().optional(),
    ...(ruleSetInput as unknown as z.ZodObject).shape,
  })
  .meta({ id: 'RuleSet' });

export const ruleSetList = z
  .object({
    items: z.array(z.object({ version: z.number().int(), status: z.enum(RULESET_STATUSES), createdAt: isoTimestamp, active: z.boolean() })),
  })
  .meta({ id: 'RuleSetList' });

export const ruleSetCreated = z.object({ version: z.number().int(), status: z.literal('DRAFT') }).meta({ id: 'RuleSetCreated' });

export const simulateRequest = z
  .strictObject({
    from: isoTimestamp.transform((v) => new Date(v).toISOString()).optional(),
    to: isoTimestamp.transform((v) => new Date(v).toISOString()).optional(),
    limit: z.number().int().min(1).max(5000).default(500),
  })
  .meta({ id: 'SimulateRequest' });

const laneMix = z.object({ DOCUMENT_RELEASE: z.number().int(), INSPECTION: z.number().int(), RETURNED: z.number().int() });
const decisionBrief = z.object({
  route: z.string(),
  mode: z.string(),
  sampled: z.boolean(),
  samplingRate: z.number(),
  steps: z.array(z.object({ kind: z.string(), bureau: z.string() })),
  releaseBureau: z.string(),
  hits: z.array(z.string()),
});
export const simulationResult = z
  .object({
    evaluated: z.number().int(),
    truncated: z.boolean().meta({ description: 'The replay stopped at its time budget; `evaluated` says how far it got' }),
    activeVersion: z.number().int().nullable(),
    draftVersion: z.number().int(),
    changed: z.array(z.object({ declarationId: z.string(), active: decisionBrief.nullable(), draft: decisionBrief })),
    laneMix: z.object({ active: laneMix, draft: laneMix }),
    inspectionWorkload: z.object({ active: z.record(z.string(), z.number()), draft: z.record(z.string(), z.number()) }),
    inspectionCapacity: z
      .object({
        periodDays: z.number().meta({
          description:
            'The days the replayed declarations cover: [from, to] when the replay read all of them, else back to the oldest evaluated (at least 1 hour)',
        }),
        bureaus: z.array(
          z.object({
            bureau: z.string(),
            dailyCapacity: z.number().int().meta({ description: "The bureau's dailyInspectionCapacity from the region config" }),
            expectedPerDay: z.object({ active: z.number(), draft: z.number() }).meta({
              description: 'Inspection steps per day the replay expects at the bureau under each set (inspectionWorkload / periodDays)',
            }),
            utilisation: z.object({ active: z.number(), draft: z.number() }).meta({ description: 'expectedPerDay / dailyCapacity' }),
            overCapacity: z.object({ active: z.boolean(), draft: z.boolean() }),
          }),
        ),
      })
      .meta({ description: "Expected inspections per bureau against each bureau's daily inspection capacity (region config)" }),
    nextCursor: cursor.nullable().optional(),
  })
  .meta({ id: 'SimulationResult' });

/** Rule effectiveness (contract section 15): counts of declarations created on the UTC days [from, to]. */
const effectivenessDay = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v).toISOString().slice(0, 10));
export const effectivenessQuery = z.strictObject({
  from: effectivenessDay
    .optional()
    .meta({ description: 'First UTC creation day of the declarations counted (date or date-time); default: the first' }),
  to: effectivenessDay.optional().meta({ description: 'Last UTC creation day (date or date-time); default: the latest' }),
});

const failRateField = z.number().nullable().meta({ description: 'failed / inspected (4 decimals); null when none was inspected' });

export const ruleEffectiveness = z
  .object({
    version: z.number().int(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    rules: z.array(
      z.object({
        ruleId: z.string(),
        description: z.string(),
        fired: z.number().int().meta({ description: 'Declarations audited under this version that the rule fired on' }),
        inspected: z.number().int().meta({ description: 'Of those, how many were sent to inspection (for whatever reason)' }),
        failed: z.number().int().meta({ description: 'Of those, how many failed their inspection' }),
        failRate: failRateField,
        followUp: z
          .object({ checked: z.number().int(), failed: z.number().int(), failRate: failRateField })
          .meta({
            description: 'Of the released declarations the rule fired on: follow-up checks after release recorded, and failed (section 15)',
          }),
        liftOverRandom: z.number().nullable().meta({
          description:
            "failRate / random.failRate: above 1, the rule finds more than sampling alone; null when either is unknown or the baseline's is 0",
        }),
      }),
    ),
    random: z
      .object({
        inspected: z.number().int(),
        failed: z.number().int(),
        failRate: failRateField,
        followUp: z
          .object({ checked: z.number().int(), failed: z.number().int(), failRate: failRateField })
          .meta({
            description: 'Every follow-up check after release recorded (each chosen by its own draw): the baseline for rules.followUp',
          }),
      })
      .meta({
        description:
          'Inspections caused by sampling alone (no rule inspected, disinfected or raised the rate; not mandatory): the baseline',
      }),
  })
  .meta({ id: 'RuleEffectiveness' });
