import type { LedgerPosting } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { capturedPayment, makeEvent, makeRefund, makeRefundPosting, nextVersion } from '../fixtures';
import { seedMerchant, seedPayment, snapshot } from './seed';

const receipt = (notificationId: string) => ({ pluginId: 'cards', instanceId: 'main', notificationId });

export const commitCases: ContractCase[] = [
  {
    name: 'commit: applies payment, refunds, ledger postings and events in one write',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id, amount: 50_000 });

      const capture = capturedPayment(payment, merchant.tariff);
      const captureEvent = makeEvent(payment, { type: 'payment.succeeded' });
      const first = await store.payments.commit({
        payment: capture.payment,
        expectedVersion: 1,
        postings: [capture.posting],
        events: [captureEvent],
      });
      expect(first).toEqual({ ok: true, payment: capture.payment });
      expect(await store.payments.getById({ id: payment.id })).toEqual(capture.payment);
      expect(await store.ledger.listByPayment({ paymentId: payment.id })).toEqual(
        sortedEntries([capture.posting]),
      );

      const refund = makeRefund(payment, { amount: 20_000 });
      const reserved = nextVersion(capture.payment, { amountRefundPending: 20_000 });
      const second = await store.payments.commit({
        payment: reserved,
        expectedVersion: 2,
        refunds: [refund],
        events: [makeEvent(refund, { type: 'refund.created' })],
      });
      expect(second).toEqual({ ok: true, payment: reserved });
      expect(await store.refunds.listByPayment({ paymentId: payment.id })).toEqual([refund]);

      // The refund settles: the same refund id is replaced, not duplicated.
      const settled = { ...refund, status: 'succeeded' as const, providerRef: 'rf-1', updatedAt: new Date() };
      const refunded = nextVersion(reserved, {
        status: 'partially_refunded',
        amountRefundPending: 0,
        amountRefunded: 20_000,
      });
      const refundPosting = makeRefundPosting(settled);
      const third = await store.payments.commit({
        payment: refunded,
        expectedVersion: 3,
        refunds: [settled],
        postings: [refundPosting],
        events: [makeEvent(settled, { type: 'refund.succeeded' })],
      });
      expect(third).toEqual({ ok: true, payment: refunded });

      const after = await snapshot(store, payment);
      expect(after.stored).toEqual(refunded);
      expect(after.refunds).toEqual([settled]);
      expect(await store.refunds.get({ merchantId: merchant.id, mode: 'test', id: refund.id })).toEqual(
        settled,
      );
      expect(after.ledger).toEqual(sortedEntries([capture.posting, refundPosting]));
      expect(after.events.map((e) => e.type)).toEqual([
        'refund.succeeded',
        'refund.created',
        'payment.succeeded',
      ]);
    },
  },
  {
    name: 'commit: a version conflict writes nothing',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const capture = capturedPayment(payment);
      expect((await store.payments.commit({ payment: capture.payment, expectedVersion: 1 })).ok).toBe(true);
      const before = await snapshot(store, payment);

      // A writer that read version 1 is too late now.
      const stale = capturedPayment(payment);
      const refund = makeRefund(payment);
      const result = await store.payments.commit({
        payment: { ...stale.payment, amountRefundPending: refund.amount },
        expectedVersion: 1,
        refunds: [refund],
        postings: [stale.posting],
        events: [makeEvent(payment)],
        notification: receipt(`n-${payment.id}`),
      });
      expect(result).toEqual({ ok: false, reason: 'version_conflict' });
      expect(await snapshot(store, payment)).toEqual(before);
      // The receipt was rolled back too: the same notification can still be applied on fresh data.
      const retry = await store.payments.commit({
        payment: nextVersion(capture.payment),
        expectedVersion: 2,
        notification: receipt(`n-${payment.id}`),
      });
      expect(retry.ok).toBe(true);
    },
  },
  {
    name: 'commit: a duplicate notification writes nothing',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const notification = receipt(`n-${payment.id}`);
      const capture = capturedPayment(payment);
      const first = await store.payments.commit({
        payment: capture.payment,
        expectedVersion: 1,
        postings: [capture.posting],
        events: [makeEvent(payment)],
        notification,
      });
      expect(first.ok).toBe(true);
      const before = await snapshot(store, payment);

      const replay = capturedPayment(capture.payment);
      const second = await store.payments.commit({
        payment: replay.payment,
        expectedVersion: 2,
        postings: [replay.posting],
        events: [makeEvent(payment)],
        notification,
      });
      expect(second).toEqual({ ok: false, reason: 'duplicate_notification' });
      expect(await snapshot(store, payment)).toEqual(before);

      // The key is (plugin, instance, notification id): another instance's notification is distinct.
      const other = await store.payments.commit({
        payment: nextVersion(capture.payment),
        expectedVersion: 2,
        notification: { ...notification, instanceId: 'second' },
      });
      expect(other.ok).toBe(true);
    },
  },
  {
    name: 'commit: an unbalanced posting is rejected and nothing is written',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const before = await snapshot(store, payment);
      const capture = capturedPayment(payment);
      const [first, ...rest] = capture.posting.entries;
      const unbalanced: LedgerPosting = {
        ...capture.posting,
        entries: [{ ...first!, amount: first!.amount + 1 }, ...rest],
      };
      await expect(
        store.payments.commit({
          payment: capture.payment,
          expectedVersion: 1,
          postings: [unbalanced],
          events: [makeEvent(payment)],
        }),
      ).rejects.toThrow();
      expect(await snapshot(store, payment)).toEqual(before);
    },
  },
  {
    name: 'commit: a payment version other than expectedVersion + 1 is rejected',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const before = await snapshot(store, payment);
      const skipping = { ...nextVersion(payment, { status: 'processing' }), version: 3 };
      await expect(store.payments.commit({ payment: skipping, expectedVersion: 1 })).rejects.toThrow();
      await expect(store.payments.commit({ payment, expectedVersion: 1 })).rejects.toThrow();
      expect(await snapshot(store, payment)).toEqual(before);
    },
  },
  {
    name: 'commit: concurrent commits with the same expected version, exactly one wins',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      const attempts = Array.from({ length: 10 }, (_, i) => {
        const capture = capturedPayment(payment);
        return store.payments.commit({
          payment: { ...capture.payment, description: `writer ${i}` },
          expectedVersion: 1,
          postings: [capture.posting],
          events: [makeEvent(payment, { data: { writer: i } })],
        });
      });
      const results = await Promise.all(attempts);
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual(
        Array.from({ length: 9 }, () => ({ ok: false, reason: 'version_conflict' })),
      );

      const after = await snapshot(store, payment);
      const winner = winners[0] as { ok: true; payment: typeof payment };
      expect(after.stored).toEqual(winner.payment);
      expect(after.ledger).toHaveLength(2);
      expect(after.events).toHaveLength(1);
    },
  },
];

/** Entries in the order a store lists them: by id, i.e. by creation. */
function sortedEntries(postings: LedgerPosting[]) {
  return postings.flatMap((p) => p.entries).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
