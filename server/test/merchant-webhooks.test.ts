import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BackgroundJobs, startBackgroundJobs } from '../src/jobs/background-jobs';
import { createSecretBox } from '../src/webhooks/secret-box';
import { SIGNATURE_HEADER, verifyWebhook } from '../src/webhooks/signature';
import { createTestApp, STORE_KINDS, type TestApp, type TestMerchant } from './helpers/test-app';
import { startWebhookReceiver, waitFor } from './helpers/webhook-receiver';

// PGlite start-up and the retries take a while on a loaded CI machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

/** Fast schedules so retries happen within the test; the production schedule is in retry-schedule.ts. */
const FAST = {
  pollIntervalMs: 200,
  paymentExpireAfterMs: 86_400_000,
  autoVoidAfterMs: 7 * 86_400_000,
  reconcileAfterMs: 86_400_000,
  webhookTimeoutMs: 2_000,
  intervals: {
    dispatchOutbox: '200ms',
    deliverWebhooks: '200ms',
    syncPayments: '1h',
    expirePayments: '1h',
    autoVoid: '1h',
    reconcile: '1h',
  },
  webhookRetry: { baseDelayMs: 100, maxDelayMs: 200, windowMs: 60_000 },
};

// Also on MongoDB (the in-process CongoDB unless PAYRAIL_TEST_MONGODB_URL is set): agenda's Mongo backend.
describe.each([...STORE_KINDS, 'mongodb'] as const)('merchant webhooks (%s)', (kind) => {
  let t: TestApp;
  let jobs: BackgroundJobs;
  beforeAll(async () => {
    t = await createTestApp({ store: kind });
    // What bootstrap does with PAYRAIL_WEBHOOK_SECRETS_KEY; routes read it per request.
    t.services.webhookSecrets = createSecretBox(randomBytes(32));
    jobs = await startBackgroundJobs(t.services, FAST);
  }, 240_000);
  afterAll(async () => {
    await jobs?.stop();
    await t?.close();
  });

  async function endpointFor(m: TestMerchant, url: string, types = ['*']) {
    const res = await m.test.post('/v1/webhook_endpoints', { url, event_types: types });
    expect(res.statusCode).toBe(201);
    return res.body as { id: string; secret: string };
  }

  const pay = async (m: TestMerchant, extra: Record<string, unknown> = {}) => {
    const res = await m.test.post('/v1/payments', {
      amount: 1999,
      currency: 'usd',
      method: 'fake',
      ...extra,
    });
    expect(res.statusCode).toBe(201);
    return res.body as { id: string; status: string };
  };

  it('creates, shows (without the secret), lists and deletes endpoints per merchant and mode', async () => {
    const m = await t.createMerchant();
    const other = await t.createMerchant();
    const created = await m.test.post(
      '/v1/webhook_endpoints',
      { url: 'http://127.0.0.1:9/hook', event_types: ['payment.succeeded'], description: 'shop' },
      { 'idempotency-key': 'create-endpoint-1' },
    );
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({
      object: 'webhook_endpoint',
      livemode: false,
      status: 'enabled',
      event_types: ['payment.succeeded'],
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const id = created.body.id as string;

    const shown = await m.test.get(`/v1/webhook_endpoints/${id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body.secret).toBeUndefined();
    // The secret is stored sealed, never as given.
    const stored = await t.store.webhooks.getEndpoint({ merchantId: m.id, mode: 'test', id });
    expect(stored?.sealedSecret).not.toContain(created.body.secret.slice(6));

    expect((await m.test.get('/v1/webhook_endpoints')).body.data.map((e: { id: string }) => e.id)).toEqual([
      id,
    ]);
    expect((await m.live.get('/v1/webhook_endpoints')).body.data).toEqual([]);
    expect((await other.test.get(`/v1/webhook_endpoints/${id}`)).statusCode).toBe(404);
    expect((await m.live.get(`/v1/webhook_endpoints/${id}`)).statusCode).toBe(404);

    const liveHttp = await m.live.post('/v1/webhook_endpoints', {
      url: 'http://shop.example/hook',
      event_types: ['*'],
    });
    expect(liveHttp.statusCode).toBe(400);
    const badType = await m.test.post('/v1/webhook_endpoints', {
      url: 'https://shop.example/h',
      event_types: ['nope'],
    });
    expect(badType.statusCode).toBe(400);

    const del = (client: TestMerchant['test']) =>
      t.app.inject({
        method: 'DELETE',
        url: `/v1/webhook_endpoints/${id}`,
        headers: { authorization: client === m.test ? `Bearer ${m.testKey}` : `Bearer ${other.testKey}` },
      });
    expect((await del(other.test)).statusCode).toBe(404);
    const deleted = await del(m.test);
    expect(deleted.statusCode).toBe(200);
    expect(JSON.parse(deleted.body)).toEqual({ id, object: 'webhook_endpoint', deleted: true });
    expect((await del(m.test)).statusCode).toBe(404);
    expect((await m.test.get('/v1/webhook_endpoints')).body.data).toEqual([]);
  });

  it('delivers every event signed; failures are retried with the same event id; the log shows the attempts', async () => {
    const receiver = await startWebhookReceiver({ failFirst: 2 });
    try {
      const m = await t.createMerchant();
      const { id: endpointId, secret } = await endpointFor(m, receiver.url);
      const payment = await pay(m);
      expect(payment.status).toBe('succeeded');
      const events = (await m.test.get('/v1/events')).body.data as Array<{ id: string; type: string }>;
      expect(events.map((e) => e.type)).toContain('payment.succeeded');
      expect(events.map((e) => e.type)).toContain('payment.created');

      const accepted = await waitFor(() => {
        const ids = receiver.acceptedEventIds();
        return ids.length >= events.length ? ids : undefined;
      });
      // Deduplicated by event id, each event arrived exactly once, and nothing else did.
      expect(new Set(accepted)).toEqual(new Set(events.map((e) => e.id)));
      expect(accepted).toHaveLength(events.length);
      // The two failed requests were retried under the same event ids.
      const failedIds = receiver.received.filter((r) => r.status === 500).map((r) => JSON.parse(r.body).id);
      expect(failedIds).toHaveLength(2);
      for (const id of failedIds) expect(accepted).toContain(id);

      for (const r of receiver.received) {
        const header = r.headers[SIGNATURE_HEADER.toLowerCase()];
        expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        expect(verifyWebhook({ body: r.body, header, secret })).toBe(true);
        expect(r.headers['payrail-event-id']).toBe(JSON.parse(r.body).id);
        // A tampered body, another secret or an old timestamp fail.
        expect(verifyWebhook({ body: r.body.replace('1999', '1'), header, secret })).toBe(false);
        expect(verifyWebhook({ body: r.body, header, secret: `${secret}x` })).toBe(false);
        expect(
          verifyWebhook({ body: r.body, header, secret, nowSeconds: Math.floor(Date.now() / 1000) + 301 }),
        ).toBe(false);
      }
      const body = JSON.parse(receiver.received.find((r) => r.status === 200)?.body ?? '{}');
      expect(body).toMatchObject({ object: 'event', livemode: false });
      expect(body.data.object.id).toBe(payment.id);

      // Delivery log: one delivery per event for this endpoint, with every attempt.
      // The receiver answers before the sender records the attempt: wait until every delivery is recorded.
      const logs = await waitFor(async () => {
        const all = await Promise.all(events.map((e) => m.test.get(`/v1/events/${e.id}/deliveries`)));
        return all.every((l) => l.body.data?.[0]?.status === 'succeeded') ? all : undefined;
      });
      const attempts = logs.map((l) => {
        expect(l.body.data).toHaveLength(1);
        expect(l.body.data[0]).toMatchObject({
          endpoint_id: endpointId,
          status: 'succeeded',
          next_attempt_at: null,
        });
        return l.body.data[0].attempts.map((a: { status_code: number }) => a.status_code);
      });
      expect(attempts.flat().sort()).toEqual([...events.map(() => 200), 500, 500]);
      const other = await t.createMerchant();
      expect((await other.test.get(`/v1/events/${events[0]?.id}/deliveries`)).statusCode).toBe(404);

      // Manual resend: the same event id once more.
      const target = events[0]?.id as string;
      const resend = await m.test.post(`/v1/events/${target}/resend`, {});
      expect(resend.statusCode).toBe(202);
      expect(resend.body.data[0]).toMatchObject({ status: 'pending', event_id: target });
      await waitFor(() => (receiver.acceptedEventIds().length === events.length + 1 ? true : undefined));
      expect(receiver.acceptedEventIds().filter((id) => id === target)).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('sends only subscribed types, and only to the merchant and mode of the event', async () => {
    const receiver = await startWebhookReceiver();
    const other = await startWebhookReceiver();
    try {
      const m = await t.createMerchant();
      const n = await t.createMerchant();
      await endpointFor(m, receiver.url, ['payment.succeeded']);
      const live = await m.live.post('/v1/webhook_endpoints', {
        url: 'https://127.0.0.1:1/never',
        event_types: ['*'],
      });
      expect(live.statusCode).toBe(201);
      await endpointFor(n, other.url, ['*']);
      const payment = await pay(m);
      await waitFor(() => (receiver.acceptedEventIds().length === 1 ? true : undefined));
      await waitFor(async () => {
        const undispatched = await t.store.webhooks.undispatchedEvents({ limit: 100 });
        return undispatched.length === 0 ? true : undefined;
      });
      const got = JSON.parse(receiver.received[0]?.body ?? '{}');
      expect(got).toMatchObject({ type: 'payment.succeeded', data: { object: { id: payment.id } } });
      expect(other.received).toHaveLength(0);
      const created = (await m.test.get('/v1/events?type=payment.created')).body.data[0];
      expect((await m.test.get(`/v1/events/${created.id}/deliveries`)).body.data).toEqual([]);
    } finally {
      await receiver.close();
      await other.close();
    }
  });

  it('disables an endpoint that fails for the whole retry window and tells the merchant with an event', async () => {
    // This test drives delivery itself, with a 300 ms retry window: the shared jobs stop (last test)
    // before anything is sent, so no background attempt schedules a retry on the default timetable.
    await jobs.stop();
    const receiver = await startWebhookReceiver();
    receiver.state.failing = true;
    const watcher = await startWebhookReceiver();
    const m = await t.createMerchant();
    const failing = await endpointFor(m, receiver.url, ['payment.succeeded']);
    await endpointFor(m, watcher.url, ['webhook_endpoint.disabled']);
    const { WebhookSender } = await import('../src/webhooks/sender');
    const { dispatchOutbox } = await import('../src/webhooks/dispatcher');
    const sender = new WebhookSender({
      store: t.store,
      clock: t.services.clock,
      logger: t.services.logger,
      secrets: t.services.webhookSecrets,
      retry: { baseDelayMs: 50, maxDelayMs: 50, windowMs: 300 },
    });
    const round = async () => {
      await dispatchOutbox({ store: t.store, clock: t.services.clock });
      await sender.runOnce();
    };
    try {
      await pay(m);
      const shown = await waitFor(async () => {
        await round();
        const res = await m.test.get(`/v1/webhook_endpoints/${failing.id}`);
        return res.body.status === 'disabled' ? res.body : undefined;
      });
      expect(shown.failing_since).not.toBeNull();
      const disabledEvents = (await m.test.get('/v1/events?type=webhook_endpoint.disabled')).body.data;
      expect(disabledEvents).toHaveLength(1);
      expect(disabledEvents[0].data.object).toMatchObject({ id: failing.id, status: 'disabled' });
      // The merchant's other endpoint hears about it.
      await waitFor(async () => {
        await round();
        return watcher.acceptedEventIds().length === 1 ? true : undefined;
      });
      expect(watcher.acceptedEventIds()).toEqual([disabledEvents[0].id]);
    } finally {
      await sender.close();
      await receiver.close();
      await watcher.close();
    }
  });
});
