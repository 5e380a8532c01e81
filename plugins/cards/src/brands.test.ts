import { describe, expect, it } from 'vitest';
import { brandInfo, brandOf, brandsForPrefix, CARD_BRANDS, type CardBrand } from './brands';

/**
 * Conformance rows from braintree/credit-card-type `src/__tests__/index.ts` (cards.md §5), limited to
 * the brands Payrail supports (Elo, Verve, Hiper and Hipercard are left out, which also removes them
 * from the ambiguous lists).
 */
describe('brandsForPrefix: credit-card-type single matches', () => {
  it.each<[string, CardBrand]>([
    ['411', 'visa'],
    ['4111111111111111', 'visa'],
    ['4012888888881881', 'visa'],
    ['4222222222222', 'visa'],
    ['411111111111111111', 'visa'],
    ['4111111111111111110', 'visa'],
    ['2221', 'mastercard'],
    ['2222', 'mastercard'],
    ['2223', 'mastercard'],
    ['2226', 'mastercard'],
    ['223', 'mastercard'],
    ['2239', 'mastercard'],
    ['23', 'mastercard'],
    ['26', 'mastercard'],
    ['27', 'mastercard'],
    ['270', 'mastercard'],
    ['271', 'mastercard'],
    ['272', 'mastercard'],
    ['2720', 'mastercard'],
    ['51', 'mastercard'],
    ['55', 'mastercard'],
    ['5555555555554444', 'mastercard'],
    ['5454545454545454', 'mastercard'],
    ['34', 'amex'],
    ['37', 'amex'],
    ['341', 'amex'],
    ['378282246310005', 'amex'],
    ['371449635398431', 'amex'],
    ['30', 'diners'],
    ['300', 'diners'],
    ['36', 'diners'],
    ['38', 'diners'],
    ['39', 'diners'],
    ['30569309025904', 'diners'],
    ['38520000023237', 'diners'],
    ['6011', 'discover'],
    ['644', 'discover'],
    ['649', 'discover'],
    ['6011111111111117', 'discover'],
    ['6011000990139424', 'discover'],
    ['62123456789002', 'unionpay'],
    ['6221258812340000', 'unionpay'],
    ['622018111111111111', 'unionpay'],
    ['6212345678900000003', 'unionpay'],
    ['6240000000000000', 'unionpay'],
    ['6282000000000000', 'unionpay'],
    ['8', 'unionpay'],
    ['8100513433325374', 'unionpay'],
    ['8168524506870054', 'unionpay'],
    ['56', 'maestro'],
    ['59', 'maestro'],
    ['67', 'maestro'],
    ['6304000000000000', 'maestro'],
    ['6799990100000000019', 'maestro'],
    ['62183', 'maestro'],
    ['1', 'jcb'],
    ['35', 'jcb'],
    ['2131', 'jcb'],
    ['21312', 'jcb'],
    ['1800', 'jcb'],
    ['18002', 'jcb'],
    ['3530111333300000', 'jcb'],
    ['3566002020360505', 'jcb'],
    ['220', 'mir'],
    ['2200', 'mir'],
    ['2204', 'mir'],
    ['22000000000000000', 'mir'],
    ['22049999999999999', 'mir'],
  ])('%s → %s', (digits, brand) => {
    expect(brandsForPrefix(digits)).toEqual([brand]);
  });
});

describe('brandsForPrefix: ambiguous partial inputs', () => {
  it.each<[string, CardBrand[]]>([
    ['', CARD_BRANDS.map((b) => b.brand)],
    ['2', ['mastercard', 'jcb', 'mir']],
    ['3', ['amex', 'diners', 'jcb']],
    ['5', ['mastercard', 'maestro']],
    ['6', ['discover', 'unionpay', 'maestro']],
    ['60', ['discover', 'maestro']],
    ['601', ['discover', 'maestro']],
    ['64', ['discover', 'maestro']],
    ['62', ['unionpay', 'maestro']],
    ['4', ['visa', 'maestro']],
    ['6277', ['unionpay', 'maestro']],
    ['62778', ['unionpay', 'maestro']],
    ['627', ['unionpay', 'maestro']],
  ])('%j → %j', (digits, brands) => {
    expect(brandsForPrefix(digits)).toEqual(brands);
  });

  it('resolves to the longest full match once every candidate matched in full', () => {
    expect(brandsForPrefix('65')).toEqual(['discover']);
    expect(brandsForPrefix('63')).toEqual(['maestro']);
    expect(brandsForPrefix('50')).toEqual(['maestro']);
  });
});

describe('unknown prefixes', () => {
  it.each([
    '0',
    '12',
    '123',
    '181',
    '1802',
    '221',
    '222099',
    '2721',
    '212',
    '2132',
    '306',
    '31',
    '32',
    '33',
    '7',
    '9',
  ])('%s matches no brand', (digits) => {
    expect(brandsForPrefix(digits)).toEqual([]);
    expect(brandOf(digits)).toBeUndefined();
  });

  it('non-digits match nothing', () => {
    expect(brandsForPrefix('4x')).toEqual([]);
    expect(brandsForPrefix('4242 4242')).toEqual([]);
  });
});

describe('Mastercard 2-series covers exactly 2221–2720', () => {
  it('every 4-digit prefix in 2221–2720 is Mastercard, and the neighbours are not', () => {
    for (let p = 2221; p <= 2720; p++) expect(brandOf(`${p}000000000000`), String(p)).toBe('mastercard');
    expect(brandOf('2220000000000000')).toBeUndefined();
    expect(brandOf('2721000000000000')).toBeUndefined();
  });

  it('Mir covers exactly 2200–2204', () => {
    for (let p = 2200; p <= 2204; p++) expect(brandOf(`${p}000000000000`)).toBe('mir');
    expect(brandOf('2205000000000000')).toBeUndefined();
  });
});

describe('brand metadata', () => {
  it.each<[CardBrand, string, number]>([
    ['mastercard', 'CVC', 3],
    ['visa', 'CVV', 3],
    ['amex', 'CID', 4],
    ['discover', 'CID', 3],
    ['jcb', 'CVV', 3],
    ['diners', 'CVV', 3],
    ['unionpay', 'CVN', 3],
    ['maestro', 'CVC', 3],
    ['mir', 'CVP2', 3],
  ])('%s security code is %s, %i digits', (brand, name, size) => {
    expect(brandInfo(brand).code).toEqual({ name, size });
  });

  it.each<[CardBrand, number[]]>([
    ['maestro', [12, 13, 14, 15, 16, 17, 18, 19]],
    ['diners', [14, 16, 19]],
    ['discover', [16, 19]],
    ['visa', [16, 18, 19]],
    ['mastercard', [16]],
    ['amex', [15]],
    ['jcb', [16, 17, 18, 19]],
    ['mir', [16, 17, 18, 19]],
    ['unionpay', [14, 15, 16, 17, 18, 19]],
  ])('%s lengths', (brand, lengths) => {
    expect(brandInfo(brand).lengths).toEqual(lengths);
  });

  it('ranges are well-formed: equal-length bounds, from ≤ to', () => {
    for (const info of CARD_BRANDS) {
      for (const pattern of info.patterns) {
        if (typeof pattern === 'string') continue;
        expect(String(pattern[0]).length).toBe(String(pattern[1]).length);
        expect(pattern[0]).toBeLessThanOrEqual(pattern[1]);
      }
    }
  });
});
