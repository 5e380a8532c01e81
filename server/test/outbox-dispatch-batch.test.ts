// The outbox dispatcher looks up a merchant's endpoints once per (merchant, mode, event type) in a batch,
// not once per event (the soak at ~69 payments/s outran the per-event lookups), and still gives every
// event one delivery per subscribed endpoint, and an endpoint of another type none.
import { randomBytes } from 'node:crypto';
import { systemClock } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchOutbox } from '../src/webhooks/dispatcher';
import { createSecretBox } from '../src/webhooks/secret-box';
import { createTestApp, type TestApp } from './helpers/test-app';

describe('outbox dispatch in batches', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store: 'pglite' });
    t.services.webhookSecrets = createSecretBox(randomBytes(32));
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it('one endpoint lookup per merchant, mode and type in a batch; one delivery per event and endpoint', async () => {
    const m = await t.createMerchant();
    const all = await m.test.post('/v1/webhook_endpoints', {
      url: 'https://example.com/all',
      event_types: ['*'],
    });
    const refunds = await m.test.post('/v1/webhook_endpoints', {
      url: 'https://example.com/refunds',
      event_types: ['refund.succeeded'],
    });
    expect([all.statusCode, refunds.statusCode]).toEqual([201, 201]);
    // Events of other merchants queued before these are dispatched first (and counted separately).
    await dispatchOutbox({ store: t.store, clock: systemClock });
    for (let i = 0; i < 6; i++) {
      const res = await m.test.post('/v1/payments', { amount: 1000 + i, currency: 'usd', method: 'fake' });
      expect(res.statusCode).toBe(201);
    }
    const lookups: string[] = [];
    const webhooks = t.store.webhooks;
    const counting = {
      ...t.store,
      webhooks: {
        ...webhooks,
        endpointsFor: (args: Parameters<typeof webhooks.endpointsFor>[0]) => {
          lookups.push(`${args.merchantId}/${args.mode}/${args.type}`);
          return webhooks.endpointsFor(args);
        },
      },
    };
    const handled = await dispatchOutbox({ store: counting, clock: systemClock, batchSize: 100 });
    const events = (await m.test.get('/v1/events?limit=100')).body as {
      data: Array<{ id: string; type: string }>;
    };
    expect(handled).toBe(events.data.length);
    expect(events.data.length).toBeGreaterThanOrEqual(6);
    // One lookup per distinct type, however many events share it.
    const types = new Set(events.data.map((e) => e.type));
    expect(lookups.filter((l) => l.startsWith(m.id)).sort()).toEqual(
      [...types].map((type) => `${m.id}/test/${type}`).sort(),
    );
    // Every event went to the '*' endpoint, none to the refund-only one.
    for (const event of events.data) {
      const deliveries = await m.test.get(`/v1/events/${event.id}/deliveries`);
      expect(deliveries.statusCode).toBe(200);
      const endpoints = (deliveries.body as { data: Array<{ endpoint_id: string }> }).data.map(
        (d) => d.endpoint_id,
      );
      expect(endpoints).toEqual([(all.body as { id: string }).id]);
    }
  });
});
