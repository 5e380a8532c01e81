import { newId, type Shop } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { capturedPayment, makeMerchant, makePayment } from '../fixtures';

function makeShop(merchantId: string, overrides: Partial<Shop> = {}): Shop {
  const createdAt = overrides.createdAt ?? new Date(Date.UTC(2026, 0, 1));
  return {
    id: newId('shop', createdAt.getTime()),
    merchantId,
    name: 'Books',
    url: 'https://books.example',
    methods: ['card', 'qiwi_wallet'],
    // A dotted key and a "$" key: stored and read back exactly (MongoDB field-name pitfalls).
    providerRoutes: { qiwi_wallet: 'qiwi:shop-2', 'odd.$key': 'x:y' },
    successUrl: 'https://books.example/thanks',
    failUrl: null,
    archived: false,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export const shopCases: ContractCase[] = [
  {
    name: 'shops: insert, get, list, update and archive, scoped to the merchant',
    async run({ store }) {
      const merchant = makeMerchant();
      const other = makeMerchant();
      await store.merchants.create({ merchant, apiKeys: [] });
      await store.merchants.create({ merchant: other, apiKeys: [] });
      const first = makeShop(merchant.id);
      const second = makeShop(merchant.id, { name: 'Toys', createdAt: new Date(Date.UTC(2026, 0, 2)) });
      const foreign = makeShop(other.id);
      for (const shop of [second, first, foreign]) await store.shops.insert({ shop });

      expect(await store.shops.get({ merchantId: merchant.id, id: first.id })).toEqual(first);
      // Another merchant's shop is not found.
      expect(await store.shops.get({ merchantId: merchant.id, id: foreign.id })).toBeNull();
      expect(await store.shops.get({ merchantId: merchant.id, id: newId('shop') })).toBeNull();
      // The unscoped read (public payment lookup) finds any merchant's shop by id.
      expect(await store.shops.getById({ id: foreign.id })).toEqual(foreign);
      expect(await store.shops.getById({ id: newId('shop') })).toBeNull();
      expect(await store.shops.list({ merchantId: merchant.id })).toEqual([first, second]);

      const now = new Date(Date.UTC(2026, 1, 1));
      const updated = await store.shops.update({
        merchantId: merchant.id,
        id: first.id,
        patch: {
          name: 'Books EU',
          methods: ['card'],
          providerRoutes: {},
          failUrl: 'https://books.example/f',
        },
        now,
      });
      expect(updated).toEqual({
        ...first,
        name: 'Books EU',
        methods: ['card'],
        providerRoutes: {},
        failUrl: 'https://books.example/f',
        updatedAt: now,
      });
      expect(await store.shops.get({ merchantId: merchant.id, id: first.id })).toEqual(updated);
      expect(
        await store.shops.update({ merchantId: merchant.id, id: foreign.id, patch: { name: 'x' }, now }),
      ).toBeNull();
      expect((await store.shops.get({ merchantId: other.id, id: foreign.id }))?.name).toBe('Books');

      expect(await store.shops.archive({ merchantId: merchant.id, id: foreign.id, now })).toBeNull();
      const later = new Date(Date.UTC(2026, 2, 1));
      const archived = await store.shops.archive({ merchantId: merchant.id, id: second.id, now });
      expect(archived).toEqual({ ...second, archived: true, updatedAt: now });
      // Twice: the same shop, the first archiving time kept.
      expect(await store.shops.archive({ merchantId: merchant.id, id: second.id, now: later })).toEqual(
        archived,
      );
      expect(
        await store.shops.update({ merchantId: merchant.id, id: second.id, patch: { name: 'y' }, now }),
      ).toBeNull();
      expect(await store.shops.list({ merchantId: merchant.id })).toEqual([updated]);
      expect(await store.shops.list({ merchantId: merchant.id, includeArchived: true })).toEqual([
        updated,
        archived,
      ]);
    },
  },
  {
    name: 'shops: payments keep their shop, list by shop, and reports group and filter by shop',
    async run({ store }) {
      const merchant = makeMerchant();
      await store.merchants.create({ merchant, apiKeys: [] });
      const a = makeShop(merchant.id);
      const b = makeShop(merchant.id);
      await store.shops.insert({ shop: a });
      await store.shops.insert({ shop: b });
      const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 12, minute));
      const specs = [
        { shopId: a.id, amount: 1_000, capture: true },
        { shopId: a.id, amount: 2_500, capture: false },
        { shopId: b.id, amount: 700, capture: true },
        { shopId: null, amount: 300, capture: false },
      ];
      const payments = [];
      for (const [i, spec] of specs.entries()) {
        const payment = makePayment({
          merchantId: merchant.id,
          shopId: spec.shopId,
          amount: spec.amount,
          createdAt: at(i),
        });
        await store.payments.insert({ payment, events: [] });
        let stored = payment;
        if (spec.capture) {
          const { payment: next, posting } = capturedPayment(payment, merchant.tariff);
          const result = await store.payments.commit({
            payment: next,
            expectedVersion: 1,
            postings: [posting],
          });
          expect(result.ok).toBe(true);
          stored = next;
        }
        payments.push(stored);
      }
      expect((await store.payments.getById({ id: payments[0]!.id }))?.shopId).toBe(a.id);
      expect((await store.payments.getById({ id: payments[3]!.id }))?.shopId).toBeNull();

      const listed = await store.payments.list({
        merchantId: merchant.id,
        mode: 'test',
        limit: 10,
        shopId: a.id,
      });
      expect(listed.data.map((p) => p.id)).toEqual([payments[1]!.id, payments[0]!.id]);

      const boundaries = [at(0), at(30)];
      const scope = { merchantId: merchant.id, mode: 'test' as const, boundaries };
      const rows = await store.reports.paymentAggregates(scope);
      const byShop = new Map<string | null, { count: number; amount: number }>();
      for (const row of rows) {
        const sum = byShop.get(row.shopId) ?? { count: 0, amount: 0 };
        sum.count += row.count;
        sum.amount += row.amount;
        byShop.set(row.shopId, sum);
      }
      expect(Object.fromEntries(byShop)).toEqual({
        [a.id]: { count: 2, amount: 3_500 },
        [b.id]: { count: 1, amount: 700 },
        null: { count: 1, amount: 300 },
      });

      const onlyA = await store.reports.paymentAggregates({ ...scope, filter: { shopId: a.id } });
      expect(onlyA.every((r) => r.shopId === a.id)).toBe(true);
      expect(onlyA.reduce((s, r) => s + r.amount, 0)).toBe(3_500);
      // Ledger figures of a shop: only its payments' captures.
      const ledgerA = await store.reports.ledgerAggregates({
        merchantId: merchant.id,
        mode: 'test',
        boundaries: [at(0), new Date(Date.now() + 86_400_000)],
        filter: { shopId: a.id },
      });
      expect(ledgerA.reduce((s, r) => s + r.captured, 0)).toBe(1_000);
      expect(ledgerA.reduce((s, r) => s + r.captureCount, 0)).toBe(1);
    },
  },
];
