import { BUYER_DECLINE_MESSAGE, type OutboxEvent, type Payment, type Refund } from '@payrail/core';

/**
 * A payment as its buyer sees it: what was paid, where, and what happened to it. Nothing only the
 * merchant should see — no metadata, order id, description, risk assessment, provider, card fingerprint
 * or first six digits, and the neutral decline message rather than the merchant's reason.
 */
export function buyerPaymentResource(payment: Payment, names: { merchant: string; shop: string | null }) {
  return {
    id: payment.id,
    object: 'buyer_payment' as const,
    merchant_name: names.merchant,
    /** The merchant's shop the payment was made at, when it names one. */
    shop_name: names.shop,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    amount_refunded: payment.amountRefunded,
    method: payment.method,
    card: payment.card ? { brand: payment.card.brand, last4: payment.card.last4 } : null,
    decline_message: payment.decline ? BUYER_DECLINE_MESSAGE : null,
    created_at: payment.createdAt.toISOString(),
  };
}

export function buyerRefundResource(refund: Refund) {
  return {
    id: refund.id,
    object: 'buyer_refund' as const,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    created_at: refund.createdAt.toISOString(),
  };
}

/**
 * The payment's status history from its outbox events (`payment.created`, `payment.<status>`), oldest
 * first; an event that repeats the previous status (e.g. a partial refund) adds no entry.
 */
export function statusHistory(events: readonly OutboxEvent[]) {
  const history: { status: string; at: string }[] = [];
  const ordered = [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const event of ordered) {
    if (!event.type.startsWith('payment.')) continue;
    const status = (event.data.object as { status?: unknown } | undefined)?.status;
    if (typeof status !== 'string' || history.at(-1)?.status === status) continue;
    history.push({ status, at: event.createdAt.toISOString() });
  }
  return history;
}
