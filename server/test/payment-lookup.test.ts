import { newId } from '@payrail/core';
import { makePayment } from '@payrail/testkit';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../src/http/auth';
import { errorHandling } from '../src/http/errors';
import { registerOpenApi } from '../src/http/openapi';
import { servicesDecorator } from '../src/http/services-plugin';
import { paymentLookupRoutes } from '../src/routes/public/payment-lookup';
import { reportRoutes } from '../src/routes/v1/reports';
import {
  cardPayload,
  createTestApp,
  inject,
  PUBLIC_URL,
  STORE_KINDS,
  type TestApp,
  type TestMerchant,
} from './helpers/test-app';

const LOOKUP = '/v1/public/payment-lookup';

/** The error body without its request id: what must be identical between non-matches. */
const errorShape = (body: { error: Record<string, unknown> }) => {
  const { request_id: _id, ...rest } = body.error;
  return rest;
};

describe.each(STORE_KINDS)('public payment lookup on %s', (kind) => {
  let t: TestApp;
  let merchant: TestMerchant;
  let paymentId: string;
  let ip = 0;
  // Each test gets its own client IP, so the per-IP limit only bites in the test about it.
  const lookup = (body: unknown, clientIp = `10.0.${Math.floor(++ip / 250)}.${ip % 250}`) =>
    inject(t.app, {
      method: 'POST',
      url: LOOKUP,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
      remoteAddress: clientIp,
    });

  beforeAll(async () => {
    t = await createTestApp({
      store: kind,
      paymentLookup: { perIp: { max: 3, windowMs: 60_000 }, perTarget: { max: 12, windowMs: 3_600_000 } },
    });
    merchant = await t.createMerchant();
    const created = await merchant.test.post(
      '/v1/payments',
      {
        amount: 1999,
        currency: 'EUR',
        method: 'card',
        order_id: 'A-1001',
        customer: { email: 'Buyer@Example.com', phone: '+7 (999) 000-11-22' },
      },
      { 'idempotency-key': newId('request') },
    );
    expect(created.statusCode, created.rawBody).toBe(201);
    paymentId = created.body.id;
    const paid = await t.anonymous.post(`/pay/${paymentId}`, cardPayload());
    expect(paid.body.status).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const byOrder = () => ({ shop: merchant.id, order_id: 'A-1001', test_mode: true });

  it.each([
    ['the e-mail (any case, spaces)', { email: '  buyer@EXAMPLE.com ' }],
    ['the phone (any formatting)', { phone: '79990001122' }],
    ['the card last 4 and the amount', { card_last4: '4242', amount: '19.99' }],
    ['the card last 4 and the amount with a trailing zero', { card_last4: '4242', amount: '19.990' }],
  ])(
    'finds the payment by shop and order with %s, answering status, amount, shop and date only',
    async (_label, proof) => {
      const res = await lookup({ ...byOrder(), ...proof });
      expect(res.statusCode, res.rawBody).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        object: 'payment_lookup',
        payments: [
          {
            status: 'succeeded',
            amount: 1999,
            currency: 'EUR',
            shop: { name: expect.stringMatching(/^Shop /) },
            created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          },
        ],
      });
      // Nothing else: no id, no e-mail, no card, no metadata.
      expect(res.rawBody).not.toContain(paymentId);
      expect(res.rawBody.toLowerCase()).not.toContain('buyer@example.com');
      expect(res.rawBody).not.toContain('4242');
    },
  );

  it('finds it by payment id as well', async () => {
    const res = await lookup({ payment_id: paymentId, email: 'buyer@example.com', test_mode: true });
    expect(res.statusCode).toBe(200);
    expect(res.body.payments).toHaveLength(1);
  });

  it('answers the same 404 for a wrong proof, an unknown order, shop or id, and the wrong mode', async () => {
    const attempts = [
      { ...byOrder(), email: 'someone@example.com' },
      { ...byOrder(), phone: '79990001123' },
      { ...byOrder(), card_last4: '4243', amount: '19.99' },
      { ...byOrder(), card_last4: '4242', amount: '19.98' },
      { ...byOrder(), card_last4: '4242', amount: '19.9999' },
      { ...byOrder(), order_id: 'A-1002', email: 'buyer@example.com' },
      { ...byOrder(), shop: newId('merchant'), email: 'buyer@example.com' },
      { ...byOrder(), shop: 'not-a-merchant', email: 'buyer@example.com' },
      { payment_id: newId('payment'), email: 'buyer@example.com', test_mode: true },
      { payment_id: 'pay_x', email: 'buyer@example.com', test_mode: true },
      { shop: merchant.id, order_id: 'A-1001', email: 'buyer@example.com' },
    ];
    const shapes = [];
    for (const body of attempts) {
      const res = await lookup(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(404);
      shapes.push(errorShape(res.body));
    }
    expect(shapes[0]).toEqual({
      code: 'PAYRAIL_ERR_LOOKUP_NO_MATCH',
      message: 'No payment matches these details. Check the shop, the order number and the proof.',
    });
    for (const shape of shapes) expect(shape).toEqual(shapes[0]);
  });

  it('finds live payments by default, with the card proof', async () => {
    const live = makePayment({
      merchantId: merchant.id,
      mode: 'live',
      amount: 500,
      currency: 'JPY',
      orderId: 'L-7',
      status: 'failed',
      card: { brand: 'visa', first6: '400000', last4: '0002', expMonth: 1, expYear: 2031 },
    });
    await t.store.payments.insert({ payment: live, events: [] });
    const res = await lookup({ shop: merchant.id, order_id: 'L-7', card_last4: '0002', amount: '500' });
    expect(res.statusCode, res.rawBody).toBe(200);
    expect(res.body.payments).toEqual([
      expect.objectContaining({ status: 'failed', amount: 500, currency: 'JPY' }),
    ]);
    expect(
      (
        await lookup({
          shop: merchant.id,
          order_id: 'L-7',
          card_last4: '0002',
          amount: '500',
          test_mode: true,
        })
      ).statusCode,
    ).toBe(404);
  });

  it.each([
    [{ order_id: 'A-1001', email: 'a@b.c' }, 'shop'],
    [{ payment_id: 'pay_x', shop: 'mer_x', order_id: '1', email: 'a@b.c' }, 'payment_id'],
    [{ payment_id: 'pay_x' }, 'email'],
    [{ payment_id: 'pay_x', email: 'a@b.c', phone: '+79990001122' }, 'email'],
    [{ payment_id: 'pay_x', card_last4: '4242' }, 'amount'],
    [{ payment_id: 'pay_x', card_last4: '42', amount: '1.00' }, 'card_last4'],
    [{ payment_id: 'pay_x', card_last4: '4242', amount: '1,00' }, 'amount'],
    [{ payment_id: 'pay_x', email: 'a@b.c', pan: '4242424242424242' }, 'pan'],
  ])('refuses a malformed request %j with a validation error on %s', async (body, param) => {
    const res = await lookup(body);
    expect(res.statusCode, res.rawBody).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param });
  });

  it('limits attempts per client IP, and per order from anywhere, with Retry-After', async () => {
    // Per IP (3 a minute here): the fourth lookup from one address is refused, whatever it asks.
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await lookup(
        { shop: merchant.id, order_id: `IP-${i}`, email: 'x@example.com', test_mode: true },
        '10.9.9.9',
      );
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    // Per order (12 an hour here), counted from every address: spread-out guessing of last4 stops too.
    const body = {
      shop: merchant.id,
      order_id: 'RL-1',
      card_last4: '0000',
      amount: '19.99',
      test_mode: true,
    };
    for (let i = 0; i < 12; i++) expect((await lookup(body, `10.8.0.${i}`)).statusCode).toBe(404);
    const limited = await lookup(body, '10.8.1.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.body.error.code).toBe('PAYRAIL_ERR_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Other orders and other addresses are unaffected.
    expect((await lookup({ ...byOrder(), email: 'buyer@example.com' }, '10.8.1.2')).statusCode).toBe(200);
  });

  it('the lookup and the reports are in the OpenAPI document', async () => {
    // Built from these routes alone, so that the check does not depend on the other route groups.
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(errorHandling);
    await app.register(servicesDecorator, t.services);
    await app.register(apiKeyAuth);
    await registerOpenApi(app, PUBLIC_URL);
    await app.register(reportRoutes, { prefix: '/v1' });
    await app.register(paymentLookupRoutes, { prefix: '/v1/public' });
    await app.ready();
    const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/public/payment-lookup',
      '/v1/reports/annual',
      '/v1/reports/annual.pdf',
      '/v1/reports/period',
      '/v1/reports/realtime',
    ]);
    expect(JSON.stringify(doc.paths['/v1/reports/period'])).toContain('group_by');
    await app.close();
  });
});
