import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, STORE_KINDS, type TestApp } from './helpers/test-app';

describe.each(STORE_KINDS)('concurrent refunds on %s', (storeKind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store: storeKind });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('20 concurrent refunds of 100 on a 1000 capture: exactly 10 succeed, never more than captured', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', { amount: 1000, currency: 'usd', method: 'card' });
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    expect(paid.body.status).toBe('succeeded');

    const url = `/v1/payments/${created.body.id}/refunds`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => m.test.post(url, { amount: 100 })));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 422)).toHaveLength(10);
    for (const r of responses.filter((x) => x.statusCode === 422)) {
      expect(r.body.error.code).toBe('PAYRAIL_ERR_REFUND_AMOUNT');
    }

    const payment = await m.test.get(`/v1/payments/${created.body.id}`);
    expect(payment.body).toMatchObject({ status: 'refunded', amount_captured: 1000, amount_refunded: 1000 });
    const refunds = await m.test.get(url);
    expect(refunds.body.data).toHaveLength(10);
    expect(refunds.body.data.every((r: { status: string }) => r.status === 'succeeded')).toBe(true);

    const balances = await t.store.ledger.balances({ merchantId: m.id, mode: 'test' });
    const byCurrency = new Map<string, number>();
    for (const b of balances) byCurrency.set(b.currency, (byCurrency.get(b.currency) ?? 0) + b.amount);
    expect([...byCurrency.values()].every((sum) => sum === 0)).toBe(true);
    expect(byCurrency.has('USD')).toBe(true);
  });
});
