import type { MerchantCustomerRef, PaymentRepository } from '@payrail/core';
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { Collections } from '../collections';
import { customerEmailKey, decodePayment, PAYMENT_ONLY, type PaymentDoc } from '../documents';
import { clampLimit } from './pagination';

/** The index the buyer account's queries use (collections.ts); its absence means "not backfilled yet". */
export const CUSTOMER_EMAIL_INDEX = 'payments_customer_email';

const lowered = (emails: readonly string[]) => emails.map((email) => email.toLowerCase());

/**
 * The buyer account's cross-merchant queries, on `customerEmailKey` (the payment's customer email
 * lower-cased, written with every payment write; see documents.ts) and the mode.
 */
export function paymentsByContact({
  payments,
  run,
}: Collections): Pick<PaymentRepository, 'listByCustomerContact' | 'customerRefsByContact'> {
  return {
    async listByCustomerContact({ emails, mode, limit, startingAfter }) {
      const max = clampLimit(limit);
      const query: Filter<PaymentDoc> = { customerEmailKey: { $in: lowered(emails) }, mode };
      if (startingAfter !== undefined) query.id = { $lt: startingAfter };
      const docs = await run(() =>
        payments
          .find(query, { projection: PAYMENT_ONLY })
          .sort({ id: -1 })
          .limit(max + 1)
          .toArray(),
      );
      return { data: docs.slice(0, max).map((doc) => decodePayment(doc)), hasMore: docs.length > max };
    },

    async customerRefsByContact({ emails, mode, limit }) {
      // Only the two fields, through the index's email prefix; a buyer has few payments.
      const docs = await run(() =>
        payments
          .find(
            { customerEmailKey: { $in: lowered(emails) }, mode, 'customer.id': { $type: 'string' } },
            { projection: { _id: 0, merchantId: 1, customer: 1 } },
          )
          .toArray(),
      );
      const refs = new Map<string, MerchantCustomerRef>();
      for (const doc of docs) {
        const customerId = doc.customer?.id;
        if (customerId === undefined) continue;
        refs.set(JSON.stringify([doc.merchantId, customerId]), { merchantId: doc.merchantId, customerId });
      }
      return [...refs.values()]
        .sort((a, b) =>
          a.merchantId === b.merchantId
            ? a.customerId.localeCompare(b.customerId)
            : a.merchantId.localeCompare(b.merchantId),
        )
        .slice(0, Math.max(1, Math.trunc(limit)));
    },
  };
}

/**
 * Gives payments written before the buyer account their `customerEmailKey`. Runs from `migrate()` only
 * while the index is missing (it is created right after), so it scans the collection once per
 * deployment; running twice at once is harmless (each sets the same value).
 */
export async function backfillCustomerEmailKeys({ payments, run }: Collections): Promise<void> {
  const indexed = await run(() => payments.indexExists(CUSTOMER_EMAIL_INDEX)).catch(() => false);
  if (indexed) return;
  const cursor = payments.find(
    { 'customer.email': { $type: 'string' }, customerEmailKey: { $exists: false } },
    { projection: { _id: 1, customer: 1 } },
  );
  let batch: AnyBulkWriteOperation<PaymentDoc>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const operations = batch;
    batch = [];
    await run(() => payments.bulkWrite(operations, { ordered: false }));
  };
  await run(async () => {
    for await (const doc of cursor) {
      const key = customerEmailKey(doc.customer?.email);
      if (key === undefined) continue;
      batch.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { customerEmailKey: key } } } });
      if (batch.length >= 500) await flush();
    }
  });
  await flush();
}
