import type { Clock } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PaymentJobDeps } from '../src/jobs/payment-sync';
import { syncPendingRefunds } from '../src/jobs/refund-sync';
import { createTestApp, STORE_KINDS, type TestApp, type TestMerchant } from './helpers/test-app';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

const MINUTE = 60_000;

/**
 * Refunds left pending by a lost provider answer or a request that never arrived are settled by the
 * refunds.sync job: exactly once at the provider, booked once in the ledger, never dropped.
 */
describe.each(STORE_KINDS)('pending refund sync (%s)', (kind) => {
  let t: TestApp;
  let m: TestMerchant;
  beforeAll(async () => {
    t = await createTestApp({ store: kind });
    m = await t.createMerchant();
  });
  afterAll(async () => {
    await t?.close();
  });

  const ahead = (ms: number): Clock => ({ now: () => new Date(Date.now() + ms) });
  const deps = (ms: number): PaymentJobDeps => ({ ...t.services, clock: ahead(ms) });
  const paid = async (amount: number) => {
    const res = await m.test.post('/v1/payments', { amount, currency: 'eur', method: 'fake' });
    expect(res.body.status).toBe('succeeded');
    return res.body.id as string;
  };
  const refund = async (paymentId: string, amount: number, reason: string) => {
    const res = await m.test.post(`/v1/payments/${paymentId}/refunds`, { amount, reason });
    expect(res.statusCode).toBeLessThan(300);
    return res.body as { id: string; status: string };
  };
  const refundEvents = async (refundId: string) =>
    (await t.store.events.list({ merchantId: m.id, mode: 'test', limit: 100, objectId: refundId })).data;

  it('settles refunds whose answer was lost or whose request never arrived, once each', async () => {
    const paymentId = await paid(10_000);
    const lostAnswer = await refund(paymentId, 3_000, 'refund_timeout_after');
    const neverArrived = await refund(paymentId, 2_000, 'refund_timeout_before');
    expect([lostAnswer.status, neverArrived.status]).toEqual(['pending', 'pending']);
    // Both stay reserved: only 5 000 can still be refunded.
    const tooMuch = await m.test.post(`/v1/payments/${paymentId}/refunds`, { amount: 5_001 });
    expect(tooMuch.body.error.code).toBe('PAYRAIL_ERR_REFUND_AMOUNT');

    // Too recent for the first look (1 minute minimum age).
    expect(await syncPendingRefunds(deps(0))).toBe(0);
    // Two processes at once: each refund is resolved by one of them.
    const runs = await Promise.all([
      syncPendingRefunds(deps(2 * MINUTE)),
      syncPendingRefunds(deps(2 * MINUTE)),
    ]);
    expect(runs[0] + runs[1]).toBe(2);

    const payment = (await m.test.get(`/v1/payments/${paymentId}`)).body;
    expect(payment.status).toBe('partially_refunded');
    expect(payment.amount_refunded).toBe(5_000);
    const atProvider = t.fake.payment(paymentId);
    expect([...(atProvider?.refunds.values() ?? [])].map((r) => [r.amount, r.status])).toEqual([
      [3_000, 'succeeded'],
      [2_000, 'succeeded'],
    ]);
    for (const id of [lostAnswer.id, neverArrived.id]) {
      const events = await refundEvents(id);
      expect(events.filter((e) => e.type === 'refund.succeeded')).toHaveLength(1);
    }
    const entries = await t.store.ledger.listByPayment({ paymentId });
    expect(entries.filter((e) => e.refundId !== null && e.refundId !== undefined)).toHaveLength(
      entries.filter((e) => e.refundId === lostAnswer.id || e.refundId === neverArrived.id).length,
    );
    const balances = await t.store.ledger.balances({ merchantId: m.id, mode: 'test' });
    expect(balances.reduce((sum, b) => sum + b.amount, 0)).toBe(0);

    // Nothing left to do.
    expect(await syncPendingRefunds(deps(60 * MINUTE))).toBe(0);
  });

  it('asks the provider about a refund it acknowledged as pending, with backoff', async () => {
    const paymentId = await paid(4_000);
    const pending = await refund(paymentId, 4_000, 'refund_pending');
    expect(pending.status).toBe('pending');
    expect(await syncPendingRefunds(deps(2 * MINUTE))).toBe(1);
    const payment = (await m.test.get(`/v1/payments/${paymentId}`)).body;
    expect(payment.status).toBe('refunded');
    expect(payment.amount_refunded).toBe(4_000);
  });
});
