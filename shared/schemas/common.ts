/**
 * Field schemas shared by several concepts. Each is the single source of validation, type and
 * OpenAPI description for its field.
 */
import { z } from 'zod';
// The library without its locales: its Node entry registers all 78 languages' country names
// (about 1 MB of data every function would load at a cold start); only the codes are used here.
import countries from 'i18n-iso-countries/index.js';
import { bureauCodes, portCodes } from '../region.js';
import { isValidCreditCode } from '../domain/credit-code.js';
import { CONTAINER_NUMBER_PATTERN, isValidContainerNumber } from '../domain/container-number.js';

/** Control characters (C0, DEL, C1) and lone surrogates never belong in a text field. */
const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A bounded, trimmed-looking human text without control characters. */
export const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL_OR_LONE_SURROGATE.test(s), 'must not contain control characters');

export const creditCode = z
  .string()
  .length(18, 'must be 18 characters')
  .refine(isValidCreditCode, 'is not a valid unified social credit code (GB 32100-2015 check digit)')
  .meta({ description: "China's 18-character unified social credit code (GB 32100-2015)", example: '91350100M000100Y43' });

export const bureau = z.enum(bureauCodes).meta({ description: 'Bureau code of the region (config/region.json)' });
export const port = z.enum(portCodes).meta({ description: 'Port code of the region (config/region.json)' });

export const ALPHA2_COUNTRIES = Object.keys(countries.getAlpha2Codes()).sort() as [string, ...string[]];
export const country = z.enum(ALPHA2_COUNTRIES).meta({ description: 'ISO 3166-1 alpha-2 country code' });

export const hsCode = z
  .string()
  .regex(/^[0-9]{10}$/, 'must be 10 digits')
  .meta({ description: '10-digit HS code' });

export const containerNumber = z
  .string()
  .regex(CONTAINER_NUMBER_PATTERN, 'must be an ISO 6346 container number like CSQU3054383')
  .refine(isValidContainerNumber, 'has a wrong ISO 6346 check digit');

export const isoTimestamp = z.iso.datetime({ offset: true });

export const creditLevel = z.enum(['AA', 'A', 'B', 'C', 'D']).meta({ description: 'Enterprise credit level' });
export type CreditLevel = z.infer<typeof creditLevel>;

/** Finite JSON number in a range: JSON cannot carry NaN or Infinity, but huge literals parse to Infinity. */
export const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

/** An opaque pagination cursor (base64url of a store key). */
export const cursor = z
  .string()
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this API issued');

export const limit = (max: number, dflt: number) => z.coerce.number().int('must be a whole number').min(1).max(max).default(dflt);
