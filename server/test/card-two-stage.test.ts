import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, type TestApp } from './helpers/test-app';

/** Two-stage card payments under concurrency (issue 3): one authorization is captured once. */
describe('two-stage card payments', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('two simultaneous captures of one authorization capture once', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 5000,
      currency: 'EUR',
      method: 'card',
      capture_method: 'manual',
    });
    const paid = await t.anonymous.post(`/pay/${created.body.id}`, cardPayload('5555555555554444'));
    expect(paid.body.status).toBe('authorized');

    const url = `/v1/payments/${created.body.id}/capture`;
    const [a, b] = await Promise.all([
      m.test.post(url, { amount: 3000 }),
      m.test.post(url, { amount: 3000 }),
    ]);
    for (const r of [a, b]) {
      expect(r.statusCode, r.rawBody).toBe(200);
      expect(r.body).toMatchObject({ status: 'succeeded', amount_captured: 3000, amount_capturable: 0 });
    }
    const ledger = await t.store.ledger.listByPayment({ paymentId: created.body.id });
    // One capture posting's entries (not two): the merchant's balance holds 3000 minus the fee once.
    const captures = new Set(ledger.map((e) => e.postingId));
    expect(captures.size).toBe(1);
    const events = await m.test.get(`/v1/events?limit=100`);
    const succeeded = events.body.data.filter(
      (e: { type: string; data: { object: { id: string; status: string } } }) =>
        e.data?.object?.id === created.body.id && e.data.object.status === 'succeeded',
    );
    expect(succeeded).toHaveLength(1);
    // A capture after that is refused; a refund of the uncaptured rest is not possible either.
    expect((await m.test.post(url, {})).statusCode).toBe(422);
  });

  it('an authorization can be voided, and a voided one can be neither captured nor refunded', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', {
      amount: 1200,
      currency: 'EUR',
      method: 'card',
      capture_method: 'manual',
    });
    await t.anonymous.post(`/pay/${created.body.id}`, cardPayload('2200000000000004'));
    const voided = await m.test.post(`/v1/payments/${created.body.id}/cancel`, {});
    expect(voided.body).toMatchObject({ status: 'canceled', amount_capturable: 0 });
    expect((await m.test.post(`/v1/payments/${created.body.id}/capture`, {})).statusCode).toBe(422);
    expect((await m.test.post(`/v1/payments/${created.body.id}/refunds`, {})).statusCode).toBe(422);
  });
});
