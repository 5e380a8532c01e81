import type { Merchant, OutboxEvent, Payment, Store } from '@payrail/core';
import { makeApiKey, makeMerchant, makePayment } from '../fixtures';

/** Stores a merchant (payments reference one) with a test key. */
export async function seedMerchant(store: Store, overrides: Partial<Merchant> = {}): Promise<Merchant> {
  const merchant = makeMerchant(overrides);
  await store.merchants.create({ merchant, apiKeys: [makeApiKey(merchant.id)] });
  return merchant;
}

/** Stores a payment (version 1) and returns it. */
export async function seedPayment(
  store: Store,
  overrides: Partial<Payment> & { merchantId: string },
  events: OutboxEvent[] = [],
): Promise<Payment> {
  const payment = makePayment(overrides);
  await store.payments.insert({ payment, events });
  return payment;
}

/** Everything a commit could have written about one payment, to prove that a refused one wrote nothing. */
export async function snapshot(store: Store, payment: Payment) {
  const [stored, refunds, ledger, events] = await Promise.all([
    store.payments.getById({ id: payment.id }),
    store.refunds.listByPayment({ paymentId: payment.id }),
    store.ledger.listByPayment({ paymentId: payment.id }),
    store.events.list({ merchantId: payment.merchantId, mode: payment.mode, limit: 100 }),
  ]);
  return { stored, refunds, ledger, events: events.data };
}
