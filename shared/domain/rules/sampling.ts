/**
 * Deterministic sampling: a keyed hash of (declaration id, rule set version) mapped to [0, 1).
 * The same declaration under the same version and rate always gets the same answer, and over many
 * declarations the sampled share converges on the rate. The key keeps the draw unpredictable to
 * anyone who does not hold it (an enterprise cannot choose ids anyway: the platform assigns them).
 */
const SAMPLING_KEY = 0x5ca1ab1e;

/** cyrb53: a fast 53-bit string hash with good avalanche, seeded with the key. */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A uniform draw in [0, 1) for this declaration under this rule set version (the version seeds the hash). */
export function samplingDraw(declarationId: string, ruleSetVersion: number): number {
  return cyrb53(declarationId, SAMPLING_KEY ^ Math.imul(ruleSetVersion, 0x9e3779b1)) / 2 ** 53;
}

export function isSampled(declarationId: string, ruleSetVersion: number, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return samplingDraw(declarationId, ruleSetVersion) < rate;
}
