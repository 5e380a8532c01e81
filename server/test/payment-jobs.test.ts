import type { Clock } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expireUnpaidPayments, voidStaleAuthorizations } from '../src/jobs/payment-expiry';
import { type PaymentJobDeps, syncPendingPayments } from '../src/jobs/payment-sync';
import { reconcilePayments } from '../src/jobs/reconciliation';
import { createTestApp, STORE_KINDS, type TestApp, type TestMerchant } from './helpers/test-app';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The payment jobs, run directly (as agenda runs them) against the real orchestrator and the testkit's
 * fake provider. Job clocks run ahead of the wall clock to make payments "old"; everything else is real.
 */
describe.each(STORE_KINDS)('payment jobs (%s)', (kind) => {
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
  const create = async (body: Record<string, unknown>) => {
    const res = await m.test.post('/v1/payments', { amount: 4200, currency: 'eur', method: 'fake', ...body });
    expect(res.statusCode).toBe(201);
    return res.body as { id: string; status: string };
  };
  const status = async (id: string) => (await m.test.get(`/v1/payments/${id}`)).body.status as string;
  const eventsOf = async (id: string, type: string) =>
    (await t.store.events.list({ merchantId: m.id, mode: 'test', limit: 100, objectId: id, type })).data;

  it('sync: asks the provider about pending payments with backoff and stops at a terminal state', async () => {
    const settled = await create({ metadata: { fake_scenario: 'pending_then_webhook' } });
    const pending = await create({ metadata: { fake_scenario: 'pending_then_webhook' } });
    expect([settled.status, pending.status]).toEqual(['processing', 'processing']);
    t.fake.complete(settled.id); // the provider settles it; its notification never arrives

    const options = { expireAfterMs: DAY, baseDelayMs: 2 * MINUTE };
    // Too recent for the first sync (30 s minimum age).
    expect(await syncPendingPayments(deps(0), options)).toBe(0);
    expect(await syncPendingPayments(deps(MINUTE), options)).toBe(2);
    expect(await status(settled.id)).toBe('succeeded');
    expect(await status(pending.id)).toBe('processing');
    // Before the backoff elapsed nothing is asked again; two processes at once ask once.
    expect(await syncPendingPayments(deps(2 * MINUTE), options)).toBe(0);
    const both = await Promise.all([
      syncPendingPayments(deps(4 * MINUTE), options),
      syncPendingPayments(deps(4 * MINUTE), options),
    ]);
    expect(both[0] + both[1]).toBe(1);
    expect(await eventsOf(settled.id, 'payment.succeeded')).toHaveLength(1);
    // Past the payment's expiry, sync leaves it to the expiry job.
    expect(await syncPendingPayments(deps(2 * DAY), options)).toBe(0);
  });

  it('expiry: cancels unpaid payments once, even when two processes run the job at once', async () => {
    const unpaid = await m.test.post('/v1/payments', { amount: 1000, currency: 'usd', method: 'card' });
    expect(unpaid.body.status).toBe('requires_payment_method');
    const id = unpaid.body.id as string;
    expect(await expireUnpaidPayments(deps(HOUR), { expireAfterMs: DAY })).toBe(0);
    expect(await status(id)).toBe('requires_payment_method');
    await Promise.all([
      expireUnpaidPayments(deps(DAY + HOUR), { expireAfterMs: DAY }),
      expireUnpaidPayments(deps(DAY + HOUR), { expireAfterMs: DAY }),
    ]);
    expect(await status(id)).toBe('canceled');
    expect(await eventsOf(id, 'payment.canceled')).toHaveLength(1);
    await expireUnpaidPayments(deps(DAY + 2 * HOUR), { expireAfterMs: DAY });
    expect(await eventsOf(id, 'payment.canceled')).toHaveLength(1);
  });

  it('auto-void: voids authorizations older than PAYRAIL_AUTO_VOID_AFTER through cancel, once', async () => {
    const auth = await create({ capture_method: 'manual' });
    expect(auth.status).toBe('authorized');
    const options = { autoVoidAfterMs: 7 * DAY };
    await voidStaleAuthorizations(deps(6 * DAY), options);
    expect(await status(auth.id)).toBe('authorized');
    const runs = await Promise.all([
      voidStaleAuthorizations(deps(7 * DAY + HOUR), options),
      voidStaleAuthorizations(deps(7 * DAY + HOUR), options),
    ]);
    expect(runs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(await status(auth.id)).toBe('canceled');
    expect(await eventsOf(auth.id, 'payment.canceled')).toHaveLength(1);
    // A captured payment is never touched.
    const captured = await create({});
    expect(captured.status).toBe('succeeded');
    await voidStaleAuthorizations(deps(30 * DAY), options);
    expect(await status(captured.id)).toBe('succeeded');
  });

  it('reconciliation: heals payments the provider settled, records the change, runs once per day', async () => {
    const lost = await m.test.post('/v1/payments', {
      amount: 3100,
      currency: 'eur',
      method: 'fake',
      metadata: { fake_scenario: 'timeout_unknown' },
    });
    const id = (lost.body.id ?? lost.body.error?.details?.payment_id) as string | undefined;
    const payment = id
      ? await t.store.payments.getById({ id })
      : (await t.store.payments.list({ merchantId: m.id, mode: 'test', limit: 1 })).data[0];
    expect(payment?.status).toBe('processing');
    const paymentId = payment?.id as string;

    const runKey = `reconcile:test-${kind}-${Date.now()}`;
    const [first, second] = await Promise.all([
      reconcilePayments(deps(2 * DAY), { olderThanMs: DAY, runKey }),
      reconcilePayments(deps(2 * DAY), { olderThanMs: DAY, runKey }),
    ]);
    const run = first ?? second;
    expect([first, second].filter((r) => r !== null)).toHaveLength(1);
    expect(run?.changes).toContainEqual({ paymentId, from: 'processing', to: 'succeeded' });
    expect(await status(paymentId)).toBe('succeeded');
    expect(await reconcilePayments(deps(2 * DAY), { olderThanMs: DAY, runKey })).toBeNull();
    const recorded = await t.store.jobs.listReconciliations({ limit: 10 });
    expect(recorded.find((r) => r.id === run?.id)?.changes).toContainEqual({
      paymentId,
      from: 'processing',
      to: 'succeeded',
    });
  });
});
