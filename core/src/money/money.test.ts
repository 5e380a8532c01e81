import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, PayrailError } from '../errors';
import { ISO4217_EXPONENTS } from './iso4217';
import {
  assertAmount,
  currencyExponent,
  formatDecimal,
  formatDecimalFixed,
  isKnownCurrency,
  MAX_AMOUNT,
  parseCurrency,
  parseDecimal,
} from './money';

const CODES = Object.keys(ISO4217_EXPONENTS);
const currency = fc.constantFrom(...CODES);
const amount = fc.integer({ min: 0, max: MAX_AMOUNT });

function codeOf(fn: () => unknown): ErrorCode | 'no error' | 'not a PayrailError' {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof PayrailError ? err.code : 'not a PayrailError';
  }
}

describe('ISO 4217 table', () => {
  it('has the exponents the protocol notes name (currencies.md)', () => {
    expect(ISO4217_EXPONENTS).toMatchObject({
      RUB: 2,
      USD: 2,
      EUR: 2,
      KZT: 2,
      BYN: 2,
      UAH: 2,
      JPY: 0,
      KWD: 3,
    });
    for (const code of ['BHD', 'IQD', 'JOD', 'LYD', 'OMR', 'TND']) expect(ISO4217_EXPONENTS[code]).toBe(3);
    for (const code of [
      'BIF',
      'CLP',
      'DJF',
      'GNF',
      'ISK',
      'KMF',
      'KRW',
      'PYG',
      'RWF',
      'UGX',
      'UYI',
      'VND',
      'VUV',
    ]) {
      expect(ISO4217_EXPONENTS[code]).toBe(0);
    }
    for (const code of ['XAF', 'XOF', 'XPF']) expect(ISO4217_EXPONENTS[code]).toBe(0);
  });

  it('holds only three-letter upper-case codes with exponents 0–4, and is frozen', () => {
    for (const [code, exponent] of Object.entries(ISO4217_EXPONENTS)) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(exponent);
    }
    expect(Object.isFrozen(ISO4217_EXPONENTS)).toBe(true);
    // No-minor-unit codes (precious metals, SDR, testing) are not payment currencies.
    for (const code of ['XAU', 'XAG', 'XDR', 'XXX', 'XTS']) expect(isKnownCurrency(code)).toBe(false);
  });

  /**
   * Node's ICU (CLDR) gives the number of digits CLDR *displays*, which differs from ISO's minor unit for
   * currencies whose subunit is no longer used in practice. ISO is authoritative for amounts on the wire,
   * so these are known, listed deviations rather than errors in the table. If a Node upgrade brings ICU in
   * line with ISO for one of them, the test still passes; any new difference fails it.
   * Seen with ICU 78.2 (Node 20.20).
   */
  const KNOWN_ICU_DEVIATIONS: Readonly<Record<string, number>> = {
    AFN: 0,
    ALL: 0,
    COP: 0,
    HUF: 0,
    IDR: 0,
    IQD: 0,
    IRR: 0,
    KPW: 0,
    LAK: 0,
    LBP: 0,
    MGA: 0,
    MMK: 0,
    PKR: 0,
    SOS: 0,
    SYP: 0,
    YER: 0,
  };

  it.each(CODES)('%s agrees with ICU maximumFractionDigits or is a listed ICU deviation', (code) => {
    const icu = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits;
    const iso = ISO4217_EXPONENTS[code];
    if (icu === iso) return;
    expect({ code, icu }).toEqual({ code, icu: KNOWN_ICU_DEVIATIONS[code] });
  });

  it('lists as ICU deviations only codes that are in the table and whose ISO value differs', () => {
    for (const [code, icuValue] of Object.entries(KNOWN_ICU_DEVIATIONS)) {
      expect(isKnownCurrency(code)).toBe(true);
      expect(ISO4217_EXPONENTS[code]).not.toBe(icuValue);
    }
  });
});

describe('parseCurrency / currencyExponent', () => {
  it('normalises case and surrounding space', () => {
    expect(parseCurrency('usd')).toBe('USD');
    expect(parseCurrency(' rub ')).toBe('RUB');
    expect(parseCurrency('Jpy')).toBe('JPY');
  });

  it.each(['', 'US', 'USDD', 'XXX', 'XAU', '123', 'U$D', 'ÜSD'])('rejects %j with the param named', (bad) => {
    try {
      parseCurrency(bad, 'payment.currency');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PayrailError);
      expect((err as PayrailError).code).toBe('PAYRAIL_ERR_CURRENCY_UNKNOWN');
      expect((err as PayrailError).param).toBe('payment.currency');
    }
  });

  it('gives JPY 0, RUB 2, KWD 3 and throws on an unknown code', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('RUB')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
    expect(codeOf(() => currencyExponent('usd'))).toBe('PAYRAIL_ERR_CURRENCY_UNKNOWN');
    // Prototype keys are not currencies.
    expect(isKnownCurrency('constructor')).toBe(false);
    expect(codeOf(() => currencyExponent('toString'))).toBe('PAYRAIL_ERR_CURRENCY_UNKNOWN');
  });
});

describe('assertAmount', () => {
  it('accepts positive integers up to MAX_AMOUNT', () => {
    expect(assertAmount(1)).toBe(1);
    expect(assertAmount(MAX_AMOUNT)).toBe(MAX_AMOUNT);
    expect(assertAmount(0, 'amount', { allowZero: true })).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100', null, undefined, 10n])(
    'rejects %s',
    (bad) => {
      expect(codeOf(() => assertAmount(bad))).toBe('PAYRAIL_ERR_AMOUNT_INVALID');
    },
  );

  it('rejects amounts above MAX_AMOUNT with a distinct code', () => {
    expect(codeOf(() => assertAmount(MAX_AMOUNT + 1))).toBe('PAYRAIL_ERR_AMOUNT_TOO_LARGE');
    expect(codeOf(() => assertAmount(Number.MAX_SAFE_INTEGER))).toBe('PAYRAIL_ERR_AMOUNT_TOO_LARGE');
  });
});

describe('parseDecimal / formatDecimal', () => {
  test.prop([amount, currency])('parse(format(x)) === x for every currency', (minor, code) => {
    expect(parseDecimal(formatDecimal(minor, code), code)).toBe(minor);
  });

  test.prop([amount, currency])(
    'format gives exactly the currency decimals, no exponent notation',
    (minor, code) => {
      const text = formatDecimal(minor, code);
      const exponent = ISO4217_EXPONENTS[code]!;
      expect(text).toMatch(exponent === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${exponent}}$`));
      expect(text).not.toMatch(/^0\d/);
    },
  );

  test.prop([amount, currency])('format(-x) is "-" + format(x)', (minor, code) => {
    fc.pre(minor > 0);
    expect(formatDecimal(-minor, code)).toBe(`-${formatDecimal(minor, code)}`);
  });

  // A decimal string with at most `exponent` fraction digits, possibly with leading and trailing zeros.
  const decimalText = currency.chain((code) =>
    fc
      .record({
        // 11 digits: with up to 4 decimals (CLF, UYW) the largest value stays below MAX_AMOUNT.
        whole: fc.stringMatching(/^\d{1,11}$/),
        fraction: fc.stringMatching(new RegExp(`^\\d{0,${ISO4217_EXPONENTS[code]}}$`)),
        trailingZeros: fc.nat({ max: 3 }),
      })
      .map(({ whole, fraction, trailingZeros }) => {
        const frac = fraction + '0'.repeat(trailingZeros);
        return { code, whole, fraction, text: frac ? `${whole}.${frac}` : whole };
      }),
  );

  test.prop([decimalText])('format(parse(s)) is the canonical form of s (no float on the way)', (d) => {
    const exponent = ISO4217_EXPONENTS[d.code]!;
    const minor = parseDecimal(d.text, d.code);
    const expected =
      BigInt(d.whole) * 10n ** BigInt(exponent) + BigInt(d.fraction.padEnd(exponent, '0') || '0');
    expect(BigInt(minor)).toBe(expected);
    expect(parseDecimal(formatDecimal(minor, d.code), d.code)).toBe(minor);
  });

  // More significant decimals than the currency has: the last extra digit is non-zero.
  const excessText = currency.chain((code) => {
    const exponent = ISO4217_EXPONENTS[code]!;
    return fc
      .record({
        whole: fc.stringMatching(/^\d{1,9}$/),
        fraction: fc.stringMatching(new RegExp(`^\\d{${exponent},${exponent + 3}}$`)),
        last: fc.integer({ min: 1, max: 9 }),
      })
      .map(({ whole, fraction, last }) => ({ code, text: `${whole}.${fraction}${last}` }));
  });

  test.prop([excessText])('excess precision is rejected, never rounded', ({ code, text }) => {
    expect(codeOf(() => parseDecimal(text, code))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
  });

  it('JPY has no decimals', () => {
    expect(parseDecimal('500', 'JPY')).toBe(500);
    expect(parseDecimal('500.0', 'JPY')).toBe(500);
    expect(formatDecimal(500, 'JPY')).toBe('500');
    expect(formatDecimal(0, 'JPY')).toBe('0');
    expect(codeOf(() => parseDecimal('500.5', 'JPY'))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
    expect(codeOf(() => parseDecimal('0.1', 'JPY'))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
  });

  it('KWD has three decimals', () => {
    expect(parseDecimal('1.234', 'KWD')).toBe(1234);
    expect(parseDecimal('0.001', 'KWD')).toBe(1);
    expect(parseDecimal('12', 'KWD')).toBe(12_000);
    expect(formatDecimal(1234, 'KWD')).toBe('1.234');
    expect(formatDecimal(5, 'KWD')).toBe('0.005');
    expect(codeOf(() => parseDecimal('1.2345', 'KWD'))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
  });

  it('RUB has two decimals', () => {
    expect(parseDecimal('10.50', 'RUB')).toBe(1050);
    expect(parseDecimal('10.5', 'RUB')).toBe(1050);
    expect(parseDecimal('0.01', 'RUB')).toBe(1);
    expect(parseDecimal(' 14.65 ', 'RUB')).toBe(1465);
    expect(formatDecimal(1465, 'RUB')).toBe('14.65');
    expect(formatDecimal(1, 'RUB')).toBe('0.01');
    expect(formatDecimal(0, 'RUB')).toBe('0.00');
    expect(codeOf(() => parseDecimal('10.505', 'RUB'))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
    // Zeros beyond the exponent carry no precision and are accepted.
    expect(parseDecimal('10.500', 'RUB')).toBe(1050);
  });

  it('avoids the float traps (0.1 + 0.2, 1.005, 4.35 × 100)', () => {
    expect(parseDecimal('0.30', 'USD')).toBe(30);
    expect(parseDecimal('4.35', 'USD')).toBe(435);
    expect(parseDecimal('1.15', 'USD')).toBe(115);
    expect(codeOf(() => parseDecimal('1.005', 'USD'))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
    expect(parseDecimal('9999999999999.99', 'USD')).toBe(999_999_999_999_999);
  });

  it.each([
    '',
    ' ',
    '.5',
    '5.',
    '-1',
    '+1',
    '1e3',
    '0x10',
    '1,50',
    '1 000',
    'Infinity',
    'NaN',
    '١٢',
    '10.5.0',
  ])('rejects %j as not a decimal', (bad) => {
    expect(codeOf(() => parseDecimal(bad, 'USD'))).toBe('PAYRAIL_ERR_AMOUNT_INVALID');
  });

  it('rejects amounts above MAX_AMOUNT, also when far beyond 2^53', () => {
    expect(parseDecimal(formatDecimal(MAX_AMOUNT, 'USD'), 'USD')).toBe(MAX_AMOUNT);
    expect(codeOf(() => parseDecimal('10000000000000.01', 'USD'))).toBe('PAYRAIL_ERR_AMOUNT_TOO_LARGE');
    expect(codeOf(() => parseDecimal('99999999999999999999999', 'JPY'))).toBe('PAYRAIL_ERR_AMOUNT_TOO_LARGE');
  });

  it('rejects an unknown currency and a non-integer amount', () => {
    expect(codeOf(() => parseDecimal('1.00', 'ABC'))).toBe('PAYRAIL_ERR_CURRENCY_UNKNOWN');
    expect(codeOf(() => formatDecimal(1, 'ABC'))).toBe('PAYRAIL_ERR_CURRENCY_UNKNOWN');
    expect(codeOf(() => formatDecimal(1.5, 'USD'))).toBe('PAYRAIL_ERR_AMOUNT_INVALID');
    expect(codeOf(() => formatDecimal(2 ** 53, 'USD'))).toBe('PAYRAIL_ERR_AMOUNT_INVALID');
  });

  it('names the param in its errors', () => {
    try {
      parseDecimal('1.001', 'USD', 'refund.amount');
      expect.unreachable();
    } catch (err) {
      expect((err as PayrailError).param).toBe('refund.amount');
    }
  });
});

describe('formatDecimalFixed', () => {
  it('pads currencies with fewer decimals (QIWI/WebMoney want two)', () => {
    expect(formatDecimalFixed(1050, 'RUB', 2)).toBe('10.50');
    expect(formatDecimalFixed(0, 'RUB', 2)).toBe('0.00');
    expect(formatDecimalFixed(500, 'JPY', 2)).toBe('500.00');
    expect(formatDecimalFixed(500, 'JPY', 0)).toBe('500');
    expect(formatDecimalFixed(1050, 'USD', 3)).toBe('10.500');
    expect(formatDecimalFixed(-1050, 'USD', 2)).toBe('-10.50');
  });

  it('drops only zero digits and refuses to round', () => {
    expect(formatDecimalFixed(1230, 'KWD', 2)).toBe('1.23');
    expect(formatDecimalFixed(10, 'KWD', 2)).toBe('0.01');
    expect(formatDecimalFixed(-10, 'KWD', 2)).toBe('-0.01');
    expect(formatDecimalFixed(1000, 'KWD', 0)).toBe('1');
    expect(codeOf(() => formatDecimalFixed(1234, 'KWD', 2))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
    expect(codeOf(() => formatDecimalFixed(1, 'KWD', 2))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
    expect(codeOf(() => formatDecimalFixed(1050, 'USD', 0))).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
  });

  it('rejects a non-integer amount or decimals count', () => {
    expect(codeOf(() => formatDecimalFixed(1.5, 'KWD', 2))).toBe('PAYRAIL_ERR_AMOUNT_INVALID');
    expect(codeOf(() => formatDecimalFixed(15, 'USD', -1))).toBe('PAYRAIL_ERR_INTERNAL');
    expect(codeOf(() => formatDecimalFixed(15, 'USD', 1.5))).toBe('PAYRAIL_ERR_INTERNAL');
  });

  test.prop([amount, currency, fc.integer({ min: 0, max: 6 })])(
    'is exact: the digits equal the amount scaled by 10^(decimals − exponent), or it throws',
    (minor, code, decimals) => {
      const exponent = ISO4217_EXPONENTS[code]!;
      let text: string;
      try {
        text = formatDecimalFixed(minor, code, decimals);
      } catch (err) {
        expect((err as PayrailError).code).toBe('PAYRAIL_ERR_AMOUNT_PRECISION');
        expect(decimals).toBeLessThan(exponent);
        expect(minor % 10 ** (exponent - decimals)).not.toBe(0);
        return;
      }
      expect(text).toMatch(decimals === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${decimals}}$`));
      const digits = BigInt(text.replace('.', ''));
      const shift = decimals - exponent;
      if (shift >= 0) expect(digits).toBe(BigInt(minor) * 10n ** BigInt(shift));
      else expect(digits * 10n ** BigInt(-shift)).toBe(BigInt(minor));
    },
  );
});
