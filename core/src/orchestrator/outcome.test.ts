import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARIFF } from '../ledger';
import { canTransition, PAYMENT_STATUSES, type Payment } from '../payments';
import type { PaymentOutcome } from '../plugins/types';
import { planOutcome } from './outcome';

const now = new Date('2026-01-01T00:00:00Z');

function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: 'pay_01J00000000000000000000000',
    merchantId: 'mer_01J00000000000000000000000',
    shopId: null,
    mode: 'test',
    status: 'processing',
    amount: 1000,
    currency: 'USD',
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
    provider: { id: 'cards', instanceId: 'default' },
    card: null,
    nextAction: null,
    decline: null,
    risk: null,
    client: null,
    billing: null,
    version: 3,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const outcomes: PaymentOutcome[] = [
  { status: 'requires_action', nextAction: { type: 'redirect', url: 'https://pay.example/1' } },
  { status: 'processing' },
  { status: 'authorized' },
  { status: 'succeeded' },
  { status: 'declined', decline: { code: 'card_declined', message: 'Declined' } },
  { status: 'canceled', reason: 'expired' },
];

describe('planOutcome', () => {
  it('records only the reference when an outcome repeats the status with a new provider reference', () => {
    // a notification settled the payment before its reference was known (creation timed out); the sync
    // that follows carries the reference and must not book the capture again
    const settled = payment({ status: 'succeeded', amountCaptured: 1000, amountRefunded: 400 });
    const plan = planOutcome(
      settled,
      { status: 'succeeded', amountCaptured: 1000, paymentRef: 'ref_1' },
      DEFAULT_TARIFF,
      now,
    );
    expect(plan?.postings).toEqual([]);
    expect(plan?.events).toEqual([]);
    expect(plan?.payment).toMatchObject({
      status: 'succeeded',
      amountCaptured: 1000,
      amountRefunded: 400,
      version: 4,
      provider: { id: 'cards', instanceId: 'default', paymentRef: 'ref_1' },
    });
  });

  it('captures with a balanced posting and the fee from the tariff', () => {
    const plan = planOutcome(
      payment(),
      { status: 'succeeded' },
      { percentBps: 250, fixed: { USD: 30 } },
      now,
    );
    expect(plan?.payment).toMatchObject({ status: 'succeeded', amountCaptured: 1000, version: 4 });
    const entries = plan?.postings[0]?.entries ?? [];
    expect(Object.fromEntries(entries.map((e) => [e.account, e.amount]))).toEqual({
      provider_clearing: 1000,
      merchant_balance: -945,
      psp_fees: -55,
    });
    expect(plan?.events.map((e) => e.type)).toEqual(['payment.succeeded']);
  });

  it('ignores a late notification that would move a payment backwards', () => {
    expect(
      planOutcome(
        payment({ status: 'succeeded', amountCaptured: 1000 }),
        { status: 'processing' },
        DEFAULT_TARIFF,
        now,
      ),
    ).toBeNull();
    expect(
      planOutcome(payment({ status: 'failed' }), { status: 'succeeded' }, DEFAULT_TARIFF, now),
    ).toBeNull();
  });

  it('never plans an illegal transition and always raises the version by one', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PAYMENT_STATUSES), fc.constantFrom(...outcomes), (status, outcome) => {
        const current = payment({ status });
        const plan = planOutcome(current, outcome, DEFAULT_TARIFF, now);
        if (plan === null) return;
        if (plan.payment.status !== status) expect(canTransition(status, plan.payment.status)).toBe(true);
        expect(plan.payment.version).toBe(current.version + 1);
        for (const posting of plan.postings) {
          expect(posting.entries.reduce((sum, e) => sum + e.amount, 0)).toBe(0);
        }
      }),
    );
  });

  it('applying the same outcome twice changes nothing the second time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...outcomes), (outcome) => {
        const first = planOutcome(
          payment({ status: 'requires_payment_method' }),
          outcome,
          DEFAULT_TARIFF,
          now,
        );
        if (!first) return;
        expect(planOutcome(first.payment, outcome, DEFAULT_TARIFF, now)).toBeNull();
      }),
    );
  });
});
