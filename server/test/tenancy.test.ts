import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, snapshot, type TestApp, type TestMerchant } from './helpers/test-app';

/** Every query is scoped to the caller's merchant and mode: someone else's object is a 404. */
describe('tenant and mode scoping', () => {
  let t: TestApp;
  let owner: TestMerchant;
  let other: TestMerchant;
  let paymentId: string;
  let authorizedId: string;
  let refundId: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.createMerchant();
    other = await t.createMerchant();
    const paid = await owner.test.post('/v1/payments', { amount: 1000, currency: 'usd', method: 'card' });
    paymentId = paid.body.id;
    await t.anonymous.post(`/pay/${paymentId}`, cardPayload());
    const refund = await owner.test.post(`/v1/payments/${paymentId}/refunds`, { amount: 100 });
    refundId = refund.body.id;
    const manual = await owner.test.post('/v1/payments', {
      amount: 1000,
      currency: 'usd',
      method: 'card',
      capture_method: 'manual',
    });
    authorizedId = manual.body.id;
    await t.anonymous.post(`/pay/${authorizedId}`, cardPayload());
  });
  afterAll(async () => {
    await t?.close();
  });

  const foreignCalls = (id: string, authorized: string, refund: string) =>
    [
      ['GET', `/v1/payments/${id}`],
      ['GET', `/v1/payments/${id}/refunds`],
      ['POST', `/v1/payments/${id}/refunds`],
      ['POST', `/v1/payments/${authorized}/capture`],
      ['POST', `/v1/payments/${authorized}/cancel`],
      ['GET', `/v1/refunds/${refund}`],
    ] as const;

  it("another merchant's payment and refund are 404 on every endpoint, and nothing changes", async () => {
    const before = await snapshot(t.store, owner.id);
    for (const [method, url] of foreignCalls(paymentId, authorizedId, refundId)) {
      const r = method === 'GET' ? await other.test.get(url) : await other.test.post(url, {});
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
    }
    const list = await other.test.get('/v1/payments');
    expect(list.body.data).toEqual([]);
    const events = await other.test.get('/v1/events');
    expect(events.body.data).toEqual([]);
    expect(await snapshot(t.store, owner.id)).toEqual(before);
  });

  it('a live key cannot see or touch test-mode objects (same merchant)', async () => {
    for (const [method, url] of foreignCalls(paymentId, authorizedId, refundId)) {
      const r = method === 'GET' ? await owner.live.get(url) : await owner.live.post(url, {});
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await owner.live.get('/v1/payments')).body.data).toEqual([]);
    expect((await owner.live.get('/v1/events')).body.data).toEqual([]);
    // …and the test key does see them.
    expect((await owner.test.get(`/v1/payments/${paymentId}`)).statusCode).toBe(200);
    expect((await owner.test.get(`/v1/refunds/${refundId}`)).statusCode).toBe(200);
  });

  it('live payments are live: livemode true, invisible to the test key', async () => {
    const live = await owner.live.post('/v1/payments', { amount: 500, currency: 'usd', method: 'card' });
    expect(live.statusCode).toBe(201);
    expect(live.body.livemode).toBe(true);
    expect((await owner.test.get(`/v1/payments/${live.body.id}`)).statusCode).toBe(404);
    expect((await owner.live.get(`/v1/payments/${live.body.id}`)).statusCode).toBe(200);
  });

  it('malformed and unknown ids are 404 too', async () => {
    for (const url of [
      '/v1/payments/nope',
      '/v1/payments/pay_00000000000000000000000000',
      '/v1/refunds/re_x',
    ]) {
      const r = await owner.test.get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
    }
    expect((await t.anonymous.get('/pay/pay_00000000000000000000000000')).statusCode).toBe(404);
    expect((await t.anonymous.post('/pay/garbage', cardPayload())).statusCode).toBe(404);
  });
});
