import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD, cardPayload, createTestApp, STORE_KINDS, type TestApp } from './helpers/test-app';

/** The merchant API walkthrough (issue contract), on PGlite and on a real PostgreSQL server. */
describe.each(STORE_KINDS)('walkthrough on %s', (storeKind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store: storeKind });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function paidPayment(
    m: Awaited<ReturnType<TestApp['createMerchant']>>,
    body: Record<string, unknown> = {},
  ) {
    const created = await m.test.post('/v1/payments', {
      amount: 1000,
      currency: 'usd',
      method: 'card',
      ...body,
    });
    expect(created.statusCode).toBe(201);
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    expect(paid.statusCode).toBe(200);
    return created.body.id as string;
  }

  it('creates a card payment, pays it on the payment page, and lists its events', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 1050,
      currency: 'usd',
      method: 'card',
      order_id: 'order-1',
      description: 'Two books',
      customer: { email: 'buyer@example.com' },
      return_url: 'https://shop.example/return',
      metadata: { cart: '42' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['request-id']).toMatch(/^req_[0-9A-Z]{26}$/);
    const payment = created.body;
    expect(payment).toMatchObject({
      object: 'payment',
      livemode: false,
      status: 'requires_payment_method',
      amount: 1050,
      currency: 'USD',
      method: 'card',
      order_id: 'order-1',
      metadata: { cart: '42' },
      next_action: { type: 'redirect', url: `http://payrail.test/pay/${payment.id}` },
    });
    expect(payment.id).toMatch(/^pay_/);

    const page = await t.anonymous.get(`/pay/${payment.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatchObject({
      id: payment.id,
      status: 'requires_payment_method',
      amount: 1050,
      currency: 'USD',
    });
    expect(page.body).not.toHaveProperty('metadata');
    expect(page.body).not.toHaveProperty('customer');

    const paid = await t.anonymous.post(`/pay/${payment.id}`, cardPayload(CARD.visa));
    expect(paid.statusCode).toBe(200);
    expect(paid.body).toMatchObject({
      id: payment.id,
      status: 'succeeded',
      amount: 1050,
      currency: 'USD',
      decline: null,
      return_url: 'https://shop.example/return',
      card: { last4: '4242' },
    });
    expect(Object.keys(paid.body.card).sort()).toEqual(['brand', 'last4']);
    expect(paid.rawBody).not.toContain('42424242');
    expect(paid.rawBody).not.toContain('cart');

    const fetched = await m.test.get(`/v1/payments/${payment.id}`);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.body).toMatchObject({
      status: 'succeeded',
      amount_captured: 1050,
      card: { last4: '4242' },
    });

    const events = await m.test.get('/v1/events?limit=100');
    expect(events.statusCode).toBe(200);
    expect(events.body.object).toBe('list');
    const types = events.body.data.map((e: { type: string }) => e.type).reverse();
    expect(types[0]).toBe('payment.created');
    expect(types.at(-1)).toBe('payment.succeeded');
    for (const e of events.body.data) {
      expect(e).toMatchObject({ object: 'event', livemode: false });
      expect(e.id).toMatch(/^evt_/);
      expect(e.data.object.id).toBe(payment.id);
    }
    const filtered = await m.test.get('/v1/events?type=payment.created');
    expect(filtered.body.data.map((e: { type: string }) => e.type)).toEqual(['payment.created']);
  });

  it('pays again: paying an already paid payment is a 422', async () => {
    const m = await t.createMerchant();
    const id = await paidPayment(m);
    const again = await t.anonymous.post(`/pay/${id}`, cardPayload());
    expect(again.statusCode).toBe(422);
    expect(again.body.error.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');
  });

  it('manual capture: authorized → partial capture → succeeded with amount_captured', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 5000,
      currency: 'EUR',
      method: 'card',
      capture_method: 'manual',
    });
    expect(created.statusCode).toBe(201);
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    expect(paid.body.status).toBe('authorized');
    const authorized = await m.test.get(`/v1/payments/${created.body.id}`);
    expect(authorized.body).toMatchObject({
      status: 'authorized',
      amount_capturable: 5000,
      amount_captured: 0,
    });

    const captured = await m.test.post(`/v1/payments/${created.body.id}/capture`, { amount: 3000 });
    expect(captured.statusCode).toBe(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_captured: 3000, amount_capturable: 0 });

    // A full refund now means what was captured, not the original amount.
    const refund = await m.test.post(`/v1/payments/${created.body.id}/refunds`);
    expect(refund.statusCode).toBe(201);
    expect(refund.body).toMatchObject({ amount: 3000, status: 'succeeded' });
  });

  it('capture with no body captures everything', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 700,
      currency: 'usd',
      method: 'card',
      capture_method: 'manual',
    });
    await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    const captured = await m.test.post(`/v1/payments/${created.body.id}/capture`);
    expect(captured.statusCode).toBe(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_captured: 700 });
  });

  it('cancels an authorized payment (void) and an unpaid one', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 2500,
      currency: 'usd',
      method: 'card',
      capture_method: 'manual',
    });
    await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    const canceled = await m.test.post(`/v1/payments/${created.body.id}/cancel`, {});
    expect(canceled.statusCode).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', amount_capturable: 0, amount_captured: 0 });

    const unpaid = await m.test.post('/v1/payments', { amount: 100, currency: 'usd', method: 'card' });
    const canceledUnpaid = await m.test.post(`/v1/payments/${unpaid.body.id}/cancel`);
    expect(canceledUnpaid.statusCode).toBe(200);
    expect(canceledUnpaid.body.status).toBe('canceled');
    const page = await t.anonymous.post(`/pay/${unpaid.body.id}`, cardPayload());
    expect(page.statusCode).toBe(422);
  });

  it('refunds: full; partial; several partials up to the captured amount; lists and fetches them', async () => {
    const m = await t.createMerchant();

    const full = await paidPayment(m);
    const fullRefund = await m.test.post(`/v1/payments/${full}/refunds`, { reason: 'requested_by_customer' });
    expect(fullRefund.statusCode).toBe(201);
    expect(fullRefund.body).toMatchObject({
      object: 'refund',
      payment_id: full,
      amount: 1000,
      currency: 'USD',
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    expect((await m.test.get(`/v1/payments/${full}`)).body).toMatchObject({
      status: 'refunded',
      amount_refunded: 1000,
    });

    const partial = await paidPayment(m);
    const first = await m.test.post(`/v1/payments/${partial}/refunds`, { amount: 300 });
    expect(first.statusCode).toBe(201);
    expect((await m.test.get(`/v1/payments/${partial}`)).body).toMatchObject({
      status: 'partially_refunded',
      amount_refunded: 300,
    });
    const second = await m.test.post(`/v1/payments/${partial}/refunds`, { amount: 200 });
    const third = await m.test.post(`/v1/payments/${partial}/refunds`, { amount: 500 });
    expect([second.statusCode, third.statusCode]).toEqual([201, 201]);
    expect((await m.test.get(`/v1/payments/${partial}`)).body).toMatchObject({
      status: 'refunded',
      amount_refunded: 1000,
    });
    const tooMuch = await m.test.post(`/v1/payments/${partial}/refunds`, { amount: 1 });
    expect(tooMuch.statusCode).toBe(422);

    const list = await m.test.get(`/v1/payments/${partial}/refunds`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toMatchObject({ object: 'list', has_more: false });
    expect(
      list.body.data.map((r: { amount: number }) => r.amount).sort((a: number, b: number) => a - b),
    ).toEqual([200, 300, 500]);

    const one = await m.test.get(`/v1/refunds/${first.body.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toMatchObject({
      id: first.body.id,
      payment_id: partial,
      amount: 300,
      status: 'succeeded',
    });

    const events = await m.test.get('/v1/events?limit=100');
    const types = new Set(events.body.data.map((e: { type: string }) => e.type));
    for (const type of ['payment.created', 'payment.succeeded', 'payment.refunded', 'refund.succeeded']) {
      expect(types).toContain(type);
    }
    const balances = await t.store.ledger.balances({ merchantId: m.id, mode: 'test' });
    expect(balances.reduce((sum, b) => sum + b.amount, 0)).toBe(0);
  });

  it('declines: 4000000000000002 card_declined and 4000000000009995 insufficient_funds', async () => {
    const m = await t.createMerchant();
    for (const [number, code] of [
      [CARD.declined, 'card_declined'],
      [CARD.insufficientFunds, 'insufficient_funds'],
    ] as const) {
      const created = await m.test.post('/v1/payments', { amount: 1000, currency: 'usd', method: 'card' });
      const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload(number));
      expect(paid.statusCode).toBe(200);
      expect(paid.body.status).toBe('failed');
      expect(paid.body.decline.code).toBe(code);
      const fetched = await m.test.get(`/v1/payments/${created.body.id}`);
      expect(fetched.body).toMatchObject({ status: 'failed', decline: { code } });
      // A failed payment cannot be captured or refunded.
      const capture = await m.test.post(`/v1/payments/${created.body.id}/capture`);
      expect(capture.statusCode).toBe(422);
      expect(capture.body.error.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');
    }
  });

  it('lists payments newest first with cursor pagination and filters', async () => {
    const m = await t.createMerchant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await m.test.post('/v1/payments', {
        amount: 100 + i,
        currency: 'usd',
        method: 'card',
        order_id: `o-${i % 2}`,
      });
      ids.push(r.body.id);
    }
    const page1 = await m.test.get('/v1/payments?limit=2');
    expect(page1.statusCode).toBe(200);
    expect(page1.body.data.map((p: { id: string }) => p.id)).toEqual([ids[4], ids[3]]);
    expect(page1.body.has_more).toBe(true);
    expect(page1.body.next_cursor).toBe(ids[3]);
    const page2 = await m.test.get(`/v1/payments?limit=2&starting_after=${page1.body.next_cursor}`);
    expect(page2.body.data.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const page3 = await m.test.get(`/v1/payments?limit=2&starting_after=${page2.body.next_cursor}`);
    expect(page3.body.data.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(page3.body.has_more).toBe(false);
    expect(page3.body).not.toHaveProperty('next_cursor');

    const byOrder = await m.test.get('/v1/payments?order_id=o-1');
    expect(byOrder.body.data.map((p: { id: string }) => p.id)).toEqual([ids[3], ids[1]]);
    const byStatus = await m.test.get('/v1/payments?status=succeeded');
    expect(byStatus.body.data).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const byDate = await m.test.get(
      `/v1/payments?created_lt=${encodeURIComponent(future)}&created_gte=2020-01-01T00:00:00Z`,
    );
    expect(byDate.body.data).toHaveLength(5);
    const none = await m.test.get(`/v1/payments?created_gte=${encodeURIComponent(future)}`);
    expect(none.body.data).toHaveLength(0);
  });
});
