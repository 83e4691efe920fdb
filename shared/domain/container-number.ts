/**
 * ISO 6346 container numbers: owner code (3 letters), category (U, J or Z), serial (6 digits) and
 * a check digit. Letters count 10..38 skipping multiples of 11; position i weighs 2^i.
 */
const LETTER_VALUE = new Map<string, number>();
{
  let v = 10;
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (v % 11 === 0) v++;
    LETTER_VALUE.set(c, v++);
  }
}
export const CONTAINER_NUMBER_PATTERN = /^[A-Z]{3}[UJZ][0-9]{7}$/;

export function containerCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = first10[i]!;
    const v = i < 4 ? LETTER_VALUE.get(c) : Number(c);
    if (v === undefined || Number.isNaN(v)) throw new Error(`bad container character ${c}`);
    sum += v * 2 ** i;
  }
  return (sum % 11) % 10;
}

export function isValidContainerNumber(no: string): boolean {
  return CONTAINER_NUMBER_PATTERN.test(no) && containerCheckDigit(no.slice(0, 10)) === Number(no[10]);
}
