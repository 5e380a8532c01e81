import { PayrailError, type ProviderPaymentView } from '@payrail/core';

/**
 * The fake provider's one trigger table. A payment picks its scenario with `metadata.fake_scenario`
 * (checked first) or with its `description` set exactly to a scenario name; anything else is `succeed`.
 * Refund scenarios are picked by the refund's `reason`. README.md in this folder shows the same table.
 */
export const FAKE_TRIGGERS = {
  succeed: {
    appliesTo: 'payment',
    result:
      'createPayment → succeeded (captureMethod automatic) or authorized (manual). The default scenario.',
  },
  decline_card_declined: {
    appliesTo: 'payment',
    result: 'createPayment → declined, decline.code card_declined (providerCode fake_card_declined).',
  },
  decline_insufficient_funds: {
    appliesTo: 'payment',
    result:
      'createPayment → declined, decline.code insufficient_funds (providerCode fake_insufficient_funds).',
  },
  pending_then_webhook: {
    appliesTo: 'payment',
    result:
      'createPayment → processing; syncPayment keeps saying processing until `control.complete(paymentId)`, which settles it (succeeded/authorized) and returns the signed webhook to deliver.',
  },
  timeout_unknown: {
    appliesTo: 'payment',
    result:
      'createPayment records the payment as succeeded (or authorized) and then throws PAYRAIL_ERR_PROVIDER_TIMEOUT with outcomeUnknown: true; syncPayment afterwards says succeeded (authorized).',
  },
  requires_action: {
    appliesTo: 'payment',
    result:
      'createPayment → requires_action with a redirect to the fake checkout page; `control.complete(paymentId)` settles it like pending_then_webhook.',
  },
  refund_pending: {
    appliesTo: 'refund',
    result: 'refundPayment (reason "refund_pending") → pending; the next syncRefund says succeeded.',
  },
  refund_fail: {
    appliesTo: 'refund',
    result:
      'refundPayment (reason "refund_fail") → failed with failure.code fake_refund_failed; nothing is refunded.',
  },
  refund_timeout_after: {
    appliesTo: 'refund',
    result:
      'refundPayment records the refund as succeeded and then throws PAYRAIL_ERR_PROVIDER_TIMEOUT with outcomeUnknown: true (the answer was lost); sending the same refund id again answers the recorded refund.',
  },
  refund_timeout_before: {
    appliesTo: 'refund',
    result:
      'The first refundPayment for a refund id throws PAYRAIL_ERR_PROVIDER_TIMEOUT with outcomeUnknown: true without recording anything (the request never arrived); the next one with the same id refunds.',
  },
} as const satisfies Record<string, { appliesTo: 'payment' | 'refund'; result: string }>;

export type FakeTrigger = keyof typeof FAKE_TRIGGERS;
export type FakePaymentScenario = {
  [K in FakeTrigger]: (typeof FAKE_TRIGGERS)[K]['appliesTo'] extends 'payment' ? K : never;
}[FakeTrigger];
export type FakeRefundScenario = Exclude<FakeTrigger, FakePaymentScenario>;

const isTrigger = (value: string): value is FakeTrigger => Object.hasOwn(FAKE_TRIGGERS, value);

/** The scenario a payment asked for. An unknown `metadata.fake_scenario` is an error, never a silent success. */
export function fakeScenarioOf(
  payment: Pick<ProviderPaymentView, 'description' | 'metadata'>,
): FakePaymentScenario {
  const requested = payment.metadata?.fake_scenario;
  if (requested !== undefined) {
    if (isTrigger(requested) && FAKE_TRIGGERS[requested].appliesTo === 'payment') {
      return requested as FakePaymentScenario;
    }
    throw new PayrailError('PAYRAIL_ERR_PROVIDER_REJECTED', {
      message: `Unknown fake_scenario "${requested}". Payment scenarios: ${paymentScenarios().join(', ')}.`,
    });
  }
  const description = payment.description ?? '';
  if (isTrigger(description) && FAKE_TRIGGERS[description].appliesTo === 'payment') {
    return description as FakePaymentScenario;
  }
  return 'succeed';
}

export function fakeRefundScenarioOf(reason: string | null): FakeRefundScenario | 'succeed' {
  if (reason !== null && isTrigger(reason) && FAKE_TRIGGERS[reason].appliesTo === 'refund') {
    return reason as FakeRefundScenario;
  }
  return 'succeed';
}

function paymentScenarios(): string[] {
  return Object.entries(FAKE_TRIGGERS)
    .filter(([, t]) => t.appliesTo === 'payment')
    .map(([name]) => name);
}
