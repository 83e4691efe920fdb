/**
 * API keys: random, shown once, stored only as a SHA-256 hash. A key's hash is its lookup key, so
 * the stored hash never has to be compared with user input character by character; where a key is
 * compared (the admin key) the comparison is constant-time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from './ids.js';

export function newApiKey(kind: string): string {
  return `cw_${kind.slice(0, 3)}_${randomToken(32)}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key of an `Authorization: Bearer <key>` header, or why there is none. */
export function bearerKey(header: string | undefined): { key?: string; reason?: 'missing' | 'malformed' } {
  if (header === undefined || header.trim() === '') return { reason: 'missing' };
  const match = /^Bearer ([\x21-\x7e]{1,256})$/i.exec(header.trim());
  return match ? { key: match[1]! } : { reason: 'malformed' };
}
