import {
  BUYER_DECLINE_MESSAGE,
  formatDecimal,
  type OutboxEvent,
  type PaymentResource,
  type RefundResource,
  type Store,
} from '@payrail/core';
import { buyerOfEmail } from '../buyer/buyer-contact';
import { type BuyerPaymentNotice, buyerPaymentRecipient } from './buyer-payment-recipient';
import type { Notifier } from './notifier';

const BUYER_NOTICE: Record<
  'payment_succeeded' | 'payment_declined' | 'payment_refunded',
  BuyerPaymentNotice
> = {
  payment_succeeded: 'succeeded',
  payment_declined: 'declined',
  payment_refunded: 'refunded',
};

const amountOf = (amount: number, currency: string) => `${formatDecimal(amount, currency)} ${currency}`;

/** One message per (event, user, template): running the dispatcher again over an event queues nothing new. */
const dedupeKey = (event: OutboxEvent, userId: string, template: string) =>
  `${event.id}:${userId}:${template}`;

/**
 * Turns one outbox event into notifications: the buyer whose confirmed email login matches the
 * payment's customer email hears of success, rejection and refunds on the channel they chose; the
 * merchant's owners hear of new payments and refunds. Test-mode events notify nobody.
 * Returns how many messages were queued (a message already queued for the event counts too).
 */
export async function notifyForEvent(args: {
  store: Store;
  notifier: Notifier;
  event: OutboxEvent;
}): Promise<number> {
  const { store, notifier, event } = args;
  if (event.mode !== 'live') return 0;
  const payment = (event.type.startsWith('refund.') ? event.data.payment : event.data.object) as
    | PaymentResource
    | undefined;
  if (!payment) return 0;
  const merchant = await store.merchants.get({ id: event.merchantId });
  const merchantName = merchant?.name ?? '';
  let queued = 0;

  const buyerTemplate =
    event.type === 'payment.succeeded'
      ? 'payment_succeeded'
      : event.type === 'payment.failed'
        ? 'payment_declined'
        : event.type === 'refund.succeeded'
          ? 'payment_refunded'
          : null;
  const email = payment.customer?.email?.trim().toLowerCase();
  if (buyerTemplate && email) {
    // The buyer who sees the payment: a confirmed contact's holder, else the confirmed email login's.
    const buyer = await buyerOfEmail(store, email);
    if (buyer) {
      const refund = event.type.startsWith('refund.') ? (event.data.object as RefundResource) : null;
      // The buyer's choice per notice (accounts/buyer): a channel, or `none`.
      const recipient = buyerPaymentRecipient(buyer, BUYER_NOTICE[buyerTemplate], email);
      if (recipient) {
        await notifier.send(
          recipient,
          buyer.locale,
          buyerTemplate,
          {
            paymentId: payment.id,
            amount: amountOf(refund?.amount ?? payment.amount, payment.currency),
            merchant: merchantName,
            // Never the merchant's reason (it may name antifraud rules): the neutral buyer message.
            reason: payment.decline ? BUYER_DECLINE_MESSAGE.replace(/\.$/, '') : '',
          },
          { userId: buyer.id, dedupeKey: dedupeKey(event, buyer.id, buyerTemplate) },
        );
        queued++;
      }
    }
  }

  const merchantTemplate =
    event.type === 'payment.succeeded'
      ? 'merchant_new_payment'
      : event.type === 'refund.succeeded'
        ? 'merchant_refund'
        : null;
  if (merchantTemplate) {
    const owners = (await store.users.listByMerchant({ merchantId: event.merchantId })).filter(
      (u) => u.role === 'owner',
    );
    const refund = event.type.startsWith('refund.') ? (event.data.object as RefundResource) : null;
    for (const owner of owners) {
      await notifier.notifyUser(
        owner,
        merchantTemplate,
        {
          paymentId: payment.id,
          refundId: refund?.id ?? '',
          amount: amountOf(refund?.amount ?? payment.amount, payment.currency),
        },
        { dedupeKey: dedupeKey(event, owner.id, merchantTemplate) },
      );
      queued++;
    }
  }
  return queued;
}
