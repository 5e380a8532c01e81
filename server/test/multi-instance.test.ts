import { randomBytes } from 'node:crypto';
import {
  createPluginRegistry,
  createUndiciHttpClient,
  DEFAULT_TARIFF,
  type Mode,
  newId,
  Orchestrator,
  silentLogger,
  systemClock,
} from '@payrail/core';
import { cards } from '@payrail/plugin-cards';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { fakeProvider } from '@payrail/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app/build-app';
import { generateApiKey } from '../src/auth/api-keys';
import { type BackgroundJobs, startBackgroundJobs } from '../src/jobs/background-jobs';
import { expireUnpaidPayments } from '../src/jobs/payment-expiry';
import type { AppServices } from '../src/services';
import { dispatchOutbox } from '../src/webhooks/dispatcher';
import { createSecretBox } from '../src/webhooks/secret-box';
import { WebhookSender } from '../src/webhooks/sender';
import { verifyWebhook } from '../src/webhooks/signature';
import { FAKE_WEBHOOK_SECRET, inject, PUBLIC_URL } from './helpers/test-app';
import { startWebhookReceiver, waitFor } from './helpers/webhook-receiver';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const FAST = {
  pollIntervalMs: 50,
  paymentExpireAfterMs: 86_400_000,
  autoVoidAfterMs: 7 * 86_400_000,
  reconcileAfterMs: 86_400_000,
  webhookTimeoutMs: 2_000,
  intervals: {
    dispatchOutbox: '100ms',
    deliverWebhooks: '100ms',
    syncPayments: '1h',
    expirePayments: '1h',
    autoVoid: '1h',
    reconcile: '1h',
  },
  webhookRetry: { baseDelayMs: 100, maxDelayMs: 200, windowMs: 60_000 },
};

interface Instance {
  app: FastifyInstance;
  services: AppServices;
  store: PostgresStore;
  jobs: BackgroundJobs;
  close(): Promise<void>;
}

/** One "server process": its own pool, plugins, orchestrator, HTTP app and job scheduler. */
async function startInstance(url: string, key: Buffer): Promise<Instance> {
  const store = createPostgresStore({ url, poolSize: 10 });
  await store.migrate();
  const http = createUndiciHttpClient();
  const registry = await createPluginRegistry(
    [cards({}), fakeProvider({ webhookSecret: FAKE_WEBHOOK_SECRET })],
    {
      logger: silentLogger,
      clock: systemClock,
      http,
      publicUrl: PUBLIC_URL,
    },
  );
  const orchestrator = new Orchestrator({
    store,
    registry,
    clock: systemClock,
    logger: silentLogger,
    publicUrl: PUBLIC_URL,
  });
  const services: AppServices = {
    store,
    registry,
    orchestrator,
    clock: systemClock,
    logger: silentLogger,
    webhookSecrets: createSecretBox(key),
  };
  const app = await buildApp(services, { publicUrl: PUBLIC_URL, logger: false });
  const jobs = await startBackgroundJobs(services, FAST);
  return {
    app,
    services,
    store,
    jobs,
    async close() {
      await jobs.stop();
      await app.close();
      await http.close();
      await store.close();
    },
  };
}

/** Two instances on ONE PostgreSQL database, as two `payrail start` behind a load balancer. */
describe('several server instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let a: Instance;
  let b: Instance;
  let merchantId: string;
  let apiKey: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    const key = randomBytes(32); // PAYRAIL_WEBHOOK_SECRETS_KEY, the same on every instance
    // Started together: migrations and agenda's schema race and must both come out right.
    [a, b] = await Promise.all([startInstance(database.url, key), startInstance(database.url, key)]);
    const now = new Date();
    merchantId = newId('merchant', now.getTime());
    const keys = (['test', 'live'] as Mode[]).map((mode) => generateApiKey(merchantId, mode, now));
    await a.store.merchants.create({
      merchant: {
        id: merchantId,
        name: 'Two',
        email: 'two@shop.test',
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: now,
      },
      apiKeys: keys.map((k) => k.record),
    });
    apiKey = keys[0]?.secret as string;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  const post = (instance: Instance, url: string, body: unknown) =>
    inject(instance.app, {
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  const eventIds = async () => {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await a.store.events.list({
        merchantId,
        mode: 'test',
        limit: 100,
        ...(after ? { startingAfter: after } : {}),
      });
      ids.push(...page.data.map((e) => e.id));
      if (!page.hasMore) return ids;
      after = page.data.at(-1)?.id;
    }
  };

  it('delivers every webhook event exactly once while both instances run the jobs', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const endpoint = await post(a, '/v1/webhook_endpoints', { url: receiver.url, event_types: ['*'] });
      expect(endpoint.statusCode).toBe(201);
      const secret = endpoint.body.secret as string;
      // Requests alternate between the instances, as a load balancer would send them.
      for (let i = 0; i < 8; i++) {
        const res = await post(i % 2 === 0 ? a : b, '/v1/payments', {
          amount: 100 + i,
          currency: 'usd',
          method: 'fake',
        });
        expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
      }
      const expected = await eventIds();
      expect(expected.length).toBeGreaterThanOrEqual(16);
      await waitFor(() => (receiver.received.length >= expected.length ? true : undefined));
      // Let both schedulers run more rounds: nothing may arrive twice.
      await Promise.all([a.jobs.sender.runOnce(), b.jobs.sender.runOnce()]);
      await Promise.all([
        dispatchOutbox({ store: a.store, clock: systemClock }),
        dispatchOutbox({ store: b.store, clock: systemClock }),
      ]);
      await Promise.all([a.jobs.sender.runOnce(), b.jobs.sender.runOnce()]);
      const received = receiver.received.map((r) => JSON.parse(r.body).id as string);
      expect(received.slice().sort()).toEqual(expected.slice().sort());
      for (const r of receiver.received) {
        expect(verifyWebhook({ body: r.body, header: r.headers['payrail-signature'], secret })).toBe(true);
      }
    } finally {
      await receiver.close();
    }
  });

  it('a process that dies holding a delivery batch loses nothing: the other sends it after the lease', async () => {
    const receiver = await startWebhookReceiver();
    try {
      // Stop the schedulers so this test decides who sends what.
      await Promise.all([a.jobs.stop(), b.jobs.stop()]);
      // Events still in the outbox would go to the endpoint created below too: dispatch them first.
      while ((await dispatchOutbox({ store: a.store, clock: systemClock })) > 0) {}
      const endpoint = await post(b, '/v1/webhook_endpoints', {
        url: receiver.url,
        event_types: ['payment.succeeded'],
      });
      expect(endpoint.statusCode).toBe(201);
      for (let i = 0; i < 3; i++)
        await post(a, '/v1/payments', { amount: 500 + i, currency: 'usd', method: 'fake' });
      await dispatchOutbox({ store: a.store, clock: systemClock });
      // Instance A claims the batch and "crashes" before sending (its lease is never released).
      const now = new Date();
      const claimed = await a.store.webhooks.claimDueDeliveries({
        now,
        limit: 100,
        lockedUntil: new Date(now.getTime() + 60_000),
        lockToken: 'process-a-died',
      });
      const mine = claimed.filter((d) => d.endpointId === endpoint.body.id);
      expect(mine).toHaveLength(3);
      const senderB = new WebhookSender({
        store: b.store,
        clock: systemClock,
        logger: silentLogger,
        secrets: b.services.webhookSecrets,
      });
      // While the lease holds, B does not touch them.
      await senderB.runOnce();
      expect(receiver.received).toHaveLength(0);
      await senderB.close();
      // After the lease (B's clock past it), B delivers all three, each once.
      const later = new WebhookSender({
        store: b.store,
        clock: { now: () => new Date(Date.now() + 61_000) },
        logger: silentLogger,
        secrets: b.services.webhookSecrets,
      });
      await later.runOnce();
      await later.runOnce();
      await later.close();
      const ids = receiver.received.map((r) => JSON.parse(r.body).id as string);
      expect(ids.slice().sort()).toEqual(mine.map((d) => d.eventId).sort());
    } finally {
      await receiver.close();
    }
  });

  it('jobs run on both instances at once apply once: each expired payment is canceled once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await post(i % 2 === 0 ? a : b, '/v1/payments', {
        amount: 700 + i,
        currency: 'usd',
        method: 'card',
      });
      expect(res.body.status).toBe('requires_payment_method');
      ids.push(res.body.id as string);
    }
    const future = { now: () => new Date(Date.now() + 2 * 86_400_000) };
    await Promise.all(
      [a, b, a, b].map((instance) =>
        expireUnpaidPayments({ ...instance.services, clock: future }, { expireAfterMs: 86_400_000 }),
      ),
    );
    for (const id of ids) {
      expect((await a.store.payments.getById({ id }))?.status).toBe('canceled');
      const canceled = await a.store.events.list({
        merchantId,
        mode: 'test',
        limit: 10,
        objectId: id,
        type: 'payment.canceled',
      });
      expect(canceled.data).toHaveLength(1);
    }
  });
});
