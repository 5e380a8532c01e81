import type { Payment, Refund } from './types';

/**
 * The public JSON shapes of payments and refunds (snake_case), used by the API and by outbox events,
 * so a webhook carries exactly what `GET /v1/payments/:id` returns.
 */
export function paymentResource(p: Payment) {
  return {
    id: p.id,
    object: 'payment' as const,
    livemode: p.mode === 'live',
    shop_id: p.shopId,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    amount_capturable: p.amountCapturable,
    amount_captured: p.amountCaptured,
    amount_refunded: p.amountRefunded,
    method: p.method,
    capture_method: p.captureMethod,
    order_id: p.orderId,
    description: p.description,
    customer: p.customer,
    return_url: p.returnUrl,
    metadata: p.metadata,
    card: p.card
      ? {
          brand: p.card.brand,
          first6: p.card.first6,
          last4: p.card.last4,
          exp_month: p.card.expMonth,
          exp_year: p.card.expYear,
          authentication: p.card.authentication ?? null,
        }
      : null,
    next_action: p.nextAction,
    decline: p.decline
      ? { code: p.decline.code, provider_code: p.decline.providerCode ?? null, message: p.decline.message }
      : null,
    risk: p.risk
      ? {
          decision: p.risk.decision,
          score: p.risk.score,
          reasons: p.risk.reasons,
          ...(p.risk.errors ? { errors: p.risk.errors } : {}),
          rules_version: p.risk.rulesVersion ?? null,
        }
      : null,
    client: p.client ? { ip: p.client.ip, user_agent: p.client.userAgent, country: p.client.country } : null,
    billing: p.billing,
    provider: p.provider ? { id: p.provider.id, instance_id: p.provider.instanceId } : null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

export type PaymentResource = ReturnType<typeof paymentResource>;

export function refundResource(r: Refund) {
  return {
    id: r.id,
    object: 'refund' as const,
    livemode: r.mode === 'live',
    payment_id: r.paymentId,
    status: r.status,
    amount: r.amount,
    currency: r.currency,
    reason: r.reason,
    failure: r.failure,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

export type RefundResource = ReturnType<typeof refundResource>;
