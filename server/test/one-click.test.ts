import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, inject, type TestApp, type TestMerchant } from './helpers/test-app';

/** Saved cards and one-click payments (issue 3): the buyer saves a card, later pays with the CVC only. */
describe('one-click payments with saved cards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const del = (m: TestMerchant, url: string) =>
    inject(t.app, { method: 'DELETE', url, headers: { authorization: `Bearer ${m.testKey}` } });

  async function createPayment(m: TestMerchant, body: Record<string, unknown> = {}) {
    const created = await m.test.post('/v1/payments', {
      amount: 2500,
      currency: 'EUR',
      method: 'card',
      ...body,
    });
    expect(created.statusCode, created.rawBody).toBe(201);
    return created.body;
  }

  /** Pays a payment of customer `customerId` with `number`, asking to save the card; returns the pm id. */
  async function saveCard(m: TestMerchant, customerId: string, number = '4242424242424242') {
    const payment = await createPayment(m, { customer: { id: customerId, email: 'buyer@example.com' } });
    const paid = await t.anonymous.post(`/pay/${payment.id}`, cardPayload(number, { save_card: true }));
    expect(paid.statusCode, paid.rawBody).toBe(200);
    expect(paid.body.status).toBe('succeeded');
    const list = await m.test.get(`/v1/customers/${customerId}/payment_methods`);
    expect(list.statusCode).toBe(200);
    return list.body.data.find((pm: { card: { last4: string } }) => pm.card.last4 === number.slice(-4))
      .id as string;
  }

  it('saves a card with consent, lists it with display data only, and pays with the CVC alone', async () => {
    const m = await t.createMerchant();
    const pm = await saveCard(m, 'cus_42');
    const list = await m.test.get('/v1/customers/cus_42/payment_methods');
    expect(list.body).toEqual({
      object: 'list',
      has_more: false,
      data: [
        {
          id: pm,
          object: 'payment_method',
          type: 'card',
          livemode: false,
          customer_id: 'cus_42',
          card: {
            brand: 'visa',
            first6: '424242',
            last4: '4242',
            exp_month: 12,
            exp_year: expect.any(Number),
          },
          created_at: expect.any(String),
        },
      ],
    });
    expect(list.rawBody).not.toContain('4242424242424242');
    expect((await m.test.get(`/v1/payment_methods/${pm}`)).body.id).toBe(pm);

    // The returning customer: the merchant names the saved card, the buyer types only the CVC.
    const payment = await createPayment(m, {
      customer_id: 'cus_42',
      payment_method: pm,
      capture_method: 'manual',
    });
    expect(payment.customer).toEqual({ id: 'cus_42' });
    const page = await t.anonymous.get(`/pay/${payment.id}`);
    expect(page.body.saved_card).toEqual({
      brand: 'visa',
      last4: '4242',
      exp_month: 12,
      exp_year: expect.any(Number),
    });
    const paid = await t.anonymous.post(`/pay/${payment.id}`, { cvc: '321' });
    expect(paid.statusCode, paid.rawBody).toBe(200);
    expect(paid.body).toMatchObject({ status: 'authorized', card: { brand: 'visa', last4: '4242' } });
    const seen = await m.test.get(`/v1/payments/${payment.id}`);
    expect(seen.body.card).toMatchObject({ first6: '424242', last4: '4242' });

    // Saving the same card again keeps one record.
    await saveCard(m, 'cus_42');
    expect((await m.test.get('/v1/customers/cus_42/payment_methods')).body.data).toHaveLength(1);
  });

  it('a declined card is not saved; a one-click CVC is validated for the brand', async () => {
    const m = await t.createMerchant();
    const declined = await createPayment(m, { customer: { id: 'cus_d' } });
    const answer = await t.anonymous.post(
      `/pay/${declined.id}`,
      cardPayload('4000000000000002', { save_card: true }),
    );
    expect(answer.body).toMatchObject({ status: 'failed', decline: { code: 'card_declined' } });
    expect((await m.test.get('/v1/customers/cus_d/payment_methods')).body.data).toEqual([]);

    // A one-click CVC is checked like a typed one: Visa has 3 digits.
    const pm = await saveCard(m, 'cus_d');
    const again = await createPayment(m, { customer_id: 'cus_d', payment_method: pm });
    const wrong = await t.anonymous.post(`/pay/${again.id}`, { cvc: '1234' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'PAYRAIL_ERR_PAYMENT_METHOD_INVALID', param: 'cvc' });
    expect(wrong.rawBody).not.toContain('4242424242424242');
    const right = await t.anonymous.post(`/pay/${again.id}`, { cvc: '123' });
    expect(right.body.status).toBe('succeeded');
  });

  it('a saved card is invisible to other merchants, other modes and other customers', async () => {
    const owner = await t.createMerchant();
    const other = await t.createMerchant();
    const pm = await saveCard(owner, 'cus_7');

    expect((await other.test.get('/v1/customers/cus_7/payment_methods')).body.data).toEqual([]);
    expect((await owner.live.get('/v1/customers/cus_7/payment_methods')).body.data).toEqual([]);
    expect((await other.test.get(`/v1/payment_methods/${pm}`)).statusCode).toBe(404);
    expect((await del(other, `/v1/payment_methods/${pm}`)).statusCode).toBe(404);
    const stolen = await other.test.post('/v1/payments', {
      amount: 100,
      currency: 'EUR',
      method: 'card',
      customer_id: 'cus_7',
      payment_method: pm,
    });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.body.error).toMatchObject({ code: 'PAYRAIL_ERR_NOT_FOUND', param: 'payment_method' });
    const wrongCustomer = await owner.test.post('/v1/payments', {
      amount: 100,
      currency: 'EUR',
      method: 'card',
      customer_id: 'cus_8',
      payment_method: pm,
    });
    expect(wrongCustomer.statusCode).toBe(404);
    const noCustomer = await owner.test.post('/v1/payments', {
      amount: 100,
      currency: 'EUR',
      method: 'card',
      payment_method: pm,
    });
    expect(noCustomer.statusCode).toBe(400);
    expect(noCustomer.body.error.param).toBe('customer_id');
    // Still there for its owner.
    expect((await owner.test.get('/v1/customers/cus_7/payment_methods')).body.data).toHaveLength(1);
  });

  it('delete erases the card: a payment created with it then needs the full card', async () => {
    const m = await t.createMerchant();
    const pm = await saveCard(m, 'cus_del');
    const payment = await createPayment(m, { customer_id: 'cus_del', payment_method: pm });
    const deleted = await del(m, `/v1/payment_methods/${pm}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.body).toEqual({ id: pm, object: 'payment_method', deleted: true });
    expect((await del(m, `/v1/payment_methods/${pm}`)).statusCode).toBe(404);
    expect((await m.test.get('/v1/customers/cus_del/payment_methods')).body.data).toEqual([]);

    const cvcOnly = await t.anonymous.post(`/pay/${payment.id}`, { cvc: '123' });
    expect(cvcOnly.statusCode).toBe(400);
    expect(cvcOnly.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_PAYMENT_METHOD_INVALID',
      param: 'payment_method',
    });
    const full = await t.anonymous.post(`/pay/${payment.id}`, cardPayload());
    expect(full.body.status).toBe('succeeded');
  });

  it('refuses what cannot work, before charging anything', async () => {
    const m = await t.createMerchant();
    const plain = await createPayment(m);
    const cvcOnly = await t.anonymous.post(`/pay/${plain.id}`, { cvc: '123' });
    expect(cvcOnly.statusCode).toBe(400);
    expect(cvcOnly.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'number' });

    const noCustomer = await t.anonymous.post(
      `/pay/${plain.id}`,
      cardPayload(undefined, { save_card: true }),
    );
    expect(noCustomer.statusCode).toBe(400);
    expect(noCustomer.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'save_card' });
    expect((await m.test.get(`/v1/payments/${plain.id}`)).body.status).toBe('requires_payment_method');

    const clash = await m.test.post('/v1/payments', {
      amount: 100,
      currency: 'EUR',
      method: 'card',
      customer_id: 'a',
      customer: { id: 'b' },
    });
    expect(clash.statusCode).toBe(400);
    expect(clash.body.error.param).toBe('customer_id');
    const badId = await m.test.post('/v1/payments', {
      amount: 100,
      currency: 'EUR',
      method: 'card',
      customer_id: 'a',
      payment_method: '4242424242424242',
    });
    expect(badId.statusCode).toBe(400);
    expect(badId.rawBody).not.toContain('4242424242424242');
  });
});
