import { randomInt } from 'node:crypto';
import { luhnCheckDigit } from '@payrail/plugin-cards';

/** `count` random decimal digits (leading zeros kept). */
const randomDigits = (count: number): string =>
  Array.from({ length: count }, () => String(randomInt(10))).join('');

/**
 * A Luhn-valid card number no other test uses: `prefix`, random digits, then the check digit, `length`
 * digits in all. The default is a 16-digit Visa number ("4…"); `distinctivePan('37', 15)` is an American
 * Express one.
 */
export function distinctivePan(prefix = '4', length = 16): string {
  const body = `${prefix}${randomDigits(length - 1 - prefix.length)}`;
  return `${body}${luhnCheckDigit(body)}`;
}
