/**
 * WebMoney purse types. A purse is one letter and 12 digits (`Z123428476799`); the letter fixes the
 * currency. Source: dercoder/omnipay-webmoney `getCurrencyByPurse` (see shared/protocols/webmoney.md).
 *
 * Only purses whose currency has an ISO 4217 code are supported, because Payrail money is ISO 4217:
 * X (BTC) and T (USDT) are refused. B is listed as "BYR" by the library; WMB follows the Belarusian
 * rouble, whose ISO code has been BYN since the 2016 redenomination, so B ↔ BYN here.
 */
export const PURSE_PATTERN = /^[A-Z][0-9]{12}$/;

export const PURSE_PREFIX_CURRENCY = {
  Z: 'USD',
  R: 'RUB',
  E: 'EUR',
  U: 'UAH',
  K: 'KZT',
  Y: 'UZS',
  B: 'BYN',
} as const satisfies Record<string, string>;

/** Prefixes WebMoney has but Payrail cannot represent (no ISO 4217 code). */
export const UNSUPPORTED_PURSE_PREFIXES: Readonly<Record<string, string>> = {
  X: 'BTC (no ISO 4217 code)',
  T: 'USDT (no ISO 4217 code)',
};

export type PursePrefix = keyof typeof PURSE_PREFIX_CURRENCY;
export type WebMoneyCurrency = (typeof PURSE_PREFIX_CURRENCY)[PursePrefix];

export const WEBMONEY_CURRENCIES: readonly WebMoneyCurrency[] = [
  ...new Set(Object.values(PURSE_PREFIX_CURRENCY)),
];

/** The ISO currency of a purse by its prefix, or null (bad shape, unknown or unsupported prefix). */
export function currencyOfPurse(purse: string): WebMoneyCurrency | null {
  if (!PURSE_PATTERN.test(purse)) return null;
  const prefix = purse[0] as string;
  return Object.hasOwn(PURSE_PREFIX_CURRENCY, prefix) ? PURSE_PREFIX_CURRENCY[prefix as PursePrefix] : null;
}
