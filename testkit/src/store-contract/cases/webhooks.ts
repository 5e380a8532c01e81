import { newId, type WebhookDelivery, type WebhookEndpoint } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { makeEvent } from '../fixtures';
import { seedMerchant, seedPayment } from './seed';

export function makeEndpoint(overrides: Partial<WebhookEndpoint> & { merchantId: string }): WebhookEndpoint {
  const now = new Date();
  return {
    id: newId('webhookEndpoint'),
    mode: 'test',
    url: 'https://shop.example/payrail',
    eventTypes: ['*'],
    description: null,
    sealedSecret: 'v1.opaque',
    status: 'enabled',
    failingSince: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeDelivery(eventId: string, endpoint: WebhookEndpoint, now = new Date()): WebhookDelivery {
  return {
    id: newId('webhookDelivery'),
    eventId,
    endpointId: endpoint.id,
    merchantId: endpoint.merchantId,
    mode: endpoint.mode,
    status: 'pending',
    attempts: [],
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** A merchant with a payment whose insert wrote one event, and an endpoint subscribed to everything. */
async function seedEventAndEndpoint(store: Parameters<ContractCase['run']>[0]['store']) {
  const merchant = await seedMerchant(store);
  const paymentId = newId('payment');
  const event = makeEvent(
    { merchantId: merchant.id, mode: 'test', id: paymentId },
    { type: 'payment.succeeded' },
  );
  await seedPayment(store, { merchantId: merchant.id, id: paymentId }, [event]);
  const endpoint = makeEndpoint({ merchantId: merchant.id });
  await store.webhooks.createEndpoint({ endpoint });
  return { merchant, event, endpoint };
}

export const webhookCases: ContractCase[] = [
  {
    name: 'webhooks: endpoints are scoped, filtered by event type, and deleted softly',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const all = makeEndpoint({ merchantId: merchant.id });
      const some = makeEndpoint({ merchantId: merchant.id, eventTypes: ['refund.succeeded'] });
      const live = makeEndpoint({ merchantId: merchant.id, mode: 'live' });
      for (const endpoint of [all, some, live]) await store.webhooks.createEndpoint({ endpoint });

      expect(await store.webhooks.getEndpoint({ merchantId: merchant.id, mode: 'test', id: all.id })).toEqual(
        all,
      );
      expect(await store.webhooks.getEndpoint({ merchantId: other.id, mode: 'test', id: all.id })).toBeNull();
      expect(
        await store.webhooks.getEndpoint({ merchantId: merchant.id, mode: 'live', id: all.id }),
      ).toBeNull();
      const scope = { merchantId: merchant.id, mode: 'test' as const };
      expect((await store.webhooks.listEndpoints(scope)).map((e) => e.id)).toEqual([all.id, some.id]);
      const forType = async (type: string) =>
        (await store.webhooks.endpointsFor({ ...scope, type })).map((e) => e.id);
      expect(await forType('payment.succeeded')).toEqual([all.id]);
      expect(await forType('refund.succeeded')).toEqual([all.id, some.id]);

      expect(
        await store.webhooks.deleteEndpoint({
          merchantId: other.id,
          mode: 'test',
          id: all.id,
          now: new Date(),
        }),
      ).toBe(false);
      expect(await store.webhooks.deleteEndpoint({ ...scope, id: all.id, now: new Date() })).toBe(true);
      expect(await store.webhooks.deleteEndpoint({ ...scope, id: all.id, now: new Date() })).toBe(false);
      expect((await store.webhooks.listEndpoints(scope)).map((e) => e.id)).toEqual([some.id]);
      expect(await forType('refund.succeeded')).toEqual([some.id]);
      expect((await store.webhooks.getEndpoint({ ...scope, id: all.id }))?.status).toBe('deleted');
    },
  },
  {
    name: 'webhooks: dispatching an event twice, or concurrently, leaves one delivery per endpoint',
    async run({ store }) {
      const { merchant, event, endpoint } = await seedEventAndEndpoint(store);
      const mine = async () =>
        (await store.webhooks.undispatchedEvents({ limit: 1000 })).filter(
          (e) => e.merchantId === merchant.id,
        );
      expect((await mine()).map((e) => e.id)).toEqual([event.id]);
      const now = new Date();
      const concurrent = await Promise.all([
        store.webhooks.dispatchEvent({
          eventId: event.id,
          deliveries: [makeDelivery(event.id, endpoint, now)],
          now,
        }),
        store.webhooks.dispatchEvent({
          eventId: event.id,
          deliveries: [makeDelivery(event.id, endpoint, now)],
          now,
        }),
      ]);
      const again = await store.webhooks.dispatchEvent({
        eventId: event.id,
        deliveries: [makeDelivery(event.id, endpoint, now)],
        now,
      });
      // Exactly one call marked the event: per-event side effects (notifications) run once.
      expect([...concurrent, again].filter((r) => r.first)).toHaveLength(1);
      expect(again.first).toBe(false);
      expect(await mine()).toEqual([]);
      const scope = { merchantId: merchant.id, mode: 'test' as const };
      const deliveries = await store.webhooks.listDeliveries({ ...scope, eventId: event.id });
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ endpointId: endpoint.id, status: 'pending', attempts: [] });
      expect(await store.webhooks.getEvent({ ...scope, id: event.id })).toMatchObject({ id: event.id });
      expect(await store.webhooks.getEvent({ ...scope, mode: 'live', id: event.id })).toBeNull();
    },
  },
  {
    name: 'webhooks: a due delivery is leased by one claimer; attempts are recorded only under the lease',
    async run({ store }) {
      const { merchant, event, endpoint } = await seedEventAndEndpoint(store);
      const now = new Date();
      await store.webhooks.dispatchEvent({
        eventId: event.id,
        deliveries: [makeDelivery(event.id, endpoint, now)],
        now,
      });
      const claim = (token: string, at = now) =>
        store.webhooks
          .claimDueDeliveries({
            now: at,
            limit: 1000,
            lockedUntil: new Date(at.getTime() + 60_000),
            lockToken: token,
          })
          .then((list) => list.filter((d) => d.merchantId === merchant.id));
      const [a, b] = await Promise.all([claim('a'), claim('b')]);
      expect([...(a ?? []), ...(b ?? [])]).toHaveLength(1);
      const [winner, token] = (a?.length ?? 0) > 0 ? [a?.[0], 'a'] : [b?.[0], 'b'];
      if (!winner) throw new Error('no claim');
      // Held: nobody else gets it until the lease expires.
      expect(await claim('c')).toEqual([]);
      const attempt = { at: now, statusCode: 500, error: 'HTTP 500', durationMs: 12 };
      const retryAt = new Date(now.getTime() + 1000);
      expect(
        await store.webhooks.recordAttempt({
          id: winner.id,
          lockToken: 'wrong',
          attempt,
          status: 'pending',
          nextAttemptAt: retryAt,
          now,
        }),
      ).toBe(false);
      expect(
        await store.webhooks.recordAttempt({
          id: winner.id,
          lockToken: token,
          attempt,
          status: 'pending',
          nextAttemptAt: retryAt,
          now,
        }),
      ).toBe(true);
      // Not due before its next attempt; due after it.
      expect(await claim('d')).toEqual([]);
      const later = new Date(now.getTime() + 2000);
      const again = await claim('e', later);
      expect(again.map((d) => d.id)).toEqual([winner.id]);
      expect(again[0]?.attempts).toEqual([attempt]);
      // An expired lease lets another claimer take it (the first process died).
      const muchLater = new Date(later.getTime() + 120_000);
      expect((await claim('f', muchLater)).map((d) => d.id)).toEqual([winner.id]);
      expect(
        await store.webhooks.recordAttempt({
          id: winner.id,
          lockToken: 'e',
          attempt,
          status: 'succeeded',
          nextAttemptAt: null,
          now,
        }),
      ).toBe(false);
      const ok = { ...attempt, statusCode: 200, error: null };
      expect(
        await store.webhooks.recordAttempt({
          id: winner.id,
          lockToken: 'f',
          attempt: ok,
          status: 'succeeded',
          nextAttemptAt: null,
          now,
        }),
      ).toBe(true);
      const [done] = await store.webhooks.listDeliveries({
        merchantId: merchant.id,
        mode: 'test',
        eventId: event.id,
      });
      expect(done).toMatchObject({ status: 'succeeded', nextAttemptAt: null, attempts: [attempt, ok] });

      // A resend queues the same delivery again (same event), it does not make a new event.
      const resent = await store.webhooks.resendEvent({
        merchantId: merchant.id,
        mode: 'test',
        eventId: event.id,
        deliveries: [makeDelivery(event.id, endpoint, muchLater)],
        now: muchLater,
      });
      expect(resent.map((d) => [d.id, d.status])).toEqual([[winner.id, 'pending']]);
    },
  },
  {
    name: 'webhooks: endpoint failure tracking and disabling (once, with its event)',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const endpoint = makeEndpoint({ merchantId: merchant.id });
      await store.webhooks.createEndpoint({ endpoint });
      const t0 = new Date('2026-01-01T00:00:00Z');
      const t1 = new Date('2026-01-02T00:00:00Z');
      expect(
        (await store.webhooks.recordEndpointResult({ id: endpoint.id, ok: false, now: t0 }))?.failingSince,
      ).toEqual(t0);
      expect(
        (await store.webhooks.recordEndpointResult({ id: endpoint.id, ok: false, now: t1 }))?.failingSince,
      ).toEqual(t0);
      expect(
        (await store.webhooks.recordEndpointResult({ id: endpoint.id, ok: true, now: t1 }))?.failingSince,
      ).toBeNull();
      const event = () =>
        makeEvent(
          { merchantId: merchant.id, mode: 'test', id: endpoint.id },
          { type: 'webhook_endpoint.disabled' },
        );
      const results = await Promise.all([
        store.webhooks.disableEndpoint({ id: endpoint.id, now: t1, event: event() }),
        store.webhooks.disableEndpoint({ id: endpoint.id, now: t1, event: event() }),
      ]);
      expect(results.sort()).toEqual([false, true]);
      const events = await store.events.list({
        merchantId: merchant.id,
        mode: 'test',
        limit: 10,
        type: 'webhook_endpoint.disabled',
      });
      expect(events.data).toHaveLength(1);
      expect(
        (await store.webhooks.getEndpoint({ merchantId: merchant.id, mode: 'test', id: endpoint.id }))
          ?.status,
      ).toBe('disabled');
      expect(
        await store.webhooks.endpointsFor({ merchantId: merchant.id, mode: 'test', type: 'x.y' }),
      ).toEqual([]);
    },
  },
];
