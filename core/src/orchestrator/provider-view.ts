import type { Payment } from '../payments';
import type { ProviderPaymentView } from '../plugins/types';

/** What a provider plugin may see of a payment: no version, no risk internals, no other merchant data. */
export function providerView(p: Payment): ProviderPaymentView {
  return {
    id: p.id,
    merchantId: p.merchantId,
    mode: p.mode,
    amount: p.amount,
    currency: p.currency,
    captureMethod: p.captureMethod,
    orderId: p.orderId,
    description: p.description,
    customer: p.customer,
    returnUrl: p.returnUrl,
    metadata: p.metadata,
    paymentRef: p.provider?.paymentRef ?? null,
  };
}
