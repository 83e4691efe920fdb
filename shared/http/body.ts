/**
 * Turning an API Gateway request body into a value, with the contract's limits: over 1 MiB is a
 * 413, anything that is not UTF-8 JSON is a 400. Never throws anything but a DomainError.
 */
import { DomainError, invalid, type FieldError } from '../domain/errors.js';
import type { z } from 'zod';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The one wording of a 413, from the handler and (locally) from the gateway that stops reading a
 * body past its route's limit; `bytes` is unknown when the gateway stopped before the end.
 */
export const tooLargeDetail = (bytes: number | undefined, limit: number) =>
  `the body is ${bytes === undefined ? '' : `${bytes} bytes, `}over the limit of ${limit} bytes (${limit / 1024 / 1024} MiB)`;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeJsonBody(body: string | undefined, isBase64Encoded: boolean | undefined, maxBytes = MAX_BODY_BYTES): unknown {
  if (body === undefined || body === '') throw invalid('a JSON body is required', [{ path: '', message: 'required' }]);
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > maxBytes) {
    throw new DomainError('too-large', tooLargeDetail(bytes.length, maxBytes));
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalid('the body is not valid UTF-8', [{ path: '', message: 'not valid UTF-8' }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof RangeError ? 'too deeply nested' : 'not valid JSON';
    throw invalid(`the body is ${reason}`, [{ path: '', message: reason }]);
  }
  // Validation is recursive (rule set conditions): a body nested 1,000 deep would overflow its
  // stack into a 500. Measured without recursion, refused with the limit named.
  const depth = nestingDepth(value, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw invalid(`the body nests deeper than ${MAX_JSON_DEPTH} levels; the limit is ${MAX_JSON_DEPTH}`, [
      { path: '', message: `nesting depth over the limit of ${MAX_JSON_DEPTH}` },
    ]);
  }
  return value;
}

/** How deep JSON may nest (objects and arrays): far beyond any body the API takes. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON value, iteratively, stopping once it passes `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as object))
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return max;
}

/** JSON path of a zod issue, e.g. `lines[3].hsCode` (`''` for the root). */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Every failing field of a zod error, with unknown keys named one by one. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = prefix ? [prefix, ...issue.path] : issue.path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: jsonPath([...base, key]), message: 'unknown field' });
    } else {
      out.push({ path: jsonPath(base), message: issue.message });
    }
  }
  return out;
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string, prefix?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(
    `the ${what} has ${result.error.issues.length === 1 ? 'an invalid field' : 'invalid fields'}`,
    fieldErrors(result.error, prefix),
  );
}
