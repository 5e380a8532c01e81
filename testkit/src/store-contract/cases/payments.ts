import { newId, type Payment } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { makeEvent, makeFullPayment, makePayment, makeRefund, nextVersion } from '../fixtures';
import { seedMerchant, seedPayment } from './seed';

export const paymentCases: ContractCase[] = [
  {
    name: 'payments: insert, get and getById round-trip every field',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = makeFullPayment({ merchantId: merchant.id, mode: 'live' });
      const event = makeEvent(payment, { type: 'payment.created' });
      await store.payments.insert({ payment, events: [event] });

      expect(await store.payments.get({ merchantId: merchant.id, mode: 'live', id: payment.id })).toEqual(
        payment,
      );
      expect(await store.payments.getById({ id: payment.id })).toEqual(payment);
      const events = await store.events.list({ merchantId: merchant.id, mode: 'live', limit: 10 });
      expect(events).toEqual({ data: [event], hasMore: false });

      const bare = await seedPayment(store, { merchantId: merchant.id });
      expect(await store.payments.getById({ id: bare.id })).toEqual(bare);
      expect(await store.payments.getById({ id: newId('payment') })).toBeNull();
    },
  },
  {
    name: 'payments: insert of an existing id fails and changes nothing',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const again = { ...payment, amount: 1 };
      await expect(store.payments.insert({ payment: again, events: [makeEvent(payment)] })).rejects.toThrow();
      expect(await store.payments.getById({ id: payment.id })).toEqual(payment);
      expect((await store.events.list({ merchantId: merchant.id, mode: 'test', limit: 10 })).data).toEqual(
        [],
      );
    },
  },
  {
    name: 'tenancy: another merchant or mode sees nothing',
    async run({ store }) {
      const owner = await seedMerchant(store);
      const stranger = await seedMerchant(store);
      const payment = await seedPayment(
        store,
        { merchantId: owner.id, amountCaptured: 10_000, status: 'succeeded' },
        [makeEvent({ merchantId: owner.id, mode: 'test', id: 'pay_x' })],
      );
      const refund = makeRefund(payment);
      const result = await store.payments.commit({
        payment: nextVersion(payment, { amountRefundPending: refund.amount }),
        expectedVersion: 1,
        refunds: [refund],
        events: [makeEvent(refund, { type: 'refund.created' })],
      });
      expect(result.ok).toBe(true);

      const scopes = [
        { merchantId: stranger.id, mode: 'test' as const },
        { merchantId: owner.id, mode: 'live' as const },
      ];
      for (const scope of scopes) {
        expect(await store.payments.get({ ...scope, id: payment.id })).toBeNull();
        expect(await store.refunds.get({ ...scope, id: refund.id })).toBeNull();
        expect(await store.payments.list({ ...scope, limit: 100 })).toEqual({ data: [], hasMore: false });
        expect(await store.events.list({ ...scope, limit: 100 })).toEqual({ data: [], hasMore: false });
        expect(await store.ledger.balances(scope)).toEqual([]);
      }
      expect(await store.refunds.get({ merchantId: owner.id, mode: 'test', id: refund.id })).toEqual(refund);
      expect(
        (await store.payments.list({ merchantId: owner.id, mode: 'test', limit: 100 })).data,
      ).toHaveLength(1);
      expect((await store.events.list({ merchantId: owner.id, mode: 'test', limit: 100 })).data).toHaveLength(
        2,
      );
    },
  },
  {
    name: 'payments: findByProviderRef',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const ref = `ref_${newId('request')}`;
      const payment = await seedPayment(store, {
        merchantId: merchant.id,
        provider: { id: 'qiwi', instanceId: 'shop-1', paymentRef: ref },
      });
      await seedPayment(store, { merchantId: merchant.id, provider: { id: 'qiwi', instanceId: 'shop-1' } });

      expect(
        await store.payments.findByProviderRef({ providerId: 'qiwi', instanceId: 'shop-1', paymentRef: ref }),
      ).toEqual(payment);
      expect(
        await store.payments.findByProviderRef({ providerId: 'qiwi', instanceId: 'shop-2', paymentRef: ref }),
      ).toBeNull();
      expect(
        await store.payments.findByProviderRef({
          providerId: 'cards',
          instanceId: 'shop-1',
          paymentRef: ref,
        }),
      ).toBeNull();
      expect(
        await store.payments.findByProviderRef({
          providerId: 'qiwi',
          instanceId: 'shop-1',
          paymentRef: `${ref}x`,
        }),
      ).toBeNull();

      // The same provider reference cannot be given to a second payment of the same provider instance.
      const twin = makePayment({
        merchantId: merchant.id,
        provider: { id: 'qiwi', instanceId: 'shop-1', paymentRef: ref },
      });
      await expect(store.payments.insert({ payment: twin, events: [] })).rejects.toThrow();
    },
  },
  {
    name: 'payments: list pages newest first without gaps or overlaps',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const created = await seedMany(store, merchant.id, 25);
      const expected = created.map((p) => p.id).reverse();

      const seen: string[] = [];
      const pages: boolean[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await store.payments.list({
          merchantId: merchant.id,
          mode: 'test',
          limit: 10,
          startingAfter: cursor,
        });
        seen.push(...page.data.map((p) => p.id));
        pages.push(page.hasMore);
        if (!page.hasMore) break;
        cursor = page.data.at(-1)?.id;
      }
      expect(pages).toEqual([true, true, false]);
      expect(seen).toEqual(expected);

      // A page that ends exactly at the last payment says there is no more.
      const exact = await store.payments.list({
        merchantId: merchant.id,
        mode: 'test',
        limit: 5,
        startingAfter: expected[19],
      });
      expect(exact.data.map((p) => p.id)).toEqual(expected.slice(20));
      expect(exact.hasMore).toBe(false);
      const full = await store.payments.list({ merchantId: merchant.id, mode: 'test', limit: 25 });
      expect(full.hasMore).toBe(false);
      expect(full.data[0]).toEqual(created.at(-1));
    },
  },
  {
    name: 'payments: list filters by status, orderId and creation time',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const created = await seedMany(store, merchant.id, 12, (i) => ({
        status: i % 3 === 0 ? 'succeeded' : 'requires_payment_method',
        amountCaptured: i % 3 === 0 ? 10_000 : 0,
        orderId: i % 4 === 0 ? 'order-4' : `order-${i}`,
      }));
      const ids = (payments: Payment[]) => payments.map((p) => p.id).reverse();
      const list = (filter: object) =>
        store.payments
          .list({ merchantId: merchant.id, mode: 'test', limit: 100, ...filter })
          .then((page) => page.data.map((p) => p.id));

      expect(await list({ status: 'succeeded' })).toEqual(ids(created.filter((_, i) => i % 3 === 0)));
      expect(await list({ orderId: 'order-4' })).toEqual(ids(created.filter((_, i) => i % 4 === 0)));
      expect(await list({ orderId: 'order-4', status: 'succeeded' })).toEqual(
        ids(created.filter((_, i) => i % 12 === 0)),
      );
      const from = created[3]!.createdAt;
      const until = created[8]!.createdAt;
      expect(await list({ createdGte: from })).toEqual(ids(created.slice(3)));
      expect(await list({ createdLt: until })).toEqual(ids(created.slice(0, 8)));
      expect(await list({ createdGte: from, createdLt: until })).toEqual(ids(created.slice(3, 8)));
      expect(await list({ createdGte: from, createdLt: until, startingAfter: created[6]!.id })).toEqual(
        ids(created.slice(3, 6)),
      );
      expect(await list({ status: 'failed' })).toEqual([]);
    },
  },
];

/** Stores `count` payments one second apart (oldest first), so ids and creation times agree. */
async function seedMany(
  store: Parameters<typeof seedPayment>[0],
  merchantId: string,
  count: number,
  overrides: (i: number) => Partial<Payment> = () => ({}),
): Promise<Payment[]> {
  const start = Date.now();
  const payments: Payment[] = [];
  for (let i = 0; i < count; i++) {
    payments.push(
      await seedPayment(store, { merchantId, createdAt: new Date(start + i * 1_000), ...overrides(i) }),
    );
  }
  return payments;
}
