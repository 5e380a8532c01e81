import { describe, expect, it } from 'vitest';
import { currencyOfPurse, PURSE_PREFIX_CURRENCY, WEBMONEY_CURRENCIES } from './purses';

describe('purse prefix ↔ currency', () => {
  it.each([
    ['Z123456789012', 'USD'],
    ['R123456789012', 'RUB'],
    ['E123456789012', 'EUR'],
    ['U123456789012', 'UAH'],
    ['K123456789012', 'KZT'],
    ['Y123456789012', 'UZS'],
    ['B123456789012', 'BYN'],
  ])('%s holds %s', (purse, currency) => {
    expect(currencyOfPurse(purse)).toBe(currency);
  });

  it.each([
    ['X123456789012', 'BTC has no ISO 4217 code'],
    ['T123456789012', 'USDT has no ISO 4217 code'],
    ['A123456789012', 'unknown prefix'],
    ['D123456789012', 'old credit purse, unknown currency'],
    ['Z12345678901', '11 digits'],
    ['Z1234567890123', '13 digits'],
    ['z123456789012', 'lower-case prefix'],
    ['Z12345678901a', 'not digits'],
    ['', 'empty'],
  ])('%s → null (%s)', (purse) => {
    expect(currencyOfPurse(purse)).toBeNull();
  });

  it('lists every currency once, all ISO', () => {
    expect(new Set(WEBMONEY_CURRENCIES).size).toBe(WEBMONEY_CURRENCIES.length);
    expect(Object.keys(PURSE_PREFIX_CURRENCY)).toEqual(['Z', 'R', 'E', 'U', 'K', 'Y', 'B']);
  });
});
