import { PayrailError } from '../errors';
import { ISO4217_EXPONENTS } from './iso4217';

/** An amount of money: an integer count of the currency's minor units plus its ISO 4217 code. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/**
 * The largest amount we accept, in minor units. Kept far below 2^53 so sums of many amounts stay exact
 * in JavaScript numbers, and inside PostgreSQL's bigint.
 */
export const MAX_AMOUNT = 10 ** 15;

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(ISO4217_EXPONENTS, code);
}

/** Normalises and checks a currency code (`usd` → `USD`); throws PAYRAIL_ERR_CURRENCY_UNKNOWN. */
export function parseCurrency(code: string, param = 'currency'): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || !isKnownCurrency(upper)) {
    throw new PayrailError('PAYRAIL_ERR_CURRENCY_UNKNOWN', {
      param,
      message: `"${code}" is not an active ISO 4217 currency code; use a three-letter code such as "USD" or "RUB".`,
    });
  }
  return upper;
}

/** The minor-unit exponent of a currency (JPY 0, RUB 2, KWD 3). */
export function currencyExponent(currency: string): number {
  // Own keys only: `ISO4217_EXPONENTS['toString']` would otherwise find Object.prototype's function.
  const exponent = isKnownCurrency(currency) ? ISO4217_EXPONENTS[currency] : undefined;
  if (exponent === undefined) throw new PayrailError('PAYRAIL_ERR_CURRENCY_UNKNOWN', { param: 'currency' });
  return exponent;
}

/** Checks an amount in minor units: a positive safe integer no larger than MAX_AMOUNT. */
export function assertAmount(amount: unknown, param = 'amount', { allowZero = false } = {}): number {
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < (allowZero ? 0 : 1)) {
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_INVALID', {
      param,
      message: `${param} must be a ${allowZero ? 'non-negative' : 'positive'} integer number of minor units (e.g. 1050 for 10.50 USD).`,
    });
  }
  if (amount > MAX_AMOUNT) {
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_TOO_LARGE', {
      param,
      message: `${param} must be at most ${MAX_AMOUNT}.`,
    });
  }
  return amount;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a major-unit decimal string ("10.50") into minor units without floating point.
 * More decimal places than the currency has are rejected, never rounded ("10.505" USD fails);
 * trailing zeros beyond the exponent are accepted only when they are zeros ("10.500" USD = 1050).
 */
export function parseDecimal(text: string, currency: string, param = 'amount'): number {
  const exponent = currencyExponent(currency);
  const match = DECIMAL.exec(text.trim());
  if (!match) {
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_INVALID', {
      param,
      message: `${param} "${text}" is not a decimal number like "10.50".`,
    });
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > exponent) {
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_PRECISION', {
      param,
      message: `${param} "${text}" has more than ${exponent} decimal place(s), the most ${currency} allows.`,
    });
  }
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(significant.padEnd(exponent, '0') || '0');
  if (minor > BigInt(MAX_AMOUNT)) {
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_TOO_LARGE', { param });
  }
  return Number(minor);
}

/** Formats minor units as a major-unit decimal string with exactly the currency's decimals ("10.50"). */
export function formatDecimal(amount: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (!Number.isSafeInteger(amount))
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_INVALID', { param: 'amount' });
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/**
 * Formats minor units with a fixed number of decimals that a provider's wire format wants (QIWI and
 * WebMoney always use two). Throws if that would lose precision (a KWD amount with a non-zero third digit).
 */
export function formatDecimalFixed(amount: number, currency: string, decimals: number): string {
  const exponent = currencyExponent(currency);
  if (!Number.isSafeInteger(amount))
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_INVALID', { param: 'amount' });
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
    // A wire format's decimals are a constant of the plugin, so a bad value is a bug, not bad input.
    throw new PayrailError('PAYRAIL_ERR_INTERNAL', {
      message: `formatDecimalFixed: decimals must be an integer from 0 to 18, got ${decimals}.`,
    });
  }
  if (decimals >= exponent) {
    const base = formatDecimal(amount, currency);
    const pad = decimals - exponent;
    if (pad === 0) return base;
    return exponent === 0 ? `${base}.${'0'.repeat(pad)}` : `${base}${'0'.repeat(pad)}`;
  }
  const divisor = 10 ** (exponent - decimals);
  if (amount % divisor !== 0) {
    throw new PayrailError('PAYRAIL_ERR_AMOUNT_PRECISION', {
      param: 'amount',
      message: `${formatDecimal(amount, currency)} ${currency} cannot be sent with ${decimals} decimals without rounding.`,
    });
  }
  const scaled = amount / divisor;
  const digits = String(Math.abs(scaled)).padStart(decimals + 1, '0');
  const sign = amount < 0 ? '-' : '';
  return decimals === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
}
