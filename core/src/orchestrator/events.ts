import { newId } from '../ids';
import { type Payment, paymentResource, type Refund, refundResource } from '../payments';
import type { OutboxEvent } from '../ports/store';

/** `payment.<status>` with the payment as the API shows it, so a webhook carries the same shape. */
export function paymentEvent(payment: Payment, now: Date, type = `payment.${payment.status}`): OutboxEvent {
  return {
    id: newId('event', now.getTime()),
    merchantId: payment.merchantId,
    mode: payment.mode,
    type,
    objectId: payment.id,
    data: { object: paymentResource(payment) },
    createdAt: now,
  };
}

/** `refund.<status>` with the refund and the payment's amounts after it. */
export function refundEvent(refund: Refund, payment: Payment, now: Date): OutboxEvent {
  return {
    id: newId('event', now.getTime()),
    merchantId: refund.merchantId,
    mode: refund.mode,
    type: `refund.${refund.status === 'pending' ? 'created' : refund.status}`,
    objectId: refund.id,
    data: { object: refundResource(refund), payment: paymentResource(payment) },
    createdAt: now,
  };
}
