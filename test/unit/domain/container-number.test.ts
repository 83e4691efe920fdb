import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containerCheckDigit, isValidContainerNumber } from '../../../shared/domain/container-number.js';

describe('ISO 6346 container numbers', () => {
  it.each(['CSQU3054383', 'MSKU1234565'])('accepts %s', (no) => expect(isValidContainerNumber(no)).toBe(true));
  it.each(['CSQU3054384', 'CSQX3054383', 'CSQU305438', 'csqu3054383', 'CSQU3054383 '])('rejects %s', (no) =>
    expect(isValidContainerNumber(no)).toBe(false),
  );
  it('rejects any single changed serial digit', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{3}U[0-9]{6}$/),
        fc.integer({ min: 4, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (first, pos, delta) => {
          const no = first + containerCheckDigit(first);
          const digit = (Number(no[pos]) + delta) % 10;
          const changed = no.slice(0, pos) + digit + no.slice(pos + 1);
          // A check digit of 10 is written as 0 by the standard, so two serials can share it.
          fc.pre(containerCheckDigit(changed.slice(0, 10)) !== Number(no[10]));
          return !isValidContainerNumber(changed);
        },
      ),
    );
  });
});
