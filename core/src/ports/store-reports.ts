import type { Mode, PaymentStatus } from '../payments';

/**
 * Aggregates for merchant reports, computed by the database (GROUP BY / aggregation over indexed fields),
 * never by loading payments into memory.
 *
 * Time buckets are given as explicit boundaries: `boundaries[i] <= t < boundaries[i + 1]` is bucket `i`.
 * The caller computes them in the report's time zone (core/src/reports/time-zone.ts), so adapters need no
 * time-zone database and PostgreSQL, PGlite and MongoDB bucket exactly alike (daylight-saving days are
 * 23 or 25 hours long and months differ in length; boundaries carry that). Rows of empty buckets are
 * absent. Amounts are integer minor units and rows always carry their currency: nothing is summed across
 * currencies.
 */
export interface ReportScope {
  merchantId: string;
  mode: Mode;
  /** Ascending, strictly increasing, 2 to REPORT_MAX_BOUNDARIES instants. */
  boundaries: readonly Date[];
  /** Only payments with this method / currency / status (ledger figures: of payments matching it). */
  filter?: ReportFilter;
}

export interface ReportFilter {
  method?: string;
  currency?: string;
  status?: PaymentStatus;
  /** Only payments of this shop. */
  shopId?: string;
}

/** Most boundaries one call takes (1 000 buckets); longer ranges are asked in several calls. */
export const REPORT_MAX_BOUNDARIES = 1_001;

/** Payments by creation time: one row per bucket, currency, status, method and shop. */
export interface PaymentAggregateRow {
  bucket: number;
  currency: string;
  status: PaymentStatus;
  method: string;
  /** The payment's shop; null for payments made without one. Grouped by the store like the rest. */
  shopId: string | null;
  count: number;
  /** Sum of the payments' requested amounts. */
  amount: number;
}

/**
 * Money moved, from the ledger, by booking time (ledger entry `createdAt`): one row per bucket and
 * currency. `net = captured − fees − refunded` is what the merchant is owed for the bucket.
 */
export interface LedgerAggregateRow {
  bucket: number;
  currency: string;
  /** Captured (gross) volume: the provider-clearing debits of capture postings. */
  captured: number;
  /** Number of capture postings. */
  captureCount: number;
  /** PSP fees taken on those captures. */
  fees: number;
  /** Refunds booked: the merchant-balance debits of refund postings. */
  refunded: number;
  /** Number of refund postings (one per refund). */
  refundCount: number;
}

export interface ReportRepository {
  paymentAggregates(args: ReportScope): Promise<PaymentAggregateRow[]>;
  ledgerAggregates(args: ReportScope): Promise<LedgerAggregateRow[]>;
}
