import type { ReviewRepository } from '@payrail/core';
import type { Filter } from 'mongodb';
import type { Collections } from '../collections';
import { decodePayment, PAYMENT_ONLY, type PaymentDoc } from '../documents';
import { clampLimit } from './pagination';

/** Held for review: authorized with an antifraud decision of `review` (index `payments_reviews`). */
const HELD: Filter<PaymentDoc> = { status: 'authorized', 'risk.decision': 'review' };

export function reviewRepository({ run, payments }: Collections): ReviewRepository {
  return {
    async listOpen({ merchantId, mode, limit: requested, startingAfter }) {
      const limit = clampLimit(requested);
      const filter: Filter<PaymentDoc> = { ...HELD, merchantId, mode };
      if (startingAfter !== undefined) filter.id = { $lt: startingAfter };
      const docs = await run(() =>
        payments
          .find(filter, { projection: PAYMENT_ONLY })
          .sort({ id: -1 })
          .limit(limit + 1)
          .toArray(),
      );
      return { data: docs.slice(0, limit).map((doc) => decodePayment(doc)), hasMore: docs.length > limit };
    },

    async listHeldBefore({ heldBefore, limit }) {
      const docs = await run(() =>
        payments
          .find({ ...HELD, updatedAt: { $lt: heldBefore } }, { projection: PAYMENT_ONLY })
          .sort({ updatedAt: 1, id: 1 })
          .limit(Math.max(1, Math.min(1000, Math.trunc(limit))))
          .toArray(),
      );
      return docs.map((doc) => decodePayment(doc));
    },
  };
}
