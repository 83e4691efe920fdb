import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeJsonBody, fieldErrors, MAX_BODY_BYTES } from '../../../shared/http/body.js';
import { bearerKey, hashApiKey, newApiKey, sameHash } from '../../../shared/domain/api-key.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { createPrincipalRequest } from '../../../shared/schemas/principal.js';
import { text } from '../../../shared/schemas/common.js';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a throw');
};

describe('JSON body decoding', () => {
  it('parses UTF-8 JSON, plain or base64', () => {
    expect(decodeJsonBody('{"a":"é"}', false)).toEqual({ a: 'é' });
    expect(decodeJsonBody(Buffer.from('{"a":1}').toString('base64'), true)).toEqual({ a: 1 });
  });
  it('answers 413 over 1 MiB and 400 for non-JSON, invalid UTF-8, or a missing body', () => {
    const tooLarge = errorOf(() => decodeJsonBody('"' + 'x'.repeat(MAX_BODY_BYTES) + '"', false));
    expect(tooLarge.kind).toBe('too-large');
    // The same words as the local gateway's 413 (test/unit/local-gateway.test.ts): one tooLargeDetail.
    expect(tooLarge.message).toBe(`the body is ${MAX_BODY_BYTES + 2} bytes, over the limit of ${MAX_BODY_BYTES} bytes (1 MiB)`);
    expect(errorOf(() => decodeJsonBody('{not json', false)).kind).toBe('invalid');
    expect(errorOf(() => decodeJsonBody(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), true)).message).toMatch(/UTF-8/);
    expect(errorOf(() => decodeJsonBody(undefined, false)).kind).toBe('invalid');
  });
  it('keeps a __proto__ key as plain data, never as a prototype', () => {
    const value = decodeJsonBody('{"__proto__":{"polluted":true}}', false) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__']);
  });
});

describe('field errors', () => {
  it('names every failing field with its JSON path, unknown fields one by one', () => {
    const schema = z.strictObject({ lines: z.array(z.strictObject({ n: z.number() })) });
    const result = schema.safeParse({ lines: [{ n: 1 }, { n: 'x', extra: 1 }], more: true });
    expect(result.success).toBe(false);
    const paths = fieldErrors(result.error!)
      .map((e) => e.path)
      .sort();
    expect(paths).toEqual(['lines[1].extra', 'lines[1].n', 'more']);
  });
  it('rejects control characters in text', () => {
    expect(text(1, 10).safeParse('ok').success).toBe(true);
    expect(text(1, 10).safeParse('a\u0000b').success).toBe(false);
    expect(text(1, 10).safeParse('\ud800').success).toBe(false);
  });
  it('validates principals per kind', () => {
    expect(createPrincipalRequest.safeParse({ kind: 'officer', bureau: 'SD', roles: ['credit'] }).success).toBe(true);
    expect(createPrincipalRequest.safeParse({ kind: 'officer', bureau: 'SD', roles: [] }).success).toBe(false);
    expect(createPrincipalRequest.safeParse({ kind: 'enterprise', enterpriseId: '91350100M000100Y44' }).success).toBe(false);
    expect(createPrincipalRequest.safeParse({ kind: 'admin', bureau: 'SD' }).success).toBe(false);
  });
});

describe('API keys', () => {
  it('are random, hashed, and compared by hash', () => {
    const a = newApiKey('officer');
    expect(a).not.toBe(newApiKey('officer'));
    expect(sameHash(hashApiKey(a), hashApiKey(a))).toBe(true);
    expect(sameHash(hashApiKey(a), hashApiKey(a + 'x'))).toBe(false);
  });
  it('are read only from a Bearer header', () => {
    expect(bearerKey('Bearer abc')).toEqual({ key: 'abc' });
    expect(bearerKey(undefined)).toEqual({ reason: 'missing' });
    expect(bearerKey('Basic abc')).toEqual({ reason: 'malformed' });
    expect(bearerKey('Bearer ' + 'x'.repeat(300))).toEqual({ reason: 'malformed' });
  });
});
