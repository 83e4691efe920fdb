import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CREDIT_CODE_ALPHABET, creditCodeCheckChar, isValidCreditCode } from '../../../shared/domain/credit-code.js';
import { KNOWN_GOOD_CREDIT_CODES } from '../../support/fixtures.js';

const body17 = fc.array(fc.constantFrom(...CREDIT_CODE_ALPHABET), { minLength: 17, maxLength: 17 }).map((a) => a.join(''));
const validCode = body17.map((b) => b + creditCodeCheckChar(b));

describe('unified social credit code (GB 32100-2015)', () => {
  it.each(KNOWN_GOOD_CREDIT_CODES)('accepts the published code %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  it.each([
    ['wrong check character', '91350100M000100Y44'],
    ['17 characters', '91350100M000100Y4'],
    ['lower case', '91350100m000100Y43'],
    ['letter outside the alphabet (I)', '91350100I000100Y43'],
    ['letter outside the alphabet (O)', '9135010OM000100Y43'],
    ['empty', ''],
  ])('rejects a code with %s', (_, code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  it('accepts every code whose check character is computed by the standard', () => {
    fc.assert(
      fc.property(validCode, (code) => isValidCreditCode(code)),
      { numRuns: 2000 },
    );
  });

  it('rejects every single-character substitution', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 17 }), fc.constantFrom(...CREDIT_CODE_ALPHABET), (code, pos, char) => {
        fc.pre(code[pos] !== char);
        const changed = code.slice(0, pos) + char + code.slice(pos + 1);
        return !isValidCreditCode(changed);
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects every transposition of different neighbours within the first 17 characters', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 15 }), (code, pos) => {
        fc.pre(code[pos] !== code[pos + 1]);
        const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
        return !isValidCreditCode(swapped);
      }),
      { numRuns: 5000 },
    );
  });
});
