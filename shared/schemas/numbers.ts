/**
 * Every number a client sends must be storable (DynamoDB numbers: at most 38 significant digits,
 * magnitude 1e-130..1e126), countable (statistics counters ADD it, exactly, for ever) and auditable
 * (the certificate stores the lines as numbers). Doubles are none of that by default: 1e-40 or
 * 5e-324 parse fine and then break every later write that touches them. So each kind of number is
 * bounded here, at the schema, with a fixed number of decimals, a smallest positive value and a
 * maximum; money is counted as integer cents.
 */
import { z } from 'zod';

/** Whether `v` is (the double nearest to) a decimal with at most `places` decimals. Exact for |v| < 1e21. */
export function hasAtMostDecimals(v: number, places: number): boolean {
  return Number.isFinite(v) && Math.abs(v) < 1e21 && Number(v.toFixed(places)) === v;
}

/** The largest value of one declaration line, USD: 500 lines of it stay exact as integer cents (< 2^53). */
export const MAX_LINE_VALUE_USD = 10_000_000_000;
export const MONEY_DECIMALS = 2;

/** Largest quantity of one line, and its precision (so the smallest positive quantity is 0.000001). */
export const MAX_QUANTITY = 1_000_000_000_000;
export const QUANTITY_DECIMALS = 6;

/** Rates (sampling, follow-up): 0..1 with at most 6 decimals (0.000001 is the smallest positive rate). */
export const RATE_DECIMALS = 6;

const finiteNumber = () => z.number().refine(Number.isFinite, 'must be a finite number');

/** A USD amount: 0 up to MAX_LINE_VALUE_USD, in cents at most. */
export const money = () =>
  finiteNumber()
    .min(0)
    .max(MAX_LINE_VALUE_USD)
    .refine((v) => hasAtMostDecimals(v, MONEY_DECIMALS), `must have at most ${MONEY_DECIMALS} decimals (whole cents)`)
    .meta({ description: `USD, at most ${MONEY_DECIMALS} decimals, 0..${MAX_LINE_VALUE_USD}` });

/** A quantity: more than 0, at most MAX_QUANTITY, with at most QUANTITY_DECIMALS decimals. */
export const quantity = () =>
  finiteNumber()
    .gt(0)
    .max(MAX_QUANTITY)
    .refine((v) => hasAtMostDecimals(v, QUANTITY_DECIMALS), `must have at most ${QUANTITY_DECIMALS} decimals (smallest 0.000001)`)
    .meta({ description: `More than 0, at most ${MAX_QUANTITY}, at most ${QUANTITY_DECIMALS} decimals` });

/** A rate 0..1 with at most RATE_DECIMALS decimals. */
export const rate = () =>
  finiteNumber()
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .refine((v) => hasAtMostDecimals(v, RATE_DECIMALS), `must have at most ${RATE_DECIMALS} decimals`);

/** A money amount the schema accepted, as integer cents (exact: it has at most 2 decimals). */
export const toCents = (usd: number): number => Math.round(usd * 100) || 0;

/** Sum of amounts as integer cents (exact while < 2^53, which MAX_LINE_VALUE_USD x 500 lines is). */
export const sumCents = (amounts: Iterable<number>): number => {
  let cents = 0;
  for (const usd of amounts) cents += toCents(usd);
  return cents;
};

/** Integer cents back to USD (the double nearest to the 2-decimal amount). */
export const centsToUsd = (cents: number | bigint): number => Number(cents) / 100;
