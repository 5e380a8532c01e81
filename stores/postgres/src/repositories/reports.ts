import {
  type PaymentAggregateRow,
  PayrailError,
  pivotLedgerLines,
  REPORT_MAX_BOUNDARIES,
  type ReportRepository,
  type ReportScope,
} from '@payrail/core';
import type { Db } from '../db';
import { Where } from './pagination';

/**
 * Report aggregates as GROUP BY queries. Both read one merchant, mode and time range through a covering
 * index (migration 0006), so the cost grows with the merchant's rows in the period, not the table.
 * `width_bucket(t, boundaries)` numbers the bucket of each row (1-based) with a binary search over the
 * boundaries the caller computed in the report's time zone.
 */
export function reportRepository(db: Db): ReportRepository {
  return {
    async paymentAggregates(scope) {
      const where = scoped(scope);
      applyPaymentFilter(where, scope);
      const rows = await db.query<PaymentAggregateRow>(
        `SELECT width_bucket(created_at, ${where.param(scope.boundaries)}::timestamptz[]) - 1 AS bucket,
                currency, status, method, shop_id AS "shopId",
                count(*)::integer AS count, sum(amount)::bigint AS amount
           FROM payments
          WHERE ${where.text}
          GROUP BY 1, currency, status, method, shop_id`,
        where.values,
      );
      return rows;
    },

    async ledgerAggregates(scope) {
      const where = scoped(scope);
      // Only the lines the figures need; written exactly as the partial index's predicate (migration 0006).
      where.conditions.push(REPORT_LINES);
      where.addIf('currency = ?', scope.filter?.currency);
      const { method, status, shopId } = scope.filter ?? {};
      if (method !== undefined || status !== undefined || shopId !== undefined) {
        // Method, status and shop live on the payment: keep the entries of matching payments only.
        const match = ['p.id = ledger_entries.payment_id'];
        if (method !== undefined) match.push(`p.method = ${where.param(method)}`);
        if (status !== undefined) match.push(`p.status = ${where.param(status)}`);
        if (shopId !== undefined) match.push(`p.shop_id = ${where.param(shopId)}`);
        where.conditions.push(`EXISTS (SELECT 1 FROM payments p WHERE ${match.join(' AND ')})`);
      }
      // A plain GROUP BY on the line's kind and account is about twice as fast as FILTER clauses per
      // figure (measured, bench/README.md); the rows are pivoted into figures below.
      const rows = await db.query<LineRow>(
        `SELECT width_bucket(created_at, ${where.param(scope.boundaries)}::timestamptz[]) - 1 AS bucket,
                currency, posting_kind, account, sum(amount)::bigint AS amount, count(*)::integer AS count
           FROM ledger_entries
          WHERE ${where.text}
          GROUP BY 1, currency, posting_kind, account`,
        where.values,
      );
      return pivotLedgerLines(
        rows.map(({ posting_kind, ...line }) => ({ ...line, postingKind: posting_kind })),
      );
    },
  };
}

/** merchant, mode and [first boundary, last boundary), after checking the boundaries. */
function scoped(scope: ReportScope): Where {
  const { boundaries } = scope;
  if (boundaries.length < 2 || boundaries.length > REPORT_MAX_BOUNDARIES) {
    throw invalid(`A report takes 2 to ${REPORT_MAX_BOUNDARIES} boundaries, got ${boundaries.length}`);
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (!((boundaries[i] as Date).getTime() > (boundaries[i - 1] as Date).getTime()))
      throw invalid('Report boundaries must be strictly increasing');
  }
  return new Where()
    .add('merchant_id = ?', scope.merchantId)
    .add('mode = ?', scope.mode)
    .add('created_at >= ?', boundaries[0])
    .add('created_at < ?', boundaries[boundaries.length - 1]);
}

function applyPaymentFilter(where: Where, scope: ReportScope): void {
  where
    .addIf('method = ?', scope.filter?.method)
    .addIf('currency = ?', scope.filter?.currency)
    .addIf('status = ?', scope.filter?.status)
    .addIf('shop_id = ?', scope.filter?.shopId);
}

const invalid = (message: string) => new PayrailError('PAYRAIL_ERR_INTERNAL', { message });

const REPORT_LINES = `((posting_kind = 'capture' AND account IN ('provider_clearing', 'psp_fees'))
     OR (posting_kind = 'refund' AND account = 'merchant_balance'))`;

interface LineRow {
  bucket: number;
  currency: string;
  posting_kind: string;
  account: string;
  amount: number;
  count: number;
}
