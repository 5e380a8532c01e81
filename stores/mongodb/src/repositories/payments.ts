import {
  assertBalanced,
  type CommitResult,
  type Page,
  type Payment,
  type PaymentChange,
  type PaymentRepository,
} from '@payrail/core';
import type { Filter, UpdateFilter } from 'mongodb';
import type { Collections } from '../collections';
import {
  assertFieldSafeId,
  decodePayment,
  encodeEvent,
  encodePayment,
  type LedgerEntryDoc,
  PAYMENT_ONLY,
  type PaymentDoc,
  paymentKey,
  receiptKey,
} from '../documents';
import { invalid } from '../errors';
import { clampLimit } from './pagination';
import { paymentsByContact } from './payments-by-contact';
import { claimProviderRef } from './provider-refs';

export function paymentRepository(all: Collections): PaymentRepository {
  const { payments, run } = all;
  return {
    ...paymentsByContact(all),
    async insert({ payment, events }) {
      if (payment.version !== 1) throw invalid(`A new payment has version 1, not ${payment.version}`);
      await claimProviderRef(all, payment);
      // One document holds the payment and its events: the insert is atomic, and a second insert of the
      // same id fails on `_id` before anything is written.
      await run(() =>
        payments.insertOne({
          _id: paymentKey(payment.id),
          ...encodePayment(payment),
          refunds: {},
          refundIds: [],
          ledger: [],
          events: events.map(encodeEvent),
          undispatched: events.map((e) => e.id),
          receipts: [],
        }),
      );
    },

    async get({ merchantId, mode, id }) {
      const doc = await run(() =>
        payments.findOne({ _id: paymentKey(id), merchantId, mode }, { projection: PAYMENT_ONLY }),
      );
      return doc ? decodePayment(doc, id) : null;
    },

    async getById({ id }) {
      const doc = await run(() => payments.findOne({ _id: paymentKey(id) }, { projection: PAYMENT_ONLY }));
      return doc ? decodePayment(doc, id) : null;
    },

    async findByProviderRef({ providerId, instanceId, paymentRef }) {
      const doc = await run(() =>
        payments.findOne(
          { 'provider.id': providerId, 'provider.instanceId': instanceId, 'provider.paymentRef': paymentRef },
          { projection: PAYMENT_ONLY },
        ),
      );
      return doc ? decodePayment(doc) : null;
    },

    async list(filter): Promise<Page<Payment>> {
      const limit = clampLimit(filter.limit);
      const query: Filter<PaymentDoc> = { merchantId: filter.merchantId, mode: filter.mode };
      if (filter.startingAfter !== undefined) query.id = { $lt: filter.startingAfter };
      if (filter.status !== undefined) query.status = filter.status;
      if (filter.orderId !== undefined) query.orderId = filter.orderId;
      if (filter.shopId !== undefined) query.shopId = filter.shopId;
      if (filter.createdGte !== undefined || filter.createdLt !== undefined) {
        query.createdAt = {
          ...(filter.createdGte !== undefined ? { $gte: filter.createdGte } : {}),
          ...(filter.createdLt !== undefined ? { $lt: filter.createdLt } : {}),
        };
      }
      const docs = await run(() =>
        payments
          .find(query, { projection: PAYMENT_ONLY })
          .sort({ id: -1 })
          .limit(limit + 1)
          .toArray(),
      );
      return { data: docs.slice(0, limit).map((doc) => decodePayment(doc)), hasMore: docs.length > limit };
    },

    async commit(change) {
      const entries = validateChange(change);
      const { payment, expectedVersion } = change;
      const _id = paymentKey(payment.id);
      const receipt = change.notification ? receiptKey(change.notification) : undefined;
      await claimProviderRef(all, payment);

      // ONE conditional update: it matches only while the version is still the one the caller read and
      // the notification (if any) was not applied yet; everything the change writes goes in with it.
      const filter: Filter<PaymentDoc> = { _id, id: payment.id, version: expectedVersion };
      if (receipt !== undefined) filter.receipts = { $ne: receipt };
      const set: Record<string, unknown> = { ...encodePayment(payment) };
      for (const refund of change.refunds ?? []) set[`refunds.${refund.id}`] = refund;
      const update: UpdateFilter<PaymentDoc> = { $set: set as UpdateFilter<PaymentDoc>['$set'] };
      const push: Record<string, unknown> = {};
      if (entries.length > 0) push.ledger = { $each: entries };
      if (change.events && change.events.length > 0) {
        push.events = { $each: change.events.map(encodeEvent) };
        push.undispatched = { $each: change.events.map((e) => e.id) };
      }
      if (receipt !== undefined) push.receipts = receipt;
      if (Object.keys(push).length > 0) update.$push = push as UpdateFilter<PaymentDoc>['$push'];
      if (change.refunds && change.refunds.length > 0) {
        update.$addToSet = {
          refundIds: { $each: change.refunds.map((r) => r.id) },
        } as UpdateFilter<PaymentDoc>['$addToSet'];
      }

      const updated = await run(() =>
        payments.findOneAndUpdate(filter, update, { returnDocument: 'after', projection: PAYMENT_ONLY }),
      );
      if (updated) return { ok: true, payment: decodePayment(updated, payment.id) } satisfies CommitResult;

      // Nothing matched: tell a replayed notification from a stale version (the receipt wins, as a
      // replay must stay a no-op whatever happened to the payment since).
      if (receipt !== undefined) {
        const seen = await run(() => payments.countDocuments({ _id, receipts: receipt }, { limit: 1 }));
        if (seen > 0) return { ok: false, reason: 'duplicate_notification' };
      }
      return { ok: false, reason: 'version_conflict' };
    },
  };
}

/**
 * Checks what the database cannot see before anything is sent: a malformed change is a bug in the
 * caller and is refused whole. Returns the ledger entries to append, tagged with their posting kind.
 */
function validateChange(change: PaymentChange): LedgerEntryDoc[] {
  const { payment, expectedVersion } = change;
  if (payment.version !== expectedVersion + 1) {
    throw invalid(
      `payment.version must be expectedVersion + 1 (${expectedVersion + 1}), got ${payment.version}`,
    );
  }
  for (const refund of change.refunds ?? []) {
    if (refund.paymentId !== payment.id) throw invalid(`Refund ${refund.id} belongs to another payment`);
    try {
      assertFieldSafeId(refund.id);
    } catch (error) {
      throw invalid(`refund id: ${(error as Error).message}`);
    }
  }
  const entries: LedgerEntryDoc[] = [];
  for (const posting of change.postings ?? []) {
    try {
      assertBalanced(posting);
    } catch (error) {
      throw invalid(error instanceof Error ? error.message : String(error));
    }
    for (const entry of posting.entries) {
      if (entry.postingId !== posting.id || entry.paymentId !== payment.id) {
        throw invalid(
          `Ledger entry ${entry.id} does not belong to posting ${posting.id} of payment ${payment.id}`,
        );
      }
      entries.push({ ...entry, kind: posting.kind });
    }
  }
  return entries;
}
