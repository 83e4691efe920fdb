/** Test data: fresh, valid identifiers so every test works on its own enterprise/declarations. */
import { randomInt } from 'node:crypto';
import { CREDIT_CODE_ALPHABET, creditCodeCheckChar } from '../../shared/domain/credit-code.js';
import { containerCheckDigit } from '../../shared/domain/container-number.js';

/** A valid unified social credit code nobody else in this run uses. */
export function newCreditCode(): string {
  let first = '91';
  first += String(randomInt(110000, 660000)).padStart(6, '0');
  for (let i = 0; i < 9; i++) first += CREDIT_CODE_ALPHABET[randomInt(0, 31)];
  return first + creditCodeCheckChar(first);
}

export function newContainerNumber(owner = 'CSQ'): string {
  const first = `${owner}U${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
  return first + containerCheckDigit(first);
}

export const KNOWN_GOOD_CREDIT_CODES = [
  '91350100M000100Y43',
  '91110000802100433B',
  '91310000607216596U',
  '914403001922038216',
  '91110108551385082Q',
];
