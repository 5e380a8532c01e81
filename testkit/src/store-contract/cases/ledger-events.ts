import type { OutboxEvent } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { capturedPayment, makeEvent, makeRefund, makeRefundPosting, nextVersion } from '../fixtures';
import { seedMerchant, seedPayment } from './seed';

export const ledgerEventCases: ContractCase[] = [
  {
    name: 'ledger: balances sum entries per account and currency',
    async run({ store }) {
      const merchant = await seedMerchant(store, { tariff: { percentBps: 200, fixed: { RUB: 1_000 } } });
      // Two RUB captures, one USD capture, one RUB refund, and a live-mode capture that must not count.
      const rub1 = await seedPayment(store, { merchantId: merchant.id, amount: 100_000, currency: 'RUB' });
      const rub2 = await seedPayment(store, { merchantId: merchant.id, amount: 30_000, currency: 'RUB' });
      const usd = await seedPayment(store, { merchantId: merchant.id, amount: 2_500, currency: 'USD' });
      const live = await seedPayment(store, {
        merchantId: merchant.id,
        mode: 'live',
        amount: 7_000,
        currency: 'RUB',
      });
      for (const payment of [rub1, rub2, usd, live]) {
        const capture = capturedPayment(payment, merchant.tariff);
        const result = await store.payments.commit({
          payment: capture.payment,
          expectedVersion: 1,
          postings: [capture.posting],
        });
        expect(result.ok).toBe(true);
      }
      const refund = makeRefund(rub1, { amount: 40_000, status: 'succeeded' });
      const refundResult = await store.payments.commit({
        payment: nextVersion(capturedPayment(rub1).payment, {
          status: 'partially_refunded',
          amountRefunded: 40_000,
        }),
        expectedVersion: 2,
        refunds: [refund],
        postings: [makeRefundPosting(refund)],
      });
      expect(refundResult.ok).toBe(true);

      // fees: 2 % + 10.00 RUB → 3 000 and 1 600 RUB; USD has no fixed part → 50.
      const balances = await store.ledger.balances({ merchantId: merchant.id, mode: 'test' });
      const byKey = (b: { account: string; currency: string }) => `${b.account}/${b.currency}`;
      expect([...balances].sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual([
        { account: 'merchant_balance', currency: 'RUB', amount: -(97_000 + 28_400) + 40_000 },
        { account: 'merchant_balance', currency: 'USD', amount: -2_450 },
        { account: 'provider_clearing', currency: 'RUB', amount: 130_000 - 40_000 },
        { account: 'provider_clearing', currency: 'USD', amount: 2_500 },
        { account: 'psp_fees', currency: 'RUB', amount: -4_600 },
        { account: 'psp_fees', currency: 'USD', amount: -50 },
      ]);
      for (const currency of ['RUB', 'USD']) {
        const total = balances.filter((b) => b.currency === currency).reduce((sum, b) => sum + b.amount, 0);
        expect(total).toBe(0);
      }
      expect(await store.ledger.balances({ merchantId: merchant.id, mode: 'live' })).toHaveLength(3);
    },
  },
  {
    name: 'events: list pages newest first and filters by objectId and type',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const a = await seedPayment(store, { merchantId: merchant.id });
      const b = await seedPayment(store, { merchantId: merchant.id });
      const written: OutboxEvent[] = [];
      let current = { a, b };
      for (let i = 0; i < 12; i++) {
        const target = i % 3 === 0 ? current.b : current.a;
        const event = makeEvent(target, {
          type: i % 2 === 0 ? 'payment.updated' : 'payment.processing',
          data: { i },
        });
        const next = nextVersion(target);
        const result = await store.payments.commit({
          payment: next,
          expectedVersion: target.version,
          events: [event],
        });
        expect(result.ok).toBe(true);
        current = target === current.b ? { ...current, b: next } : { ...current, a: next };
        written.push(event);
      }
      const newestFirst = [...written].reverse();

      const seen: OutboxEvent[] = [];
      let cursor: string | undefined;
      const more: boolean[] = [];
      do {
        const page = await store.events.list({
          merchantId: merchant.id,
          mode: 'test',
          limit: 5,
          startingAfter: cursor,
        });
        seen.push(...page.data);
        more.push(page.hasMore);
        cursor = page.hasMore ? page.data.at(-1)?.id : undefined;
      } while (cursor);
      expect(more).toEqual([true, true, false]);
      expect(seen).toEqual(newestFirst);

      const aboutB = await store.events.list({
        merchantId: merchant.id,
        mode: 'test',
        limit: 100,
        objectId: b.id,
      });
      expect(aboutB.data).toEqual(newestFirst.filter((e) => e.objectId === b.id));
      const typed = await store.events.list({
        merchantId: merchant.id,
        mode: 'test',
        limit: 100,
        type: 'payment.processing',
      });
      expect(typed.data).toEqual(newestFirst.filter((e) => e.type === 'payment.processing'));
      const both = await store.events.list({
        merchantId: merchant.id,
        mode: 'test',
        limit: 2,
        objectId: a.id,
        type: 'payment.updated',
      });
      expect(both.data).toEqual(
        newestFirst.filter((e) => e.objectId === a.id && e.type === 'payment.updated').slice(0, 2),
      );
      expect(both.hasMore).toBe(true);
    },
  },
];
