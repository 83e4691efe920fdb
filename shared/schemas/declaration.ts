/**
 * The inspection declaration (contract section 5): one schema validates `POST /declarations`,
 * types the domain and documents the API.
 */
import { z } from 'zod';
import { bureauOfPort, overrideReasonCodes } from '../region.js';
import { bureau, containerNumber, country, creditCode, creditLevel, cursor, hsCode, isoTimestamp, limit, port, text } from './common.js';
import { money, quantity } from './numbers.js';

export const DIRECTIONS = ['EXPORT', 'IMPORT'] as const;
export const TRANSPORTS = ['SEA', 'AIR', 'RAIL', 'ROAD'] as const;
export const DECLARATION_STATUSES = ['ACCEPTED', 'RETURNED', 'INSPECTION_REQUIRED', 'RELEASED', 'FAILED', 'CANCELLED'] as const;
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

export const MAX_LINES = 500;

export const declarationLine = z.strictObject({
  hsCode,
  description: text(1, 512),
  quantity: quantity(),
  unit: text(1, 16),
  valueUsd: money(),
  originCountry: country.optional(),
});
export type DeclarationLine = z.infer<typeof declarationLine>;

export const documentRef = z.strictObject({
  type: text(1, 64).meta({
    id: 'DocumentTypeName',
    description: 'A DocumentType the active rule set names (GET /requirements), or any other type the enterprise attaches',
  }),
  number: text(1, 64),
});

/** A port, when given, must belong to the port bureau (shared by filing and amendment bodies). */
export function portOfItsBureau(d: { port?: string; portBureau: string }, ctx: z.RefinementCtx): void {
  if (d.port !== undefined && bureauOfPort(d.port) !== undefined && bureauOfPort(d.port) !== d.portBureau) {
    ctx.addIssue({
      code: 'custom',
      path: ['port'],
      message: `port ${d.port} belongs to bureau ${bureauOfPort(d.port)}, not ${d.portBureau}`,
    });
  }
}

export const declarationInput = z
  .strictObject({
    clientRef: text(1, 64).meta({ description: "The enterprise's own reference, unique per enterprise" }),
    enterpriseId: creditCode,
    direction: z.enum(DIRECTIONS),
    declaredAt: bureau,
    portBureau: bureau,
    port: port.optional(),
    inspectionBureau: bureau.meta({ description: 'Export: place of origin; import: destination' }),
    releaseBureau: bureau.meta({ description: 'Where the enterprise wants release and certificates' }),
    transport: z.enum(TRANSPORTS),
    originCountry: country,
    destinationCountry: country,
    containers: z
      .array(containerNumber)
      .max(200)
      .refine((c) => new Set(c).size === c.length, 'containers must not repeat')
      .optional(),
    lines: z.array(declarationLine).min(1).max(MAX_LINES),
    documents: z.array(documentRef).max(50).optional(),
  })
  .superRefine(portOfItsBureau)
  .meta({ id: 'DeclarationInput' });
export type DeclarationInput = z.infer<typeof declarationInput>;

/** Path ids are looked up as they are: one that is not a declaration's is simply not found (404). */
export const declarationIdParams = z.object({ id: z.string().min(1).max(64).meta({ example: 'dcl_01M7YXACV01X7M0D8WWR0TCG1D' }) });

/** Any ISO 8601 instant, normalised to UTC so that it compares with stored timestamps. */
const instant = isoTimestamp.transform((v) => new Date(v).toISOString());

export const INVOLVEMENTS = ['declaredAt', 'port', 'inspection', 'release'] as const;

export const listDeclarationsQuery = z.strictObject({
  status: z.enum(DECLARATION_STATUSES).optional(),
  involvement: z
    .enum(INVOLVEMENTS)
    .optional()
    .meta({ description: "Officers: only declarations where the officer's bureau has this role (default: any role, or a step)" }),
  from: instant.optional(),
  to: instant.optional(),
  limit: limit(100, 20),
  cursor: cursor.optional(),
});

export const STEP_KINDS = [
  'ORIGIN_INSPECTION',
  'PORT_VERIFICATION',
  'PORT_INSPECTION',
  'DESTINATION_INSPECTION',
  'PORT_DISINFECTION',
] as const;
export const stepKind = z.enum(STEP_KINDS);
export type StepKind = z.infer<typeof stepKind>;
/** What a bureau's worklist holds: the audit's steps, and follow-up checks after release (contract section 15). */
export const WORK_KINDS = [...STEP_KINDS, 'POST_RELEASE_CHECK'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];
export const workKind = z.enum(WORK_KINDS);

/** CANCELLED: the declaration was cancelled while the step was pending (it is owed no more). */
export const STEP_STATUSES = ['PENDING', 'PASSED', 'FAILED', 'WAIVED', 'CANCELLED'] as const;

/** A required inspection step and, once an officer recorded it, its result. */
export const stepState = z.object({
  kind: stepKind,
  bureau,
  status: z.enum(STEP_STATUSES),
  requiredSince: isoTimestamp.optional().meta({ description: 'When the audit (or an override) required the step' }),
  dueAt: isoTimestamp.optional().meta({ description: "requiredSince + the region's time limit for the kind" }),
  overdueNotifiedAt: isoTimestamp
    .optional()
    .meta({ description: 'When the overdue sweep found the step pending past dueAt (and sent step.overdue)' }),
  recordedAt: isoTimestamp.optional(),
  recordedByBureau: z.string().optional(),
  remarks: z.string().optional(),
});
export type StepState = z.infer<typeof stepState>;

export const AUDIT_ROUTES = ['EXPORT_DIRECT', 'EXPORT_ORIGIN_AND_PORT', 'IMPORT_PORT', 'IMPORT_DESTINATION'] as const;
export type Route = (typeof AUDIT_ROUTES)[number];
export const AUDIT_MODES = ['DOCUMENT_RELEASE', 'INSPECTION', 'RETURNED'] as const;
export type Mode = (typeof AUDIT_MODES)[number];

const hit = z.object({
  ruleId: z.string(),
  effect: z
    .string()
    .regex(
      /^(REQUIRE_DOCUMENTS|INSPECT_[A-Z_]+|DISINFECT|RAISE_SAMPLING|RETURN)(\+(REQUIRE_DOCUMENTS|INSPECT_[A-Z_]+|DISINFECT|RAISE_SAMPLING|RETURN))*$/,
    )
    .meta({
      description:
        'What the rule did, its actions joined by `+`: REQUIRE_DOCUMENTS, INSPECT_<ORIGIN|PORT|DESTINATION>, DISINFECT, RAISE_SAMPLING, RETURN',
      example: 'INSPECT_ORIGIN+DISINFECT',
    }),
  detail: z.string(),
});
export type Hit = z.infer<typeof hit>;

/** What the virtual audit center decided, and why (contract section 6). */
export const decision = z
  .object({
    ruleSetVersion: z.number().int(),
    creditLevel,
    blacklisted: z.boolean(),
    route: z.enum(AUDIT_ROUTES),
    sampled: z.boolean(),
    samplingRate: z.number(),
    mode: z.enum(AUDIT_MODES),
    steps: z.array(z.object({ kind: stepKind, bureau })),
    releaseBureau: z.string(),
    hits: z.array(hit),
    reasons: z.array(z.string()).meta({ description: 'Why a declaration was returned or must be inspected, in words for the enterprise' }),
    postReleaseRate: z
      .number()
      .optional()
      .meta({
        description:
          "The rule set's `postRelease` rate for this credit (contract section 15): the share of such declarations that get a follow-up check once released (absent: 0)",
      }),
  })
  .meta({ id: 'Decision' });
export type Decision = z.infer<typeof decision>;

/**
 * A follow-up document check after release (contract section 15), owed by the release bureau:
 * listed in its worklist as kind POST_RELEASE_CHECK and recorded through
 * `POST /declarations/{id}/steps/POST_RELEASE_CHECK`. A FAIL keeps the declaration RELEASED.
 */
export const FOLLOW_UP_STATUSES = ['PENDING', 'PASSED', 'FAILED'] as const;
export const followUp = z
  .object({
    kind: z.literal('POST_RELEASE_CHECK'),
    bureau,
    status: z.enum(FOLLOW_UP_STATUSES),
    requiredSince: isoTimestamp.meta({ description: 'The release: when the check became owed' }),
    dueAt: isoTimestamp.meta({ description: "requiredSince + the region's time limit for POST_RELEASE_CHECK" }),
    overdueNotifiedAt: isoTimestamp.optional().meta({ description: 'When the overdue sweep found it pending past dueAt (step.overdue sent)' }),
    recordedAt: isoTimestamp.optional(),
    recordedByBureau: z.string().optional(),
    remarks: z.string().optional(),
  })
  .meta({ id: 'FollowUpCheck' });
export type FollowUp = z.infer<typeof followUp>;

/** The release of a declaration: where, when, how, and its signed certificate. */
export const RELEASE_MODES = ['DOCUMENT_RELEASE', 'INSPECTION'] as const;
export const release = z.object({
  bureau,
  certificateNo: z.string(),
  releasedAt: isoTimestamp,
  mode: z.enum(RELEASE_MODES).meta({ description: 'Released on documents by the audit, or after inspection' }),
  digest: z.string().meta({ description: 'SHA-256 (hex) of the canonical certificate content' }),
  signature: z.string().meta({ description: "The platform's HMAC over the digest: check it with GET /certificates/{no}" }),
  jws: z.string().optional().meta({
    description:
      'The certificate as a compact JWS (ES256) of the canonical content: verify it offline against GET /.well-known/jwks.json. Absent only on certificates issued before offline verification existed.',
  }),
  followUp: followUp.optional().meta({
    description:
      "Present when the declaration was selected (deterministically, by the rule set's postRelease rate) for a follow-up check after release",
  }),
});
export type Release = z.infer<typeof release>;

export const timelineEntry = z.object({
  at: isoTimestamp,
  status: z.enum(DECLARATION_STATUSES),
  bureau: bureau.optional(),
  detail: z.string(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;

/** An officer's override of the audit (contract section 12): a step added, or a step waived by two officers. */
export const OVERRIDE_ACTIONS = ['ADD_STEP', 'WAIVE_STEP'] as const;
export const OVERRIDE_STATUSES = ['APPLIED', 'PENDING_CONFIRMATION'] as const;
export const override = z
  .object({
    id: z.string(),
    action: z.enum(OVERRIDE_ACTIONS),
    kind: stepKind,
    bureau: bureau.meta({ description: 'The bureau of the step added or waived' }),
    reasonCode: z.string(),
    remarks: z.string(),
    status: z.enum(OVERRIDE_STATUSES),
    proposedAt: isoTimestamp,
    proposedBy: z.object({ principalId: z.string(), bureau: bureau }),
    confirmedAt: isoTimestamp.optional(),
    confirmedBy: z.object({ principalId: z.string(), bureau: bureau }).optional(),
  })
  .meta({ id: 'Override' });
export type Override = z.infer<typeof override>;

export const overrideInput = z
  .strictObject({
    action: z.enum(OVERRIDE_ACTIONS),
    kind: stepKind,
    bureau: bureau.optional().meta({ description: 'ADD_STEP: the bureau owing the step (default: where the route puts that kind)' }),
    reasonCode: z.enum(overrideReasonCodes).meta({ description: "One of the region config's override reason codes" }),
    remarks: text(1, 500),
  })
  .meta({ id: 'OverrideInput' });

export const overrideParams = z.object({ id: declarationIdParams.shape.id, overrideId: z.string().min(1).max(64) });
export const overrideAccepted = z
  .object({ id: z.string(), status: z.literal('PENDING_CONFIRMATION'), override })
  .meta({ id: 'OverrideProposed' });

export const declarationView = z
  .object({
    id: z.string(),
    status: z.enum(DECLARATION_STATUSES),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
    ...declarationInput.shape,
    decision: decision.nullable(),
    steps: z.array(stepState),
    release: release.nullable(),
    timeline: z.array(timelineEntry),
    // contract section 13
    revision: z.number().int().min(1).meta({ description: 'Counts up from 1 with every amendment (GET /declarations/{id}/revisions)' }),
    amendmentReason: z.string().optional().meta({ description: 'Why the current revision was made (absent on revision 1)' }),
    amendedAt: isoTimestamp.optional(),
    cancellation: z
      .object({
        reasonCode: z.string(),
        remarks: z.string().optional(),
        cancelledAt: isoTimestamp,
        fromStatus: z.enum(DECLARATION_STATUSES),
      })
      .optional(),
    overrides: z.array(override).meta({ description: 'Every override of the audit, applied or awaiting confirmation' }),
    parked: z
      .object({
        since: isoTimestamp,
        failedAttempts: z.number().int().min(1),
      })
      .optional()
      .meta({
        description:
          'Present while the declaration is parked: its audit failed too often, so it is retried automatically only on a slow backoff (hourly by default) until an audit succeeds or an operator redrives it (POST /declarations/{id}/redrive). It stays ACCEPTED.',
      }),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: 'Declaration' });

export const declarationAccepted = z
  .object({ id: z.string(), status: z.literal('ACCEPTED'), links: z.object({ self: z.string() }) })
  .meta({ id: 'DeclarationAccepted' });

/**
 * A list entry: what the listing index projects (at most 20 attributes per index): the declaration
 * without its lines, documents, containers, port and timeline; its line count and total value.
 */
export const declarationSummary = declarationView
  .pick({
    id: true,
    status: true,
    createdAt: true,
    updatedAt: true,
    clientRef: true,
    enterpriseId: true,
    direction: true,
    declaredAt: true,
    portBureau: true,
    inspectionBureau: true,
    releaseBureau: true,
    transport: true,
    originCountry: true,
    destinationCountry: true,
    decision: true,
    steps: true,
    release: true,
    links: true,
  })
  .extend({ lineCount: z.number().int(), totalValueUsd: z.number() })
  .meta({ id: 'DeclarationSummary' });

/** The stored attributes a summary is made of (all its fields but the computed `links`). */
export const DECLARATION_SUMMARY_FIELDS = Object.keys(declarationSummary.shape).filter(
  (k): k is Exclude<keyof typeof declarationSummary.shape, 'links'> => k !== 'links',
);

/**
 * A summary as the store keeps and reads it back (the listing index's projection, or a projected
 * read of the header): the summary without its computed `links`. The one type of a listing entry.
 */
export type StoredDeclarationSummary = Omit<z.infer<typeof declarationSummary>, 'links'>;

export const declarationList = z
  .object({ items: z.array(declarationSummary), nextCursor: z.string().nullable() })
  .meta({ id: 'DeclarationList' });

export const stepParams = z.object({
  id: declarationIdParams.shape.id,
  kind: workKind.meta({ description: 'A step of the decision, or POST_RELEASE_CHECK (after release, contract section 15)' }),
});

export const stepResultInput = z
  .strictObject({ outcome: z.enum(['PASS', 'FAIL']), remarks: text(1, 1000).optional() })
  .meta({ id: 'StepResult' });

/** What a release certificate states; its digest is taken over exactly this (contract section 8). */
export const certificateContent = z.object({
  certificateNo: z.string(),
  declarationId: z.string(),
  enterpriseId: z.string(),
  direction: z.enum(DIRECTIONS),
  bureau,
  releasedAt: isoTimestamp,
  mode: z.enum(RELEASE_MODES),
  originCountry: z.string(),
  destinationCountry: z.string(),
  lines: z.array(z.object({ hsCode: z.string(), quantity: z.number(), unit: z.string(), valueUsd: z.number() })),
  totalValueUsd: z.number(),
});
export type CertificateContent = z.infer<typeof certificateContent>;

export const certificateParams = z.object({ no: z.string().min(1).max(64).meta({ example: 'CWHA20261121Z7P7CEHKA3JB' }) });

export const certificateView = z
  .object({
    certificateNo: z.string(),
    genuine: z.boolean().meta({ description: "The signature is the platform's, over this digest" }),
    unaltered: z.boolean().meta({ description: 'The digest matches the certified content' }),
    digest: z.string(),
    signature: z.string(),
    content: certificateContent,
    jws: z
      .string()
      .optional()
      .meta({ description: 'The certificate as a compact JWS (ES256): verify offline against GET /.well-known/jwks.json' }),
    qr: z
      .object({
        payload: z
          .string()
          .meta({ description: '`CLEARWAY-CERT:{certificateNo}:{jws}`: what a QR code on the printed certificate carries' }),
        bytes: z.number().int(),
        fitsOneCode: z.boolean().meta({ description: 'At most 2,953 bytes: fits one QR code (version 40, level L)' }),
      })
      .optional()
      .meta({ description: 'For printing: present whenever `jws` is' }),
  })
  .meta({ id: 'CertificateVerification' });

/** A JSON Web Key Set (RFC 7517) of the region's certificate-signing public keys. */
export const certificateJwks = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string().meta({ description: 'RFC 7638 thumbprint; the JWS header names it' }),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({
    id: 'JsonWebKeySet',
    description: 'The current signing key first, then every earlier one still needed to verify an issued certificate',
  });

/** Officers' worklist (contract section 12). */

export const worklistQuery = z.strictObject({
  status: z.enum(['PENDING', 'DONE']).default('PENDING'),
  kind: z.enum(WORK_KINDS).optional(),
  limit: limit(100, 20),
  cursor: cursor.optional(),
});

export const workItem = z
  .object({
    declarationId: z.string(),
    enterpriseId: z.string(),
    direction: z.enum(DIRECTIONS),
    route: z.string().nullable(),
    kind: workKind,
    bureau: z.string(),
    status: z.string().meta({ description: 'PENDING, or once done PASSED, FAILED or WAIVED' }),
    requiredSince: isoTimestamp.nullable(),
    dueAt: isoTimestamp.nullable(),
    overdue: z.boolean().meta({ description: 'Pending past dueAt now' }),
    recordedAt: isoTimestamp.optional(),
    recordedByBureau: z.string().optional(),
  })
  .meta({ id: 'WorkItem' });

export const worklist = z.object({ items: z.array(workItem), nextCursor: z.string().nullable() }).meta({ id: 'Worklist' });

/** Parked declarations (issue 9): their audit failed too often (docs/operations.md). */
export const parkedQuery = z.strictObject({ limit: limit(100, 20), cursor: cursor.optional() });

export const parkedDeclaration = z
  .object({
    declarationId: z.string(),
    enterpriseId: z.string(),
    clientRef: z.string(),
    direction: z.enum(DIRECTIONS),
    declaredAt: z.string(),
    createdAt: isoTimestamp,
    parkedAt: isoTimestamp,
    failedAttempts: z.number().int().min(1),
    lastFailedAt: isoTimestamp,
    lastError: z
      .string()
      .meta({ description: 'The last failure, one line (name and message), at most 300 characters; never a stack trace' }),
    links: z.object({ self: z.string(), redrive: z.string() }),
  })
  .meta({ id: 'ParkedDeclaration' });

export const parkedList = z
  .object({ items: z.array(parkedDeclaration), nextCursor: z.string().nullable() })
  .meta({ id: 'ParkedDeclarationList' });
