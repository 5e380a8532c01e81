import { PayrailError } from '../errors';
import type { PaymentStatus } from './status';

/**
 * Every allowed transition, as a table. A status not listed as a source is terminal.
 * `partially_refunded → partially_refunded` is allowed: each further partial refund stays there.
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  requires_payment_method: ['requires_action', 'processing', 'authorized', 'succeeded', 'failed', 'canceled'],
  requires_action: ['processing', 'authorized', 'succeeded', 'failed', 'canceled'],
  // back to requires_payment_method when an attempt provably never reached the provider
  processing: ['requires_payment_method', 'requires_action', 'authorized', 'succeeded', 'failed', 'canceled'],
  authorized: ['succeeded', 'canceled'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  canceled: [],
  failed: [],
};

/** States from which no transition leads anywhere. */
export const isTerminalStatus = (status: PaymentStatus): boolean => PAYMENT_TRANSITIONS[status].length === 0;

/** States in which money has been captured (refunds are possible from here). */
export const isCapturedStatus = (status: PaymentStatus): boolean =>
  status === 'succeeded' || status === 'partially_refunded' || status === 'refunded';

/** States where the buyer can still pay (the payment page accepts card details). */
export const isAwaitingPayment = (status: PaymentStatus): boolean =>
  status === 'requires_payment_method' || status === 'requires_action';

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

/** Throws PAYRAIL_ERR_INVALID_STATE_TRANSITION with a message that says what the caller can do. */
export function assertTransition(from: PaymentStatus, to: PaymentStatus, action: string): void {
  if (!canTransition(from, to)) {
    throw new PayrailError('PAYRAIL_ERR_INVALID_STATE_TRANSITION', {
      message: `Cannot ${action} a payment whose status is "${from}".`,
      details: { status: from, attempted: to },
    });
  }
}
