import { type AntifraudInput, defineAntifraud, defineProvider } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CARD, cardPayload, createTestApp, type TestApp } from './helpers/test-app';

/** Antifraud acts before authorization and sees the card's display data and fingerprint, never the PAN. */
describe('antifraud before authorization', () => {
  const seen: AntifraudInput[] = [];
  const denyMastercard = defineAntifraud({
    manifest: { id: 'deny-mastercard', name: 'Deny Mastercard', version: '1.0.0', coreRange: '^0.1.0' },
    optionsSchema: z.object({}),
    capabilities: ['pre_authorization'],
    init: () => ({
      assess: async (input) => {
        seen.push(input);
        return input.card?.brand === 'mastercard'
          ? { verdict: 'deny', score: 90, reasons: ['rule:no_mastercard: Mastercard is not accepted'] }
          : { verdict: 'allow', score: 0, reasons: [] };
      },
    }),
  });
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ plugins: [denyMastercard({})] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the engine sees brand, first 6, last 4 and fingerprint; a deny never reaches the acquirer', async () => {
    const m = await t.createMerchant();
    const pay = async (number: string) => {
      const created = await m.test.post('/v1/payments', { amount: 1500, currency: 'eur', method: 'card' });
      const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload(number));
      return { id: created.body.id as string, paid };
    };

    seen.length = 0;
    const visa = await pay(CARD.visa);
    expect(visa.paid.body.status).toBe('succeeded');
    expect(seen[0]?.card).toMatchObject({ brand: 'visa', first6: '424242', last4: '4242' });
    expect(seen[0]?.card?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(seen)).not.toContain(CARD.visa);

    const mc = await pay('5555555555554444');
    expect(mc.paid.body.status).toBe('failed');
    // The buyer gets a neutral decline; the merchant sees why.
    expect(mc.paid.body.decline.code).toBe('card_declined');
    const merchantView = await m.test.get(`/v1/payments/${mc.id}`);
    expect(merchantView.body.decline.code).toBe('fraud_suspected');
    expect(merchantView.body.risk).toMatchObject({ decision: 'deny', score: 90 });
    expect(JSON.stringify(merchantView.body.risk)).toContain('rule:no_mastercard');
    expect(merchantView.body.card).toBeNull();
  });

  it('an invalid card is refused before any engine runs', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', { amount: 1500, currency: 'eur', method: 'card' });
    seen.length = 0;
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload('4242424242424241'));
    expect(paid.statusCode).toBe(400);
    expect(paid.body.error.code).toBe('PAYRAIL_ERR_PAYMENT_METHOD_INVALID');
    expect(seen).toHaveLength(0);
  });
});

describe('antifraud review', () => {
  const reviewEverything = defineAntifraud({
    manifest: { id: 'review-all', name: 'Review all', version: '1.0.0', coreRange: '^0.1.0' },
    optionsSchema: z.object({}),
    capabilities: ['pre_authorization'],
    init: () => ({
      assess: async () => ({
        verdict: 'review',
        score: 60,
        reasons: ['rule:manual_review: everything is reviewed'],
      }),
    }),
  });
  // A wallet-like provider that cannot hold funds: no `capture` capability, the money moves at once.
  const wallet = defineProvider({
    manifest: { id: 'wallet', name: 'Wallet', version: '1.0.0', coreRange: '^0.1.0' },
    optionsSchema: z.object({}),
    capabilities: [],
    paymentMethods: ['wallet'],
    currencies: 'any',
    confirmation: 'immediate',
    init: () => ({
      createPayment: async ({ payment }) => ({ status: 'succeeded', amountCaptured: payment.amount }),
      syncPayment: async ({ payment }) => ({ status: 'succeeded', amountCaptured: payment.amount }),
    }),
  });
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ plugins: [reviewEverything({}), wallet({})] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds a card payment as an authorization for the merchant to capture, even with automatic capture', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', { amount: 1500, currency: 'eur', method: 'card' });
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload(CARD.visa));
    expect(paid.body.status).toBe('authorized');
    const view = await m.test.get(`/v1/payments/${created.body.id}`);
    expect(view.body).toMatchObject({ capture_method: 'manual', risk: { decision: 'review' } });
    const captured = await m.test.post(`/v1/payments/${created.body.id}/capture`, {});
    expect(captured.body.status).toBe('succeeded');
  });

  it('lets a provider that cannot hold funds take the payment, with the review kept on it', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', { amount: 900, currency: 'rub', method: 'wallet' });
    expect(created.body).toMatchObject({ status: 'succeeded', capture_method: 'automatic' });
    expect(created.body.risk).toMatchObject({ decision: 'review', score: 60 });
  });
});
