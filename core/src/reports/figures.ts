import type { PaymentStatus } from '../payments';
import type { LedgerAggregateRow, PaymentAggregateRow } from '../ports/store-reports';

/** Statuses in which the buyer's money was accepted (authorized or captured, refunded or not). */
export const PAID_STATUSES: readonly PaymentStatus[] = [
  'authorized',
  'succeeded',
  'partially_refunded',
  'refunded',
];
/** Not decided yet: neither paid nor failed nor canceled. */
export const PENDING_STATUSES: readonly PaymentStatus[] = [
  'requires_payment_method',
  'requires_action',
  'processing',
];

/**
 * The figures of one currency over one period. Payment counts are by creation time; money (`captured`,
 * `fees`, `refunded`, `net`) comes from the ledger by booking time. Never summed across currencies.
 */
export interface CurrencyFigures {
  currency: string;
  /** Every payment created in the period, whatever its status, and the sum of their amounts. */
  paymentCount: number;
  paymentAmount: number;
  paidCount: number;
  paidAmount: number;
  failedCount: number;
  canceledCount: number;
  pendingCount: number;
  /** paid / (paid + failed), 4 decimals; null when nothing was decided. Canceled and pending do not count. */
  successRate: number | null;
  captured: number;
  captureCount: number;
  /** captured / captureCount, rounded half up to a minor unit; null without captures. */
  averageTicket: number | null;
  fees: number;
  refunded: number;
  refundCount: number;
  /** captured − fees − refunded: what the merchant is owed for the period. */
  net: number;
  byStatus: Array<{ status: PaymentStatus; count: number; amount: number }>;
  byMethod: Array<{ method: string; count: number; amount: number; paidCount: number; paidAmount: number }>;
  /** Per shop; `shopId` null holds the payments made without a shop. */
  byShop: ShopFigures[];
}

export interface ShopFigures {
  shopId: string | null;
  count: number;
  amount: number;
  paidCount: number;
  paidAmount: number;
}

function emptyFigures(currency: string): CurrencyFigures {
  return {
    currency,
    paymentCount: 0,
    paymentAmount: 0,
    paidCount: 0,
    paidAmount: 0,
    failedCount: 0,
    canceledCount: 0,
    pendingCount: 0,
    successRate: null,
    captured: 0,
    captureCount: 0,
    averageTicket: null,
    fees: 0,
    refunded: 0,
    refundCount: 0,
    net: 0,
    byStatus: [],
    byMethod: [],
    byShop: [],
  };
}

/** Rounds a/b half up for non-negative integers, exactly (no float error on large sums). */
function divideHalfUp(a: number, b: number): number {
  return Number((2n * BigInt(a) + BigInt(b)) / (2n * BigInt(b)));
}

/**
 * Folds aggregate rows (of any buckets) into one figures object per currency, sorted by currency.
 * Adding rows of several buckets gives the figures of their union: every field is a sum or derived from sums.
 */
export function figuresOf(
  paymentRows: readonly Omit<PaymentAggregateRow, 'bucket'>[],
  ledgerRows: readonly Omit<LedgerAggregateRow, 'bucket'>[],
): CurrencyFigures[] {
  const byCurrency = new Map<string, CurrencyFigures>();
  const get = (currency: string) => {
    let figures = byCurrency.get(currency);
    if (!figures) {
      figures = emptyFigures(currency);
      byCurrency.set(currency, figures);
    }
    return figures;
  };
  for (const row of paymentRows) {
    const f = get(row.currency);
    const paid = PAID_STATUSES.includes(row.status);
    f.paymentCount += row.count;
    f.paymentAmount += row.amount;
    if (paid) {
      f.paidCount += row.count;
      f.paidAmount += row.amount;
    } else if (row.status === 'failed') f.failedCount += row.count;
    else if (row.status === 'canceled') f.canceledCount += row.count;
    else f.pendingCount += row.count;
    const status = f.byStatus.find((s) => s.status === row.status);
    if (status) {
      status.count += row.count;
      status.amount += row.amount;
    } else f.byStatus.push({ status: row.status, count: row.count, amount: row.amount });
    let method = f.byMethod.find((m) => m.method === row.method);
    if (!method) {
      method = { method: row.method, count: 0, amount: 0, paidCount: 0, paidAmount: 0 };
      f.byMethod.push(method);
    }
    method.count += row.count;
    method.amount += row.amount;
    if (paid) {
      method.paidCount += row.count;
      method.paidAmount += row.amount;
    }
    const shopId = row.shopId ?? null;
    let shop = f.byShop.find((x) => x.shopId === shopId);
    if (!shop) {
      shop = { shopId, count: 0, amount: 0, paidCount: 0, paidAmount: 0 };
      f.byShop.push(shop);
    }
    shop.count += row.count;
    shop.amount += row.amount;
    if (paid) {
      shop.paidCount += row.count;
      shop.paidAmount += row.amount;
    }
  }
  for (const row of ledgerRows) {
    const f = get(row.currency);
    f.captured += row.captured;
    f.captureCount += row.captureCount;
    f.fees += row.fees;
    f.refunded += row.refunded;
    f.refundCount += row.refundCount;
  }
  for (const f of byCurrency.values()) {
    const decided = f.paidCount + f.failedCount;
    f.successRate = decided === 0 ? null : Math.round((f.paidCount * 10_000) / decided) / 10_000;
    f.averageTicket = f.captureCount === 0 ? null : divideHalfUp(f.captured, f.captureCount);
    f.net = f.captured - f.fees - f.refunded;
    f.byStatus.sort((a, b) => a.status.localeCompare(b.status));
    f.byMethod.sort((a, b) => a.method.localeCompare(b.method));
    f.byShop.sort(byShopId);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Shops by id, the payments without a shop (null) last. */
export const byShopId = (a: { shopId: string | null }, b: { shopId: string | null }): number =>
  a.shopId === b.shopId ? 0 : a.shopId === null ? 1 : b.shopId === null ? -1 : a.shopId < b.shopId ? -1 : 1;

/** (current − previous) / previous, 4 decimals; null when there is nothing to compare with. */
export function changeRatio(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return Math.round(((current - previous) * 10_000) / previous) / 10_000;
}
