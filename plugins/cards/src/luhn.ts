/**
 * Luhn (mod 10) check, as in braintree/card-validator `luhn-10.js`: walking the digits right to left,
 * every second digit is doubled, and a doubled digit above 9 counts as n − 9. The number is valid when
 * the sum is a multiple of 10. Expects digits only; anything else is simply not valid.
 */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The check digit that makes `partial` + digit Luhn-valid (for building synthetic test numbers). */
export function luhnCheckDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${partial}${d}`)) return String(d);
  throw new Error('unreachable: one of ten digits always completes a Luhn number');
}
