import { type CardInput, PayrailError } from '@payrail/core';
import { brandInfo, brandOf, type CardBrand } from './brands';
import { luhnValid } from './luhn';

/** A card that passed every check: the PAN as digits only, and its brand. Lives only for one provider call. */
export interface ValidCard {
  pan: string;
  brand: CardBrand;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export interface ValidateCardOptions {
  /** "Now", from the plugin context's clock: a card is valid through the last day of its expiry month. */
  now: Date;
  /**
   * Enforce the Luhn check on UnionPay numbers too (default true). card-validator skips it for
   * UnionPay by default because some real UnionPay cards fail it; a live acquirer may need `false`.
   */
  luhnValidateUnionPay?: boolean;
  /** How far ahead an expiry year may be (default 20, as card-validator's 19 + the current year). */
  maxYearsAhead?: number;
  /** Check the CVC (default true). False where no CVC is ever given: an issuer enrolling a card. */
  requireCvc?: boolean;
}

// Messages name the field and the rule, never the value: a card number must not reach an error message.
const invalid = (param: 'number' | 'exp_month' | 'exp_year' | 'cvc', message: string): PayrailError =>
  new PayrailError('PAYRAIL_ERR_PAYMENT_METHOD_INVALID', { param, message });

/** Spaces and dashes are formatting; anything else that is not a digit makes the number invalid. */
export function normalizePan(number: unknown): string | undefined {
  if (typeof number !== 'string') return undefined;
  const digits = number.replace(/[\s-]/g, '');
  return /^\d+$/.test(digits) ? digits : undefined;
}

/**
 * Pure checks of card details as entered on the payment page. Throws PAYRAIL_ERR_PAYMENT_METHOD_INVALID
 * with `param` = `number` (digits, brand, length, Luhn), `exp_month`, `exp_year` (format, not expired,
 * not absurdly far ahead) or `cvc` (digits, length for the brand), in that order.
 */
export function validateCard(card: CardInput, options: ValidateCardOptions): ValidCard {
  const pan = normalizePan(card.number);
  if (pan === undefined) throw invalid('number', 'The card number must contain only digits.');
  const brand = brandOf(pan);
  if (brand === undefined)
    throw invalid('number', 'The card number does not belong to a supported card brand.');
  const info = brandInfo(brand);
  if (!info.lengths.includes(pan.length)) {
    throw invalid('number', `${info.name} card numbers have ${info.lengths.join(', ')} digits.`);
  }
  const checkLuhn = brand !== 'unionpay' || (options.luhnValidateUnionPay ?? true);
  if (checkLuhn && !luhnValid(pan))
    throw invalid('number', 'The card number is not valid; check it for typos.');

  const { expMonth, expYear } = card;
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12) {
    throw invalid('exp_month', 'The expiry month must be a whole number from 1 to 12.');
  }
  if (!Number.isInteger(expYear) || expYear < 1000 || expYear > 9999) {
    throw invalid('exp_year', 'The expiry year must have four digits, such as 2030.');
  }
  const nowYear = options.now.getUTCFullYear();
  const nowMonth = options.now.getUTCMonth() + 1;
  if (expYear < nowYear) throw invalid('exp_year', 'The card has expired.');
  if (expYear === nowYear && expMonth < nowMonth) throw invalid('exp_month', 'The card has expired.');
  if (expYear > nowYear + (options.maxYearsAhead ?? 20)) {
    throw invalid('exp_year', 'The expiry year is too far in the future.');
  }

  if (options.requireCvc === false) return { pan, brand, expMonth, expYear, cvc: '' };
  if (typeof card.cvc !== 'string' || !/^\d+$/.test(card.cvc)) {
    throw invalid('cvc', `The ${info.code.name} must contain only digits.`);
  }
  if (card.cvc.length !== info.code.size) {
    throw invalid('cvc', `The ${info.code.name} of ${info.name} cards has ${info.code.size} digits.`);
  }
  return { pan, brand, expMonth, expYear, cvc: card.cvc };
}
