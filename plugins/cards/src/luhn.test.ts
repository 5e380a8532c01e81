import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, luhnValid } from './luhn';

describe('luhnValid', () => {
  it.each([
    '4111111111111111',
    '4242424242424242',
    '5555555555554444',
    '378282246310005',
    '6011111111111117',
    '3530111333300000',
    '5000000000000611',
    '30569309025904',
    '2223003122003222',
    '79927398713',
    '0',
  ])('accepts %s', (n) => {
    expect(luhnValid(n)).toBe(true);
  });

  it.each(['4111111111111112', '4242424242424241', '5555555555554446', '5000000000000612', '79927398710'])(
    'rejects %s',
    (n) => {
      expect(luhnValid(n)).toBe(false);
    },
  );

  it.each(['', ' ', '4242 4242 4242 4242', '4242-4242', 'abc', '١٢٣'])('rejects non-digits %j', (n) => {
    expect(luhnValid(n)).toBe(false);
  });

  test.prop([fc.stringMatching(/^\d{1,18}$/)])(
    'the check digit completes every number, uniquely',
    (partial) => {
      const check = luhnCheckDigit(partial);
      expect(luhnValid(partial + check)).toBe(true);
      const others = '0123456789'.split('').filter((d) => d !== check);
      for (const d of others) expect(luhnValid(partial + d)).toBe(false);
    },
  );

  test.prop([fc.stringMatching(/^\d{12,18}$/), fc.nat({ max: 17 }), fc.integer({ min: 1, max: 9 })])(
    'detects every single-digit error',
    (partial, at, delta) => {
      const valid = partial + luhnCheckDigit(partial);
      const i = at % valid.length;
      const changed = valid.slice(0, i) + String((Number(valid[i]) + delta) % 10) + valid.slice(i + 1);
      expect(luhnValid(changed)).toBe(false);
    },
  );
});
