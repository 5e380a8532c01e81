import type { ReviewRepository } from '@payrail/core';
import type { Db } from '../db';
import { type PaymentRow, rowToPayment } from '../mapping/payment';
import { clampLimit, toPage, Where } from './pagination';

/** Must match the partial indexes of migration 0005 word for word, or PostgreSQL will not use them. */
const HELD = `status = 'authorized' AND (risk ->> 'decision') = 'review'`;

export function reviewRepository(db: Db): ReviewRepository {
  return {
    async listOpen({ merchantId, mode, limit, startingAfter }) {
      const size = clampLimit(limit);
      const where = new Where()
        .add('merchant_id = ?', merchantId)
        .add('mode = ?', mode)
        .addIf('id < ?', startingAfter);
      const rows = await db.query<PaymentRow>(
        `SELECT * FROM payments WHERE ${where.text} AND ${HELD} ORDER BY id DESC LIMIT ${where.param(size + 1)}`,
        where.values,
      );
      return toPage(rows, size, rowToPayment);
    },

    async listHeldBefore({ heldBefore, limit }) {
      const rows = await db.query<PaymentRow>(
        `SELECT * FROM payments WHERE updated_at < $1 AND ${HELD} ORDER BY updated_at, id LIMIT $2`,
        [heldBefore, Math.max(1, Math.min(1000, Math.trunc(limit)))],
      );
      return rows.map(rowToPayment);
    },
  };
}
