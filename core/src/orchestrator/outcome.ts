import { capturePosting, computeFee, type LedgerPosting, type Tariff } from '../ledger';
import { canTransition, type Payment, type PaymentStatus } from '../payments';
import type { PaymentOutcome } from '../plugins/types';
import type { OutboxEvent } from '../ports/store';
import { paymentEvent } from './events';

export interface PlannedChange {
  payment: Payment;
  postings: LedgerPosting[];
  events: OutboxEvent[];
}

const STATUS_OF: Record<PaymentOutcome['status'], PaymentStatus> = {
  requires_action: 'requires_action',
  processing: 'processing',
  authorized: 'authorized',
  succeeded: 'succeeded',
  declined: 'failed',
  canceled: 'canceled',
};

/**
 * Turns a provider outcome into the payment's next state, the capture posting if money was captured,
 * and the event. Returns null when the outcome changes nothing or is not a legal transition from the
 * current state — a late or repeated notification (a "processing" after "succeeded") is ignored, never
 * applied backwards.
 */
export function planOutcome(
  current: Payment,
  outcome: PaymentOutcome,
  tariff: Tariff,
  now: Date,
): PlannedChange | null {
  const next = STATUS_OF[outcome.status];
  const refChanged = outcome.paymentRef !== undefined && outcome.paymentRef !== current.provider?.paymentRef;
  const sameStatus = next === current.status;
  if (!sameStatus && !canTransition(current.status, next)) return null;
  if (sameStatus && !refChanged) return null;

  const provider = current.provider
    ? { ...current.provider, ...(outcome.paymentRef ? { paymentRef: outcome.paymentRef } : {}) }
    : null;
  // Only the provider's reference is new (e.g. a sync after a notification settled a payment whose
  // creation timed out): record the reference alone — amounts and the capture posting came with the status.
  if (sameStatus) {
    return {
      payment: {
        ...current,
        provider,
        card: outcome.card ?? current.card,
        nextAction: outcome.status === 'requires_action' ? outcome.nextAction : null,
        version: current.version + 1,
        updatedAt: now,
      },
      postings: [],
      events: [],
    };
  }

  const payment: Payment = {
    ...current,
    status: next,
    version: current.version + 1,
    updatedAt: now,
    provider,
    card: outcome.card ?? current.card,
    nextAction: outcome.status === 'requires_action' ? outcome.nextAction : null,
  };
  const postings: LedgerPosting[] = [];
  switch (outcome.status) {
    case 'authorized':
      payment.amountCapturable = Math.min(outcome.amountAuthorized ?? current.amount, current.amount);
      break;
    case 'succeeded': {
      const captured = Math.min(outcome.amountCaptured ?? current.amount, current.amount);
      payment.amountCaptured = captured;
      payment.amountCapturable = 0;
      const ctx = {
        merchantId: current.merchantId,
        mode: current.mode,
        paymentId: current.id,
        currency: current.currency,
        now,
      };
      postings.push(capturePosting(ctx, captured, computeFee(captured, current.currency, tariff)));
      break;
    }
    case 'declined':
      payment.decline = outcome.decline;
      payment.amountCapturable = 0;
      break;
    case 'canceled':
      payment.amountCapturable = 0;
      break;
    default:
      break;
  }
  const events = [paymentEvent(payment, now)];
  return { payment, postings, events };
}
