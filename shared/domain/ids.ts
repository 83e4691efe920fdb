/**
 * Identifiers. Declaration and event ids are time-ordered (48-bit millisecond time, then 80 random
 * bits, Crockford base32 like a ULID) so that they sort by creation and spread across partitions.
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function timeOrderedId(now = Date.now(), randomSource: (size: number) => Uint8Array = randomBytes): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomSource(10);
  let random = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      random += CROCKFORD[(acc >> bits) & 31];
    }
  }
  return time + random;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
