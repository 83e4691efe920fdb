/**
 * The region this deployment serves, read from `config/region.json`.
 *
 * The region is data, not code: bureaus and ports come only from the config file, so adding a
 * bureau or a port is a config change and a deploy. Every schema that names a bureau or a port is
 * built from what is loaded here.
 */
import { z } from 'zod';
import regionFile from '../config/region.json' with { type: 'json' };

export const DEFAULT_DAILY_INSPECTION_CAPACITY = 1000;

const portSchema = z.object({ code: z.string().regex(/^[A-Z]{3}$/), name: z.string().min(1) });
const bureauSchema = z.object({
  code: z.string().regex(/^[A-Z]{2}$/),
  name: z.string().min(1),
  lead: z.boolean().optional(),
  ports: z.array(portSchema).min(1),
  /**
   * How many inspections the bureau can carry out in a day (inspectors and sites), what a rule
   * set's simulation compares its expected inspections with (contract section 7). Default 1,000.
   */
  dailyInspectionCapacity: z.number().int().positive().max(10_000_000).default(DEFAULT_DAILY_INSPECTION_CAPACITY),
});
export const DEFAULT_CANCELLATION_REASONS = [
  { code: 'C01', description: 'duplicate declaration' },
  { code: 'C02', description: 'wrong particulars' },
  { code: 'C03', description: 'shipment cancelled' },
  { code: 'C04', description: 'shipment split or merged' },
  { code: 'C05', description: 'other' },
];

export const regionConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{3,40}$/),
    name: z.string().min(1),
    awsRegion: z.string().min(1),
    leadBureau: z.string(),
    bureaus: z.array(bureauSchema).min(1),
    /**
     * Officers' work (contract section 12): time limit per step kind, seconds (a kind not named
     * gets `default`, 86,400 s: the 24-hour clearance target).
     */
    stepTimeLimitsS: z
      .object({ default: z.number().int().positive().max(31_536_000) })
      .catchall(z.number().int().positive().max(31_536_000))
      .default({ default: 86_400 }),
    /** Why an enterprise may cancel a declaration (contract section 13): coded, from this list. */
    cancellationReasons: z
      .array(z.object({ code: z.string().regex(/^[A-Z0-9_]{1,16}$/), description: z.string().min(1) }))
      .min(1)
      .default(DEFAULT_CANCELLATION_REASONS),
    /** Reason codes an officer's override (ADD_STEP, WAIVE_STEP) must give (contract section 12). */
    overrideReasonCodes: z
      .array(z.string().regex(/^[A-Z][A-Z0-9_]{1,39}$/))
      .min(1)
      .default(['INTELLIGENCE', 'STANDARD_EXCEPTION', 'ARTICULABLE_REASON', 'CAPACITY', 'OTHER']),
  })
  .superRefine((region, ctx) => {
    const codes = region.bureaus.map((b) => b.code);
    if (new Set(codes).size !== codes.length) ctx.addIssue({ code: 'custom', message: 'duplicate bureau code', path: ['bureaus'] });
    if (!codes.includes(region.leadBureau))
      ctx.addIssue({ code: 'custom', message: 'leadBureau is not a bureau of the region', path: ['leadBureau'] });
    const ports = region.bureaus.flatMap((b) => b.ports.map((p) => p.code));
    if (new Set(ports).size !== ports.length) ctx.addIssue({ code: 'custom', message: 'duplicate port code', path: ['bureaus'] });
  });
export type RegionConfig = z.infer<typeof regionConfigSchema>;

const regionsFileSchema = z.object({ regions: z.array(regionConfigSchema).min(1) }).loose();

export const allRegions: readonly RegionConfig[] = regionsFileSchema.parse(regionFile).regions;

/** The region selected by `CLEARWAY_REGION_ID` (set by the stack on every function), else the first. */
export function selectRegion(id = process.env.CLEARWAY_REGION_ID): RegionConfig {
  if (!id) return allRegions[0]!;
  const found = allRegions.find((r) => r.id === id);
  if (!found) throw new Error(`CLEARWAY_REGION_ID=${id} is not a region in config/region.json`);
  return found;
}

export const region: RegionConfig = selectRegion();
export const bureauCodes = region.bureaus.map((b) => b.code) as [string, ...string[]];
const portOwner = new Map(region.bureaus.flatMap((b) => b.ports.map((p) => [p.code, b.code] as const)));
export const portCodes = [...portOwner.keys()] as [string, ...string[]];

/** The bureau a port belongs to, or undefined for a port outside the region. */
export function bureauOfPort(port: string): string | undefined {
  return portOwner.get(port);
}

/**
 * The time limit of a step kind, seconds: the region config's, unless CLEARWAY_STEP_TIME_LIMIT_S
 * overrides every kind (local mode and tests, so that a step passes its due time in seconds).
 */
export function stepTimeLimitS(kind: string): number {
  const override = Number(process.env.CLEARWAY_STEP_TIME_LIMIT_S);
  if (Number.isInteger(override) && override > 0) return override;
  return region.stepTimeLimitsS[kind] ?? region.stepTimeLimitsS.default;
}

/** A bureau's daily inspection capacity from the region config (default 1,000; unknown bureau: the default). */
export function dailyInspectionCapacity(bureau: string): number {
  return region.bureaus.find((b) => b.code === bureau)?.dailyInspectionCapacity ?? DEFAULT_DAILY_INSPECTION_CAPACITY;
}

/** The region's cancellation reason codes (contract section 13). */
export const cancellationReasonCodes = region.cancellationReasons.map((r) => r.code) as [string, ...string[]];
export const overrideReasonCodes = region.overrideReasonCodes as [string, ...string[]];
