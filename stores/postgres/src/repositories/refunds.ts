import type { RefundRepository } from '@payrail/core';
import type { Db } from '../db';
import { type RefundRow, rowToRefund } from '../mapping/refund';

export function refundRepository(db: Db): RefundRepository {
  return {
    async get({ merchantId, mode, id }) {
      const rows = await db.query<RefundRow>(
        'SELECT * FROM refunds WHERE id = $1 AND merchant_id = $2 AND mode = $3',
        [id, merchantId, mode],
      );
      return rows[0] ? rowToRefund(rows[0]) : null;
    },

    /** Oldest first, the order in which they were requested. */
    async listByPayment({ paymentId }) {
      const rows = await db.query<RefundRow>('SELECT * FROM refunds WHERE payment_id = $1 ORDER BY id', [
        paymentId,
      ]);
      return rows.map(rowToRefund);
    },

    async listPending({ updatedBefore, limit }) {
      const rows = await db.query<RefundRow>(
        `SELECT * FROM refunds WHERE status = 'pending' AND updated_at < $1 ORDER BY updated_at, id LIMIT $2`,
        [updatedBefore, limit],
      );
      return rows.map(rowToRefund);
    },
  };
}
