import { createHash } from 'node:crypto';

/**
 * LMI_PAYMENT_NO must be an unsigned integer (one integration caps it at 15 digits), while Payrail ids
 * are `pay_` + a ULID. The plugin keeps no state, so the number is derived from the payment id:
 * SHA-256 of the id, first 64 bits, reduced to 1 … 10^15 − 1. The payment id itself travels in the
 * custom field PAYRAIL_PAYMENT_ID, which WebMoney echoes but does not sign; a notification is accepted
 * only when that id derives to the signed LMI_PAYMENT_NO, which binds the two.
 *
 * Collisions are possible in principle (about n²/2·10¹⁵: ~0.05 % over a million payments); they cannot
 * be abused (the binding check) but would trip WebMoney's optional "unique LMI_PAYMENT_NO" check.
 */
export const PAYMENT_NO_MODULUS = 10n ** 15n - 1n;

export function paymentNumberFor(paymentId: string): string {
  const hash = createHash('sha256').update(`payrail-webmoney-payment-no:${paymentId}`, 'utf8').digest();
  return String((hash.readBigUInt64BE(0) % PAYMENT_NO_MODULUS) + 1n);
}

/** The custom form field carrying our payment id (custom fields must not start with `LMI_` or `_`). */
export const PAYMENT_ID_FIELD = 'PAYRAIL_PAYMENT_ID';
