// Regression (money applied twice): a request with an Idempotency-Key that answered 5xx or 409 after the
// provider had acted. The key used to be abandoned by DELETING its record, so a retry with the same key
// reserved a new id: `POST /v1/payments/:id/refunds` made a second refund at the provider, and
// `POST /v1/payments` a second payment. Now `abandon` only releases the lock: the retry takes the key over
// with the same reserved id and answers what the first attempt created; another request with the key is
// a 422, as for a claim whose process died.
//
// PostgreSQL, with the testkit fake provider under another id (`counted`, confirmed at creation) counting
// its calls, and faults injected into the store's payment commits (one transient error, or every
// optimistic-concurrency race lost) and into the provider (one definite "unavailable").
import { PayrailError, type ProviderPlugin } from '@payrail/core';
import { fakeProvider } from '@payrail/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestMerchant } from './helpers/test-app';

const TEST_TIMEOUT_MS = 120_000;

/** The fake provider as `counted`: counts calls, records the refund ids it was sent, fails on request. */
function countingProvider() {
  const inner = fakeProvider({ webhookSecret: 'counted_whsec_0123456789' });
  const calls = { createPayment: 0, refundPayment: 0 };
  const refundIds: string[] = [];
  /** The next createPayment / refundPayment fails before reaching the provider (it provably did not act). */
  const faults = { createUnavailable: false, refundUnavailable: false };
  const unavailable = () =>
    new PayrailError('PAYRAIL_ERR_PROVIDER_UNAVAILABLE', { message: 'Connection refused (injected).' });
  const plugin: ProviderPlugin = {
    ...inner,
    manifest: { ...inner.manifest, id: 'counted', name: 'Counting fake provider (idempotency test)' },
    paymentMethods: ['counted'],
    async init(ctx) {
      const p = await inner.init(ctx);
      const refundPayment = p.refundPayment!;
      return {
        ...p,
        async createPayment(input) {
          calls.createPayment++;
          if (faults.createUnavailable) {
            faults.createUnavailable = false;
            throw unavailable();
          }
          return p.createPayment(input);
        },
        async refundPayment(input) {
          calls.refundPayment++;
          refundIds.push(input.refundId);
          if (faults.refundUnavailable) {
            faults.refundUnavailable = false;
            throw unavailable();
          }
          return refundPayment(input);
        },
      };
    },
  };
  return { plugin, calls, refundIds, faults, control: inner.control };
}

describe('Idempotency-Key: a retry after a 5xx or 409 answers what the first attempt did (PostgreSQL)', () => {
  let t: TestApp;
  let provider: ReturnType<typeof countingProvider>;
  /** Store faults, armed per test. */
  const store = {
    /** Recording a refund's outcome (pending → succeeded/failed) throws once. */
    refundSettleThrowsOnce: false,
    /** Recording a refund's outcome always loses the version race (commitWithRetry → VERSION_CONFLICT). */
    refundSettleConflicts: false,
    /** Recording a payment's provider outcome (processing → succeeded) throws once. */
    paymentSettleThrowsOnce: false,
  };
  const transient = () =>
    new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', { message: 'Connection reset (injected).' });

  beforeAll(async () => {
    provider = countingProvider();
    t = await createTestApp({
      store: 'postgres',
      plugins: [provider.plugin],
      wrapStore: (real) => ({
        ...real,
        payments: {
          ...real.payments,
          commit: async (change) => {
            const settlesRefund = change.refunds?.some((r) => r.status !== 'pending') ?? false;
            if (settlesRefund && store.refundSettleThrowsOnce) {
              store.refundSettleThrowsOnce = false;
              throw transient();
            }
            if (settlesRefund && store.refundSettleConflicts)
              return { ok: false, reason: 'version_conflict' };
            if (
              store.paymentSettleThrowsOnce &&
              !change.refunds?.length &&
              change.payment.status === 'succeeded'
            ) {
              store.paymentSettleThrowsOnce = false;
              throw transient();
            }
            return real.payments.commit(change);
          },
        },
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function paid(m: TestMerchant, amount: number): Promise<string> {
    const created = await m.test.post('/v1/payments', { amount, currency: 'eur', method: 'counted' });
    expect(created.statusCode).toBe(201);
    expect(created.body.status).toBe('succeeded');
    return created.body.id;
  }

  async function ledgerBalances(merchantId: string): Promise<number> {
    const balances = await t.store.ledger.balances({ merchantId, mode: 'test' });
    expect(balances.length).toBeGreaterThan(0);
    return balances.reduce((sum, b) => sum + b.amount, 0);
  }

  /** Refunds the provider holds for a payment: [refund id, amount, status]. */
  const atProvider = (paymentId: string) =>
    [...(provider.control.payment(paymentId)?.refunds.values() ?? [])].map((r) => [
      r.refundId,
      r.amount,
      r.status,
    ]);

  describe.each([
    { fault: 'a store error once (503)', arm: () => (store.refundSettleThrowsOnce = true), status: 503 },
    { fault: 'lost version races (409)', arm: () => (store.refundSettleConflicts = true), status: 409 },
  ])('a refund the provider made, then recording it failed with $fault', ({ arm, status }) => {
    it(
      'the retry with the same key answers that refund: one refund at the provider, booked once',
      async () => {
        const m = await t.createMerchant();
        const paymentId = await paid(m, 2000);
        const url = `/v1/payments/${paymentId}/refunds`;
        const headers = { 'idempotency-key': `refund-${status}` };
        const callsBefore = provider.calls.refundPayment;
        const idsBefore = provider.refundIds.length;

        arm();
        const first = await m.test.post(url, { amount: 700 }, headers).finally(() => {
          store.refundSettleThrowsOnce = false;
          store.refundSettleConflicts = false;
        });
        expect(first.statusCode).toBe(status);
        expect(provider.calls.refundPayment - callsBefore).toBe(1);
        const [refundId] = provider.refundIds.slice(idsBefore);
        expect(atProvider(paymentId)).toEqual([[refundId, 700, 'succeeded']]);
        // The refund stays pending (amount reserved) for the refund sync.
        expect((await t.store.refunds.listByPayment({ paymentId })).map((r) => [r.id, r.status])).toEqual([
          [refundId, 'pending'],
        ]);

        // Another request with the key: the first attempt had effects, so it is a mismatch, not a new refund.
        const other = await m.test.post(url, { amount: 600 }, headers);
        expect(other.statusCode).toBe(422);
        expect(other.body.error.code).toBe('PAYRAIL_ERR_IDEMPOTENCY_KEY_REUSED');

        // The client's correct reaction to a 5xx/409: retry with the same key.
        const retry = await m.test.post(url, { amount: 700 }, headers);
        expect(retry.statusCode).toBe(201);
        expect(retry.headers['idempotent-replayed']).toBeUndefined();
        expect(retry.body).toMatchObject({ id: refundId, payment_id: paymentId, amount: 700 });
        expect(['pending', 'succeeded']).toContain(retry.body.status);
        // No second refund: the provider was not called again and holds one refund of 700.
        expect(provider.calls.refundPayment - callsBefore).toBe(1);
        expect(atProvider(paymentId)).toEqual([[refundId, 700, 'succeeded']]);
        expect((await t.store.refunds.listByPayment({ paymentId })).map((r) => r.id)).toEqual([refundId]);
        // Recorded now: the next retry replays it.
        const replay = await m.test.post(url, { amount: 700 }, headers);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.rawBody).toBe(retry.rawBody);

        // refunds.sync settles it, once: the provider sees the same refund id again and answers its record.
        const [pending] = await t.store.refunds.listByPayment({ paymentId });
        const settled = await t.services.orchestrator.resolvePendingRefund({ refund: pending! });
        expect(settled).toMatchObject({ id: refundId, status: 'succeeded' });
        expect(new Set(provider.refundIds.slice(idsBefore))).toEqual(new Set([refundId]));
        expect(atProvider(paymentId)).toEqual([[refundId, 700, 'succeeded']]);
        expect(await t.store.payments.getById({ id: paymentId })).toMatchObject({
          status: 'partially_refunded',
          amountRefunded: 700,
          amountRefundPending: 0,
        });
        const events = await t.store.events.list({
          merchantId: m.id,
          mode: 'test',
          limit: 100,
          objectId: refundId,
        });
        expect(events.data.filter((e) => e.type === 'refund.succeeded')).toHaveLength(1);
        const entries = await t.store.ledger.listByPayment({ paymentId });
        expect(new Set(entries.filter((e) => e.refundId).map((e) => e.refundId))).toEqual(
          new Set([refundId]),
        );
        expect(await ledgerBalances(m.id)).toBe(0);
      },
      TEST_TIMEOUT_MS,
    );
  });

  it(
    'a refund the provider refused as unavailable (502): the retry answers that failed refund, not a new one',
    async () => {
      const m = await t.createMerchant();
      const paymentId = await paid(m, 2000);
      const url = `/v1/payments/${paymentId}/refunds`;
      const headers = { 'idempotency-key': 'refund-unavailable' };
      const callsBefore = provider.calls.refundPayment;

      provider.faults.refundUnavailable = true;
      const first = await m.test.post(url, { amount: 700 }, headers);
      expect(first.statusCode).toBe(502);
      expect(first.body.error.code).toBe('PAYRAIL_ERR_PROVIDER_UNAVAILABLE');
      const [failed] = await t.store.refunds.listByPayment({ paymentId });
      expect(failed).toMatchObject({ status: 'failed', amount: 700 });

      const retry = await m.test.post(url, { amount: 700 }, headers);
      expect(retry.statusCode).toBe(201);
      expect(retry.body).toMatchObject({
        id: failed!.id,
        status: 'failed',
        failure: { code: 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE' },
      });
      expect(provider.calls.refundPayment - callsBefore).toBe(1);
      expect(atProvider(paymentId)).toEqual([]);
      // Nothing was refunded or reserved: a new key refunds.
      const again = await m.test.post(url, { amount: 700 }, { 'idempotency-key': 'refund-unavailable-2' });
      expect(again.statusCode).toBe(201);
      expect(again.body.status).toBe('succeeded');
      expect(again.body.id).not.toBe(failed!.id);
      expect(await t.store.payments.getById({ id: paymentId })).toMatchObject({
        amountRefunded: 700,
        amountRefundPending: 0,
      });
      expect(atProvider(paymentId)).toEqual([[again.body.id, 700, 'succeeded']]);
      expect(await ledgerBalances(m.id)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a payment create that answered 5xx after the provider acted: the retry returns the same payment',
    async () => {
      const m = await t.createMerchant();
      const body = { amount: 1500, currency: 'eur', method: 'counted', order_id: 'retry-5xx' };
      const headers = { 'idempotency-key': 'create-5xx' };
      const callsBefore = provider.calls.createPayment;

      store.paymentSettleThrowsOnce = true;
      const first = await m.test.post('/v1/payments', body, headers).finally(() => {
        store.paymentSettleThrowsOnce = false;
      });
      expect(first.statusCode).toBe(503);
      expect(provider.calls.createPayment - callsBefore).toBe(1);
      const list = async () =>
        (await t.store.payments.list({ merchantId: m.id, mode: 'test', limit: 10 })).data.map((p) => p.id);
      const [paymentId, ...others] = await list();
      expect(others).toEqual([]);
      expect(provider.control.payment(paymentId!)?.status).toBe('succeeded');

      const other = await m.test.post('/v1/payments', { ...body, amount: 1501 }, headers);
      expect(other.statusCode).toBe(422);
      expect(other.body.error.code).toBe('PAYRAIL_ERR_IDEMPOTENCY_KEY_REUSED');

      const retry = await m.test.post('/v1/payments', body, headers);
      expect(retry.statusCode).toBe(201);
      expect(retry.body.id).toBe(paymentId);
      // The payment the provider took, still processing here until status sync records it.
      expect(retry.body.status).toBe('processing');
      expect(provider.calls.createPayment - callsBefore).toBe(1);
      expect(await list()).toEqual([paymentId]);

      const synced = await t.services.orchestrator.syncPayment({ paymentId: paymentId! });
      expect(synced).toMatchObject({ id: paymentId, status: 'succeeded', amountCaptured: 1500 });
      expect(await ledgerBalances(m.id)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a payment create the provider refused as unavailable (502): the retry pays that payment, no second one',
    async () => {
      const m = await t.createMerchant();
      const body = { amount: 1700, currency: 'eur', method: 'counted', order_id: 'retry-502' };
      const headers = { 'idempotency-key': 'create-502' };
      const callsBefore = provider.calls.createPayment;

      provider.faults.createUnavailable = true;
      const first = await m.test.post('/v1/payments', body, headers);
      expect(first.statusCode).toBe(502);
      expect(first.body.error.code).toBe('PAYRAIL_ERR_PROVIDER_UNAVAILABLE');
      const list = async () =>
        (await t.store.payments.list({ merchantId: m.id, mode: 'test', limit: 10 })).data;
      const [stored, ...others] = await list();
      expect(others).toEqual([]);
      // The provider provably did not act: the payment is back to requires_payment_method.
      expect(stored?.status).toBe('requires_payment_method');

      const retry = await m.test.post('/v1/payments', body, headers);
      expect(retry.statusCode).toBe(201);
      expect(retry.body).toMatchObject({ id: stored!.id, status: 'succeeded', amount: 1700 });
      expect(provider.calls.createPayment - callsBefore).toBe(2);
      expect((await list()).map((p) => p.id)).toEqual([stored!.id]);
      const replay = await m.test.post('/v1/payments', body, headers);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(stored!.id);
      expect(await ledgerBalances(m.id)).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
