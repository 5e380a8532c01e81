import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD, cardPayload, createTestApp, type TestApp } from './helpers/test-app';

/**
 * The walkthrough's core flow on the MongoDB store: a real MongoDB when PAYRAIL_TEST_MONGODB_URL is set,
 * else the in-process CongoDB server (see stores/mongodb/README.md for what it cannot check).
 */
describe('the server on the MongoDB store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store: 'mongodb' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a payment, pays it with 4242 4242 4242 4242, refunds it, and lists its events', async () => {
    expect(t.store.kind).toBe('mongodb');
    const m = await t.createMerchant();
    const created = await m.test.post(
      '/v1/payments',
      { amount: 1050, currency: 'usd', method: 'card', order_id: 'order-1', metadata: { 'cart.id': '42' } },
      { 'idempotency-key': 'create-1' },
    );
    expect(created.statusCode).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ status: 'requires_payment_method', amount: 1050, currency: 'USD' });

    // The same request with the same key is replayed, not executed twice.
    const replay = await m.test.post(
      '/v1/payments',
      { amount: 1050, currency: 'usd', method: 'card', order_id: 'order-1', metadata: { 'cart.id': '42' } },
      { 'idempotency-key': 'create-1' },
    );
    expect(replay.statusCode).toBe(201);
    expect(replay.body.id).toBe(id);

    const paid = await t.anonymous.post(`/pay/${id}`, cardPayload(CARD.visa));
    expect(paid.statusCode).toBe(200);
    expect(paid.body).toMatchObject({ id, status: 'succeeded', card: { last4: '4242' } });

    const fetched = await m.test.get(`/v1/payments/${id}`);
    expect(fetched.body).toMatchObject({
      status: 'succeeded',
      amount_captured: 1050,
      metadata: { 'cart.id': '42' },
    });

    const refund = await m.test.post(`/v1/payments/${id}/refunds`, { amount: 50 });
    expect(refund.statusCode).toBe(201);
    expect(refund.body).toMatchObject({ object: 'refund', payment_id: id, amount: 50, status: 'succeeded' });
    expect((await m.test.get(`/v1/payments/${id}`)).body).toMatchObject({
      status: 'partially_refunded',
      amount_refunded: 50,
    });
    const refundFetched = await m.test.get(`/v1/refunds/${refund.body.id}`);
    expect(refundFetched.statusCode).toBe(200);
    expect(refundFetched.body).toMatchObject({ id: refund.body.id, amount: 50 });

    const events = await m.test.get('/v1/events?limit=100');
    const types = events.body.data.map((e: { type: string }) => e.type).reverse();
    expect(types[0]).toBe('payment.created');
    expect(types).toEqual(expect.arrayContaining(['payment.succeeded', 'payment.partially_refunded']));

    // Another merchant sees none of it.
    const stranger = await t.createMerchant();
    expect((await stranger.test.get(`/v1/payments/${id}`)).statusCode).toBe(404);
  });
});
