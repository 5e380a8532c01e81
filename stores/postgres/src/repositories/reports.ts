import {
  type PaymentAggregateRow,
  PayrailError,
  pivotLedgerLines,
  REPORT_MAX_BOUNDARIES,
  type ReportRepository,
  type ReportScope,
} from '@payrail/core';
import type { Db, Queryable } from '../db';
import { Where } from './pagination';
import { type Ranges, REPORT_LINES, splitForRollups } from './report-rollups';

/**
 * Report aggregates as GROUP BY queries. Both read one merchant, mode and time range through a covering
 * index (migration 0006), so the cost grows with the merchant's rows in the period, not the table.
 * `width_bucket(t, boundaries)` numbers the bucket of each row (1-based) with a binary search over the
 * boundaries the caller computed in the report's time zone.
 */
export function liveReportRepository(db: Db): ReportRepository {
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

interface LineRow {
  bucket: number;
  currency: string;
  posting_kind: string;
  account: string;
  amount: number;
  count: number;
}

/**
 * The report port over the daily rollups (migration 0018, repositories/report-rollups.ts): whole clean UTC
 * days come from the rollup tables, the rest of the range from the same live GROUP BY as
 * `liveReportRepository`, so the answers are equal to it. Each call reads in one REPEATABLE READ snapshot,
 * so the rollup state, the dirty marks and the rows agree. Ledger figures filtered by a payment's method,
 * status or shop (not in the ledger rollup) stay live.
 */
export function reportRepository(db: Db): ReportRepository {
  const live = liveReportRepository(db);
  return {
    async paymentAggregates(scope) {
      scoped(scope);
      return snapshot(db, async (tx) => {
        const { rolled, live: rest } = await plan(tx, scope);
        const filters: string[] = [];
        const values: unknown[] = [
          scope.merchantId,
          scope.mode,
          scope.boundaries,
          rolled.starts,
          rolled.ends,
          rest.starts,
          rest.ends,
        ];
        const f = scope.filter ?? {};
        for (const [column, value] of [
          ['method', f.method],
          ['currency', f.currency],
          ['status', f.status],
          ['shop_id', f.shopId],
        ] as const) {
          if (value === undefined) continue;
          values.push(value);
          filters.push(`AND t.${column} = $${values.length}`);
        }
        const filter = filters.join(' ');
        const { rows } = await tx.query<PaymentAggregateRow>(
          `SELECT bucket, currency, status, method, "shopId", sum(count)::integer AS count, sum(amount)::bigint AS amount
             FROM (
               SELECT width_bucket(t.day, $3::timestamptz[]) - 1 AS bucket, t.currency, t.status, t.method,
                      t.shop_id AS "shopId", t.count, t.amount
                 FROM unnest($4::timestamptz[], $5::timestamptz[]) AS r(s, e)
                 JOIN payment_daily_rollups t ON t.merchant_id = $1 AND t.mode = $2 AND t.day >= r.s AND t.day < r.e
                WHERE true ${filter}
               UNION ALL
               SELECT width_bucket(t.created_at, $3::timestamptz[]) - 1, t.currency, t.status, t.method, t.shop_id,
                      count(*), sum(t.amount)
                 FROM unnest($6::timestamptz[], $7::timestamptz[]) AS r(s, e)
                 JOIN payments t ON t.merchant_id = $1 AND t.mode = $2 AND t.created_at >= r.s AND t.created_at < r.e
                WHERE true ${filter}
                GROUP BY 1, 2, 3, 4, 5
             ) AS u
            GROUP BY bucket, currency, status, method, "shopId"`,
          values,
        );
        return rows;
      });
    },

    async ledgerAggregates(scope) {
      const { method, status, shopId, currency } = scope.filter ?? {};
      if (method !== undefined || status !== undefined || shopId !== undefined)
        return live.ledgerAggregates(scope);
      scoped(scope);
      return snapshot(db, async (tx) => {
        const { rolled, live: rest } = await plan(tx, scope);
        const values: unknown[] = [
          scope.merchantId,
          scope.mode,
          scope.boundaries,
          rolled.starts,
          rolled.ends,
          rest.starts,
          rest.ends,
        ];
        let filter = '';
        if (currency !== undefined) {
          values.push(currency);
          filter = `AND t.currency = $${values.length}`;
        }
        const { rows } = await tx.query<LineRow>(
          `SELECT bucket, currency, posting_kind, account, sum(amount)::bigint AS amount, sum(count)::integer AS count
             FROM (
               SELECT width_bucket(t.day, $3::timestamptz[]) - 1 AS bucket, t.currency, t.posting_kind, t.account,
                      t.amount, t.count
                 FROM unnest($4::timestamptz[], $5::timestamptz[]) AS r(s, e)
                 JOIN ledger_daily_rollups t ON t.merchant_id = $1 AND t.mode = $2 AND t.day >= r.s AND t.day < r.e
                WHERE true ${filter}
               UNION ALL
               SELECT width_bucket(t.created_at, $3::timestamptz[]) - 1, t.currency, t.posting_kind, t.account,
                      sum(t.amount), count(*)
                 FROM unnest($6::timestamptz[], $7::timestamptz[]) AS r(s, e)
                 JOIN ledger_entries t ON t.merchant_id = $1 AND t.mode = $2 AND t.created_at >= r.s AND t.created_at < r.e
                WHERE ${REPORT_LINES} ${filter}
                GROUP BY 1, 2, 3, 4
             ) AS u
            GROUP BY bucket, currency, posting_kind, account`,
          values,
        );
        return pivotLedgerLines(
          rows.map(({ posting_kind, ...line }) => ({ ...line, postingKind: posting_kind })),
        );
      });
    },
  };
}

/** The body in a read-only REPEATABLE READ transaction: all its statements see one snapshot. */
function snapshot<T>(db: Db, body: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return body(tx);
  });
}

/** The scope's rolled-up days and live ranges, from the rollup state and the merchant's dirty days. */
async function plan(tx: Queryable, scope: ReportScope): Promise<{ rolled: Ranges; live: Ranges }> {
  const first = scope.boundaries[0] as Date;
  const last = scope.boundaries[scope.boundaries.length - 1] as Date;
  const { rows } = await tx.query<{ rolled_until: Date | null; dirty: Date[] | null }>(
    `SELECT CASE WHEN rolled_until = '-infinity' THEN NULL ELSE rolled_until END AS rolled_until,
            (SELECT array_agg(day) FROM report_dirty_days
              WHERE merchant_id = $1 AND mode = $2 AND day >= $3::timestamptz - interval '1 day' AND day < $4) AS dirty
       FROM report_rollup_state`,
    [scope.merchantId, scope.mode, first, last],
  );
  const row = rows[0];
  const dirty = new Set((row?.dirty ?? []).map((d) => new Date(d).getTime()));
  return splitForRollups(scope.boundaries, row?.rolled_until ?? null, dirty);
}
