import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload, createTestApp, STORE_KINDS, snapshot, type TestApp } from './helpers/test-app';

describe.each(STORE_KINDS)('Idempotency-Key on %s', (storeKind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store: storeKind });
  });
  afterAll(async () => {
    await t?.close();
  });

  const body = { amount: 1234, currency: 'usd', method: 'card', order_id: 'idem-1' };

  it('50 concurrent creates with one key make exactly one payment; the rest see it or are told to retry', async () => {
    const m = await t.createMerchant();
    const key = `key-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => m.test.post('/v1/payments', body, { 'idempotency-key': key })),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    const inFlight = responses.filter((r) => r.statusCode === 409);
    expect(created.length + inFlight.length).toBe(50);
    expect(created.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(created.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    for (const r of inFlight) {
      expect(r.body.error.code).toBe('PAYRAIL_ERR_IDEMPOTENCY_IN_FLIGHT');
    }
    const [id] = ids;
    const payments = await t.store.payments.list({ merchantId: m.id, mode: 'test', limit: 100 });
    expect(payments.data.map((p) => p.id)).toEqual([id]);

    // Settled: a retry replays the very same answer.
    const original = created.find((r) => r.headers['idempotent-replayed'] === undefined)!;
    const replay = await m.test.post('/v1/payments', body, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(id);
    expect(replay.rawBody).toBe(original.rawBody);
    expect(replay.headers['request-id']).not.toBe(original.headers['request-id']);
    expect((await t.store.payments.list({ merchantId: m.id, mode: 'test', limit: 100 })).data).toHaveLength(
      1,
    );
  });

  it('the same key with a different request is a 422, and writes nothing', async () => {
    const m = await t.createMerchant();
    const first = await m.test.post('/v1/payments', body, { 'idempotency-key': 'order-77' });
    expect(first.statusCode).toBe(201);
    const before = await snapshot(t.store, m.id);
    const other = await m.test.post(
      '/v1/payments',
      { ...body, amount: 999 },
      { 'idempotency-key': 'order-77' },
    );
    expect(other.statusCode).toBe(422);
    expect(other.body.error.code).toBe('PAYRAIL_ERR_IDEMPOTENCY_KEY_REUSED');
    // Same body on another endpoint is another request too.
    const elsewhere = await m.test.post(`/v1/payments/${first.body.id}/cancel`, undefined, {
      'idempotency-key': 'order-77',
    });
    expect(elsewhere.statusCode).toBe(422);
    expect(await snapshot(t.store, m.id)).toEqual(before);
  });

  it('key order and currency case do not make another request', async () => {
    const m = await t.createMerchant();
    const a = await m.test.post(
      '/v1/payments',
      { method: 'card', currency: 'usd', amount: 500 },
      { 'idempotency-key': 'k' },
    );
    const b = await m.test.post(
      '/v1/payments',
      { amount: 500, currency: 'USD', method: 'card' },
      { 'idempotency-key': 'k' },
    );
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body.id).toBe(a.body.id);
  });

  it('keys are scoped per merchant and per mode', async () => {
    const m1 = await t.createMerchant();
    const m2 = await t.createMerchant();
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await m1.test.post('/v1/payments', body, headers);
    const b = await m2.test.post('/v1/payments', body, headers);
    const c = await m1.live.post('/v1/payments', body, headers);
    for (const r of [a, b, c]) {
      expect(r.statusCode).toBe(201);
      expect(r.headers['idempotent-replayed']).toBeUndefined();
    }
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(3);
    expect(c.body.livemode).toBe(true);
  });

  it('4xx answers are stored and replayed; validation failures are not (the key stays unused)', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', body);
    await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    const url = `/v1/payments/${created.body.id}/refunds`;
    const tooMuch = await m.test.post(url, { amount: 5000 }, { 'idempotency-key': 'refund-1' });
    expect(tooMuch.statusCode).toBe(422);
    const replay = await m.test.post(url, { amount: 5000 }, { 'idempotency-key': 'refund-1' });
    expect(replay.statusCode).toBe(422);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.rawBody).toBe(tooMuch.rawBody);

    const invalid = await m.test.post(url, { amount: 'ten' }, { 'idempotency-key': 'refund-2' });
    expect(invalid.statusCode).toBe(400);
    const fixed = await m.test.post(url, { amount: 10 }, { 'idempotency-key': 'refund-2' });
    expect(fixed.statusCode).toBe(201);
    const fixedAgain = await m.test.post(url, { amount: 10 }, { 'idempotency-key': 'refund-2' });
    expect(fixedAgain.headers['idempotent-replayed']).toBe('true');
    expect(fixedAgain.body.id).toBe(fixed.body.id);
    const refunds = await m.test.get(`${url}`);
    expect(refunds.body.data).toHaveLength(1);
  });

  it('capture, cancel and refund retries replay instead of acting twice', async () => {
    const m = await t.createMerchant();
    const created = await m.test.post('/v1/payments', body);
    await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
    const url = `/v1/payments/${created.body.id}/refunds`;
    const headers = { 'idempotency-key': 'r-1' };
    const first = await m.test.post(url, { amount: 100 }, headers);
    const second = await m.test.post(url, { amount: 100 }, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect((await m.test.get(`/v1/payments/${created.body.id}`)).body.amount_refunded).toBe(100);
  });

  it('GET requests ignore the header; requests without it run normally', async () => {
    const m = await t.createMerchant();
    const list = await m.test.get('/v1/payments', { 'idempotency-key': 'x'.repeat(300) });
    expect(list.statusCode).toBe(200);
    const a = await m.test.post('/v1/payments', body);
    const b = await m.test.post('/v1/payments', body);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

describe('Idempotency-Key when recording the outcome fails transiently', () => {
  let t: TestApp;
  let failuresLeft = 0;
  beforeAll(async () => {
    t = await createTestApp({
      wrapStore: (store) => ({
        ...store,
        idempotency: {
          ...store.idempotency,
          complete: async (args) => {
            if (failuresLeft > 0) {
              failuresLeft--;
              throw new Error('connection reset (injected)');
            }
            return store.idempotency.complete(args);
          },
        },
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the outcome is still recorded, so the retry replays the payment instead of creating a second', async () => {
    const m = await t.createMerchant();
    failuresLeft = 2;
    const body = { amount: 700, currency: 'eur', method: 'card' };
    const first = await m.test.post('/v1/payments', body, { 'idempotency-key': 'flaky-db' });
    expect(first.statusCode).toBe(201);
    expect(failuresLeft).toBe(0);
    const retry = await m.test.post('/v1/payments', body, { 'idempotency-key': 'flaky-db' });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect((await snapshot(t.store, m.id)).payments).toHaveLength(1);
  });
});

describe('Idempotency-Key when the process dies before recording the outcome', () => {
  // The "dead" process: its outcome is never recorded (complete fails for good), so the key stays in
  // flight until its 60 s lock passes on this controllable clock.
  let t: TestApp;
  let recordingWorks = true;
  let nowMs = Date.now();
  beforeAll(async () => {
    t = await createTestApp({
      clock: { now: () => new Date(nowMs) },
      wrapStore: (store) => ({
        ...store,
        idempotency: {
          ...store.idempotency,
          complete: async (args) => {
            if (!recordingWorks) throw new Error('process died (injected)');
            return store.idempotency.complete(args);
          },
        },
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a retry after the lock expired answers with the payment and refund the dead attempt created', async () => {
    const m = await t.createMerchant();
    const body = { amount: 900, currency: 'usd', method: 'card', order_id: 'died-once' };
    recordingWorks = false;
    const first = await m.test.post('/v1/payments', body, { 'idempotency-key': 'dies' });
    expect(first.statusCode).toBe(201);
    // Within the lock the key is still busy.
    expect((await m.test.post('/v1/payments', body, { 'idempotency-key': 'dies' })).statusCode).toBe(409);

    nowMs += 61_000;
    recordingWorks = true;
    const retry = await m.test.post('/v1/payments', body, { 'idempotency-key': 'dies' });
    expect(retry.statusCode).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    const list = await t.store.payments.list({
      merchantId: m.id,
      mode: 'test',
      orderId: 'died-once',
      limit: 10,
    });
    expect(list.data.map((p) => p.id)).toEqual([first.body.id]);
    // Recorded now: the next retry is a replay.
    const replay = await m.test.post('/v1/payments', body, { 'idempotency-key': 'dies' });
    expect(replay.headers['idempotent-replayed']).toBe('true');

    // The same for a refund: never refunded twice.
    const paid = await t.anonymous.post(`/pay/${first.body.id}`, cardPayload());
    expect(paid.body.status).toBe('succeeded');
    recordingWorks = false;
    const refund = await m.test.post(
      `/v1/payments/${first.body.id}/refunds`,
      { amount: 300 },
      {
        'idempotency-key': 'refund-dies',
      },
    );
    expect(refund.statusCode).toBe(201);
    nowMs += 61_000;
    recordingWorks = true;
    const refundRetry = await m.test.post(
      `/v1/payments/${first.body.id}/refunds`,
      { amount: 300 },
      {
        'idempotency-key': 'refund-dies',
      },
    );
    expect(refundRetry.statusCode).toBe(201);
    expect(refundRetry.body.id).toBe(refund.body.id);
    const refunds = await t.store.refunds.listByPayment({ paymentId: first.body.id });
    expect(refunds.map((r) => r.id)).toEqual([refund.body.id]);
    expect((await t.store.payments.getById({ id: first.body.id }))?.amountRefunded).toBe(300);
  });
});
