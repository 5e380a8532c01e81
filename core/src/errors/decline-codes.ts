/**
 * Normalised reasons a payment was declined. A decline is a normal outcome (data), not an error.
 * Providers map their own codes onto these and keep theirs in `providerCode`.
 */
export const DECLINE_CODES = [
  'card_declined',
  'insufficient_funds',
  'lost_card',
  'stolen_card',
  'expired_card',
  'incorrect_cvc',
  'incorrect_number',
  'processing_error',
  'authentication_failed',
  'fraud_suspected',
  'do_not_honor',
  'limit_exceeded',
  'currency_not_supported',
  'payer_canceled',
  'expired',
  'unknown',
] as const;

export type DeclineCode = (typeof DECLINE_CODES)[number];

export interface Decline {
  code: DeclineCode;
  /** The provider's own code, verbatim. */
  providerCode?: string;
  /** A message fit to show the merchant. */
  message: string;
}

/** Messages a buyer may see: neutral on purpose (no hint of fraud rules or card state to an attacker). */
export const BUYER_DECLINE_MESSAGE =
  'The payment was declined. Try another payment method or contact your bank.';
