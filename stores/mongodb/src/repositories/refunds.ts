import type { Refund, RefundRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { byId, paymentKey } from '../documents';

/** Refunds live inside their payment's document (`refunds.<id>`), found through the `refundIds` index. */
export function refundRepository({ run, payments }: Collections): RefundRepository {
  return {
    async get({ merchantId, mode, id }) {
      const doc = await run(() =>
        payments.findOne({ refundIds: id, merchantId, mode }, { projection: { refunds: 1 } }),
      );
      const refund: Refund | undefined = doc?.refunds[id];
      return refund && refund.merchantId === merchantId && refund.mode === mode ? refund : null;
    },

    async listByPayment({ paymentId }) {
      const doc = await run(() =>
        payments.findOne({ _id: paymentKey(paymentId), id: paymentId }, { projection: { refunds: 1 } }),
      );
      return doc ? Object.values(doc.refunds).sort(byId) : [];
    },

    /** A payment with a refund in flight has a reservation (`amountRefundPending` > 0): indexed, sparse. */
    async listPending({ updatedBefore, limit }) {
      const docs = await run(() =>
        payments.find({ amountRefundPending: { $gt: 0 } }, { projection: { refunds: 1 } }).toArray(),
      );
      return docs
        .flatMap((doc) => Object.values(doc.refunds))
        .filter((r) => r.status === 'pending' && r.updatedAt < updatedBefore)
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || byId(a, b))
        .slice(0, limit);
    },
  };
}
