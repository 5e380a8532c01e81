import { newId } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, inject, type TestApp, type TestMerchant } from '../helpers/test-app';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 240_000 });

describe.each(['pglite', 'postgres', 'mongodb'] as const)('payment lookup by shop id (%s)', (kind) => {
  let t: TestApp;
  let m: TestMerchant;
  let north: string;
  let south: string;
  let ip = 0;
  const lookup = (body: unknown) =>
    inject(t.app, {
      method: 'POST',
      url: '/v1/public/payment-lookup',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
      remoteAddress: `10.9.0.${++ip}`,
    });

  beforeAll(async () => {
    t = await createTestApp({ store: kind });
    m = await t.createMerchant();
    const shop = async (name: string) =>
      (await m.test.post('/v1/shops', { name, url: 'https://s.example', methods: ['fake'] })).body
        .id as string;
    north = await shop('North Books');
    south = await shop('South Books');
    // The same order number and buyer in both shops: the shop id must tell them apart.
    for (const [shopId, amount] of [
      [north, 1_000],
      [south, 2_000],
    ] as const) {
      const res = await m.test.post('/v1/payments', {
        amount,
        currency: 'EUR',
        method: 'fake',
        shop_id: shopId,
        order_id: 'A-1',
        customer: { email: 'buyer@example.com' },
      });
      expect(res.statusCode, res.rawBody).toBe(201);
    }
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it("finds a shop's payment by shop id and order number, with the shop's name", async () => {
    const res = await lookup({ shop: north, order_id: 'A-1', email: 'buyer@example.com', test_mode: true });
    expect(res.statusCode, res.rawBody).toBe(200);
    expect(res.body.payments).toEqual([
      expect.objectContaining({ amount: 1_000, currency: 'EUR', shop: { name: 'North Books' } }),
    ]);
    // By merchant id, as before: both shops' payments, each under its shop's name.
    const byMerchant = await lookup({
      shop: m.id,
      order_id: 'A-1',
      email: 'buyer@example.com',
      test_mode: true,
    });
    expect(byMerchant.body.payments.map((p: { shop: { name: string } }) => p.shop.name).sort()).toEqual([
      'North Books',
      'South Books',
    ]);
  });

  it('an unknown shop, or the wrong mode, is the same 404 as any non-match', async () => {
    for (const body of [
      { shop: newId('shop'), order_id: 'A-1', email: 'buyer@example.com', test_mode: true },
      { shop: south, order_id: 'A-1', email: 'other@example.com', test_mode: true },
      { shop: south, order_id: 'A-1', email: 'buyer@example.com' },
    ]) {
      const res = await lookup(body);
      expect(res.statusCode).toBe(404);
      expect(res.body.error.code).toBe('PAYRAIL_ERR_LOOKUP_NO_MATCH');
    }
  });
});
