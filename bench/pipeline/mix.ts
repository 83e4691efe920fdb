/**
 * The workload: a reproducible (seeded) mix of declarations over all four routes, 1–20 lines,
 * most of it document release, from enterprises of every credit level. What each declaration is
 * meant to exercise is derived from config/default-ruleset.json (see docs/pipeline.md).
 */
import type { DeclarationInput } from '../../shared/schemas/declaration.js';
import { containerCheckDigit } from '../../shared/domain/container-number.js';

export type Rng = () => number;

/** mulberry32: a tiny deterministic PRNG, so the same seed gives the same workload. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const LEVELS = ['AA', 'A', 'B', 'C', 'D'] as const;
export type Level = (typeof LEVELS)[number];
/** Share of declarations by the filer's credit level: good filers file most. */
export const LEVEL_WEIGHTS: Record<Level, number> = { AA: 0.3, A: 0.35, B: 0.25, C: 0.08, D: 0.02 };

/** What a declaration is built to exercise; the audit decides, the report counts what it decided. */
export const INTENTS = ['EXPORT_DIRECT', 'IMPORT_DESTINATION', 'EXPORT_ORIGIN_AND_PORT', 'IMPORT_PORT', 'RETURNED'] as const;
export type Intent = (typeof INTENTS)[number];
export const INTENT_WEIGHTS: Record<Intent, number> = {
  EXPORT_DIRECT: 0.55,
  IMPORT_DESTINATION: 0.3,
  EXPORT_ORIGIN_AND_PORT: 0.07,
  IMPORT_PORT: 0.06,
  RETURNED: 0.02,
};

export type BenchEnterprise = { code: string; key: string; level: Level };

/** Ports of the default region with their bureau and the transport that reaches them. */
const PORTS = [
  { bureau: 'SD', port: 'QDP', transport: 'SEA' },
  { bureau: 'HA', port: 'CGO', transport: 'AIR' },
  { bureau: 'SX', port: 'TYN', transport: 'AIR' },
  { bureau: 'SN', port: 'XAR', transport: 'RAIL' },
  { bureau: 'NM', port: 'ERL', transport: 'ROAD' },
  { bureau: 'NM', port: 'NZH', transport: 'RAIL' },
  { bureau: 'GS', port: 'LHW', transport: 'RAIL' },
  { bureau: 'SC', port: 'CDR', transport: 'RAIL' },
  { bureau: 'NX', port: 'INC', transport: 'AIR' },
  { bureau: 'QH', port: 'XNN', transport: 'AIR' },
  { bureau: 'XJ', port: 'AKU', transport: 'ROAD' },
  { bureau: 'XJ', port: 'HGS', transport: 'ROAD' },
] as const;
export const BUREAUS = ['SD', 'HA', 'SX', 'SN', 'NM', 'GS', 'SC', 'NX', 'QH', 'XJ'] as const;
const PARTNERS = ['KZ', 'RU', 'DE', 'UZ', 'PK', 'TR', 'NL', 'KG', 'MN', 'PL'];

/** Goods on no negative list and under no document rule of the default rule set. */
const GENERAL = [
  ['8471300000', 'Laptop computers', 'PCS'],
  ['8517130000', 'Smartphones', 'PCS'],
  ['6109100000', 'Cotton T-shirts', 'PCS'],
  ['9403600000', 'Wooden furniture', 'PCS'],
  ['8528720000', 'Television sets', 'PCS'],
  ['6403990000', 'Leather footwear', 'PR'],
  ['3926909090', 'Plastic articles', 'KG'],
  ['8708299000', 'Car body parts', 'PCS'],
  ['9504500000', 'Video game consoles', 'PCS'],
  ['8516600000', 'Electric ovens', 'PCS'],
] as const;
/** Export negative list (toys, 9503): origin inspection and port verification, no document rule. */
const EXPORT_LISTED = [['9503000000', 'Toys', 'PCS']] as const;
/** Import negative list without a document rule: lathes, ferrous scrap, plastic waste. */
const IMPORT_LISTED = [
  ['8458110000', 'Horizontal lathes', 'PCS'],
  ['7204490000', 'Ferrous waste and scrap', 'KG'],
  ['3915100000', 'Polyethylene waste', 'KG'],
] as const;
/** Apples without their entry quarantine permit: returned. */
const RETURNED_LINE = ['0808100000', 'Fresh apples', 'KG'] as const;

export function pickWeighted<K extends string>(rng: Rng, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let r = rng() * total;
  for (const [k, w] of entries) if ((r -= w) < 0) return k;
  return entries.at(-1)![0];
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

function container(rng: Rng): string {
  const first = `CSQU${String(Math.floor(rng() * 1_000_000)).padStart(6, '0')}`;
  return first + containerCheckDigit(first);
}

/** 1..20 lines, skewed to few (mean about 6). */
export function lineCount(rng: Rng): number {
  return 1 + Math.floor(19.999 * rng() ** 2.5);
}

export type Planned = { body: DeclarationInput; enterprise: BenchEnterprise; intent: Intent; level: Level; lines: number };

/** The next declaration of the mix, filed by one of `enterprises`. */
export function planDeclaration(
  rng: Rng,
  enterprises: readonly BenchEnterprise[],
  clientRef: string,
  /** Fix the filer (a batch is one enterprise's) or the intent (the cost phases). */
  fixed: { enterprise?: BenchEnterprise; intent?: Intent } = {},
): Planned {
  const level = fixed.enterprise?.level ?? pickWeighted(rng, LEVEL_WEIGHTS);
  const pool = enterprises.filter((e) => e.level === level);
  const enterprise = fixed.enterprise ?? pick(rng, pool.length ? pool : enterprises);
  const intent = fixed.intent ?? pickWeighted(rng, INTENT_WEIGHTS);
  const direction = intent.startsWith('EXPORT') ? 'EXPORT' : 'IMPORT';
  const port = pick(rng, PORTS);
  const partner = pick(rng, PARTNERS);
  const n = lineCount(rng);
  const goods = Array.from({ length: n }, () => pick(rng, GENERAL) as readonly [string, string, string]);
  if (intent === 'EXPORT_ORIGIN_AND_PORT') goods[Math.floor(rng() * n)] = EXPORT_LISTED[0];
  if (intent === 'IMPORT_PORT') goods[Math.floor(rng() * n)] = pick(rng, IMPORT_LISTED);
  if (intent === 'RETURNED') goods[0] = RETURNED_LINE;
  const lines = goods.map(([hsCode, description, unit]) => ({
    hsCode,
    description,
    unit,
    quantity: 1 + Math.floor(rng() * 1000),
    // Well under the HIGH-VALUE rule's USD 5 million for the whole declaration.
    valueUsd: Math.round(100 + rng() * 40_000),
  }));
  const body: DeclarationInput = {
    clientRef,
    enterpriseId: enterprise.code,
    direction,
    declaredAt: pick(rng, BUREAUS),
    portBureau: port.bureau,
    port: port.port,
    inspectionBureau: pick(rng, BUREAUS),
    releaseBureau: pick(rng, BUREAUS),
    transport: port.transport,
    originCountry: direction === 'EXPORT' ? 'CN' : partner,
    destinationCountry: direction === 'EXPORT' ? partner : 'CN',
    ...(port.transport === 'SEA' || port.transport === 'RAIL'
      ? { containers: Array.from({ length: 1 + Math.floor(rng() * 2) }, () => container(rng)) }
      : {}),
    lines,
    documents: [
      { type: 'INVOICE', number: `INV-${clientRef}` },
      { type: 'PACKING_LIST', number: `PL-${clientRef}` },
    ],
  };
  return { body, enterprise, intent, level, lines: n };
}
