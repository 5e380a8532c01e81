import { randomBytes } from 'node:crypto';
import {
  type ApiKey,
  capturePosting,
  computeFee,
  DEFAULT_TARIFF,
  type LedgerPosting,
  type Merchant,
  type Mode,
  newId,
  type OutboxEvent,
  type Payment,
  type Refund,
  refundPosting,
} from '@payrail/core';

/**
 * Builders of valid domain objects for the store contract. Every builder takes overrides; ids are fresh
 * core ids, so cases never collide even on a store shared between cases.
 */

export function makeMerchant(overrides: Partial<Merchant> = {}): Merchant {
  const id = overrides.id ?? newId('merchant');
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id,
    name: `Shop ${id.slice(-6)}`,
    email: `owner+${id.slice(-6).toLowerCase()}@shop.example`,
    tariff: { percentBps: 250, fixed: { RUB: 1_500, USD: 30 } },
    providerRoutes: { qiwi_wallet: 'qiwi:shop-2' },
    createdAt,
    // Stores always read onboarding back (absent on write means live since creation, see onboardingOf).
    onboarding: {
      liveEnabledAt: createdAt,
      trialStartedAt: null,
      trialEndsAt: null,
      trialExpiredAt: null,
      connectionFee: null,
    },
    ...overrides,
  };
}

export function makeApiKey(merchantId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  const mode = overrides.mode ?? 'test';
  return {
    id: newId('apiKey'),
    merchantId,
    mode,
    secretHash: randomBytes(32).toString('hex'),
    displayPrefix: `sk_${mode}_${randomBytes(2).toString('hex')}`,
    createdAt: new Date(),
    revokedAt: null,
    ...overrides,
  };
}

/** A payment awaiting its method (version 1), as `payments.insert` takes it. */
export function makePayment(overrides: Partial<Payment> & { merchantId: string }): Payment {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: newId('payment', createdAt.getTime()),
    shopId: null,
    mode: 'test',
    status: 'requires_payment_method',
    amount: 10_000,
    currency: 'RUB',
    amountCapturable: 0,
    amountCaptured: 0,
    amountRefunded: 0,
    amountRefundPending: 0,
    method: 'card',
    captureMethod: 'automatic',
    orderId: null,
    description: null,
    customer: null,
    returnUrl: null,
    metadata: {},
    provider: null,
    card: null,
    nextAction: null,
    decline: null,
    risk: null,
    client: null,
    billing: null,
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** A payment with every optional part filled, to prove that each one round-trips. */
export function makeFullPayment(overrides: Partial<Payment> & { merchantId: string }): Payment {
  return makePayment({
    status: 'requires_action',
    amount: 123_456_789_012,
    currency: 'KWD',
    captureMethod: 'manual',
    orderId: `order-${randomBytes(3).toString('hex')}`,
    description: 'Two tickets, row 7 — «партер»',
    customer: { email: 'buyer@example.com', phone: '+79990001122' },
    returnUrl: 'https://shop.example/return?order=42&lang=ru',
    metadata: { cart: '42', 'utm source': 'mail' },
    provider: { id: 'cards', instanceId: 'main', paymentRef: `ref-${randomBytes(6).toString('hex')}` },
    card: {
      brand: 'visa',
      first6: '424242',
      last4: '4242',
      expMonth: 12,
      expYear: 2031,
      fingerprint: 'fp_1',
    },
    nextAction: { type: 'form_post', url: 'https://acs.example/3ds', fields: { PaReq: 'abc', MD: 'x y' } },
    decline: { code: 'insufficient_funds', providerCode: '51', message: 'Not enough money.' },
    risk: {
      decision: 'review',
      score: 61.5,
      reasons: ['velocity', 'new_card'],
      errors: ['geoip: timeout'],
      rulesVersion: 'antifraud:default@0123456789abcdef',
    },
    client: { ip: '2001:db8::7', userAgent: 'Mozilla/5.0 (X11; Linux)', country: 'DE' },
    billing: { country: 'RU' },
    ...overrides,
  });
}

/** The payment's next stored state: `changes` applied and the version raised by one. */
export function nextVersion(payment: Payment, changes: Partial<Payment> = {}): Payment {
  return { ...payment, ...changes, version: payment.version + 1, updatedAt: new Date() };
}

/** The payment as captured in full, with the balanced capture posting core would write. */
export function capturedPayment(
  payment: Payment,
  tariff = DEFAULT_TARIFF,
): { payment: Payment; posting: LedgerPosting } {
  const next = nextVersion(payment, {
    status: 'succeeded',
    amountCapturable: 0,
    amountCaptured: payment.amount,
  });
  const posting = capturePosting(
    {
      merchantId: payment.merchantId,
      mode: payment.mode,
      paymentId: payment.id,
      currency: payment.currency,
      now: new Date(),
    },
    payment.amount,
    computeFee(payment.amount, payment.currency, tariff),
  );
  return { payment: next, posting };
}

export function makeRefund(payment: Payment, overrides: Partial<Refund> = {}): Refund {
  const now = new Date();
  return {
    id: newId('refund'),
    paymentId: payment.id,
    merchantId: payment.merchantId,
    mode: payment.mode,
    amount: 1_000,
    currency: payment.currency,
    status: 'pending',
    reason: 'requested_by_customer',
    providerRef: null,
    failure: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeRefundPosting(refund: Refund): LedgerPosting {
  return refundPosting(
    {
      merchantId: refund.merchantId,
      mode: refund.mode,
      paymentId: refund.paymentId,
      refundId: refund.id,
      currency: refund.currency,
      now: new Date(),
    },
    refund.amount,
  );
}

export function makeEvent(
  about: { merchantId: string; mode: Mode; id: string },
  overrides: Partial<OutboxEvent> = {},
): OutboxEvent {
  return {
    id: newId('event'),
    merchantId: about.merchantId,
    mode: about.mode,
    type: 'payment.updated',
    objectId: about.id,
    data: { object: { id: about.id, nested: { list: [1, 'two', null], flag: true } } },
    createdAt: new Date(),
    ...overrides,
  };
}
