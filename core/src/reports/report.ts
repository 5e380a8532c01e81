import type { Mode } from '../payments';
import {
  type LedgerAggregateRow,
  type PaymentAggregateRow,
  REPORT_MAX_BOUNDARIES,
  type ReportFilter,
  type ReportRepository,
} from '../ports/store-reports';
import { boundariesOf, type ReportBucket, realtimeBuckets, yearMonths } from './buckets';
import { byShopId, type CurrencyFigures, changeRatio, figuresOf, type ShopFigures } from './figures';

/**
 * Reports composed from the store's aggregates. The store does the heavy part (GROUP BY over an index);
 * what is left here is folding at most buckets × currencies × statuses × methods small rows.
 */

export interface ReportSubject {
  merchantId: string;
  mode: Mode;
  filter?: ReportFilter;
}

export interface BucketFigures {
  bucket: ReportBucket;
  currencies: CurrencyFigures[];
}

/** The most buckets one store call covers; longer periods are fetched chunk by chunk. */
export const REPORT_CHUNK_BUCKETS = REPORT_MAX_BOUNDARIES - 1;

async function aggregates(
  reports: ReportRepository,
  subject: ReportSubject,
  boundaries: Date[],
): Promise<{ payments: PaymentAggregateRow[]; ledger: LedgerAggregateRow[] }> {
  const scope = { merchantId: subject.merchantId, mode: subject.mode, boundaries, filter: subject.filter };
  const [payments, ledger] = await Promise.all([
    reports.paymentAggregates(scope),
    reports.ledgerAggregates(scope),
  ]);
  return { payments, ledger };
}

function figuresPerBucket(
  buckets: readonly ReportBucket[],
  rows: { payments: PaymentAggregateRow[]; ledger: LedgerAggregateRow[] },
  offset = 0,
): BucketFigures[] {
  return buckets.map((bucket, i) => ({
    bucket,
    currencies: figuresOf(
      rows.payments.filter((r) => r.bucket === i + offset),
      rows.ledger.filter((r) => r.bucket === i + offset),
    ),
  }));
}

/** Figures bucket by bucket, asking the store for at most REPORT_CHUNK_BUCKETS buckets at a time (CSV export). */
export async function* streamPeriodFigures(
  reports: ReportRepository,
  subject: ReportSubject,
  buckets: readonly ReportBucket[],
): AsyncGenerator<BucketFigures> {
  for (let start = 0; start < buckets.length; start += REPORT_CHUNK_BUCKETS) {
    const chunk = buckets.slice(start, start + REPORT_CHUNK_BUCKETS);
    const rows = await aggregates(reports, subject, boundariesOf(chunk));
    yield* figuresPerBucket(chunk, rows);
  }
}

/** Totals over several buckets' figures, per currency. */
export function totalsOf(buckets: readonly BucketFigures[]): CurrencyFigures[] {
  const payments: Omit<PaymentAggregateRow, 'bucket'>[] = [];
  const ledger: Omit<LedgerAggregateRow, 'bucket'>[] = [];
  for (const { currencies } of buckets) {
    for (const f of currencies) {
      for (const s of f.byStatus) {
        // Methods are re-split below; status rows carry counts and amounts exactly once.
        payments.push({
          currency: f.currency,
          status: s.status,
          method: '',
          shopId: null,
          count: s.count,
          amount: s.amount,
        });
      }
      ledger.push({
        currency: f.currency,
        captured: f.captured,
        captureCount: f.captureCount,
        fees: f.fees,
        refunded: f.refunded,
        refundCount: f.refundCount,
      });
    }
  }
  const totals = figuresOf(payments, ledger);
  // Per-method totals: summed straight from the buckets' method rows.
  for (const t of totals) {
    const methods = new Map<string, CurrencyFigures['byMethod'][number]>();
    for (const { currencies } of buckets) {
      for (const m of currencies.find((f) => f.currency === t.currency)?.byMethod ?? []) {
        const sum = methods.get(m.method) ?? {
          method: m.method,
          count: 0,
          amount: 0,
          paidCount: 0,
          paidAmount: 0,
        };
        sum.count += m.count;
        sum.amount += m.amount;
        sum.paidCount += m.paidCount;
        sum.paidAmount += m.paidAmount;
        methods.set(m.method, sum);
      }
    }
    t.byMethod = [...methods.values()].sort((a, b) => a.method.localeCompare(b.method));
    // Per-shop totals likewise, from the buckets' shop rows.
    const shops = new Map<string | null, ShopFigures>();
    for (const { currencies } of buckets) {
      for (const x of currencies.find((f) => f.currency === t.currency)?.byShop ?? []) {
        const sum = shops.get(x.shopId) ?? {
          shopId: x.shopId,
          count: 0,
          amount: 0,
          paidCount: 0,
          paidAmount: 0,
        };
        sum.count += x.count;
        sum.amount += x.amount;
        sum.paidCount += x.paidCount;
        sum.paidAmount += x.paidAmount;
        shops.set(x.shopId, sum);
      }
    }
    t.byShop = [...shops.values()].sort(byShopId);
  }
  return totals;
}

export interface PeriodReport {
  buckets: BucketFigures[];
  totals: CurrencyFigures[];
}

/** A period report held in memory (the JSON answer; callers keep `buckets` to REPORT_CHUNK_BUCKETS). */
export async function periodReport(
  reports: ReportRepository,
  subject: ReportSubject,
  buckets: readonly ReportBucket[],
): Promise<PeriodReport> {
  const all: BucketFigures[] = [];
  for await (const b of streamPeriodFigures(reports, subject, buckets)) all.push(b);
  return { buckets: all, totals: totalsOf(all) };
}

export interface RealtimeReport {
  asOf: Date;
  today: BucketFigures;
  week: BucketFigures;
}

/** Today and this ISO week so far, in the zone. One pair of store queries. */
export async function realtimeReport(
  reports: ReportRepository,
  subject: ReportSubject & { now: Date; timeZone: string },
): Promise<RealtimeReport> {
  const { today, week } = realtimeBuckets(subject.now, subject.timeZone);
  const split = week.from.getTime() < today.from.getTime();
  const boundaries = split ? [week.from, today.from, today.to] : [today.from, today.to];
  const rows = await aggregates(reports, subject, boundaries);
  const todayIndex = split ? 1 : 0;
  const pick = <R extends { bucket: number }>(list: R[], only?: number) =>
    list.filter((r) => only === undefined || r.bucket === only);
  return {
    asOf: subject.now,
    today: {
      bucket: today,
      currencies: figuresOf(pick(rows.payments, todayIndex), pick(rows.ledger, todayIndex)),
    },
    week: { bucket: week, currencies: figuresOf(rows.payments, rows.ledger) },
  };
}

export interface YearOverYear {
  currency: string;
  paymentCount: number | null;
  paidAmount: number | null;
  captured: number | null;
  refunded: number | null;
  fees: number | null;
  net: number | null;
}

export interface AnnualReport {
  year: number;
  months: BucketFigures[];
  totals: CurrencyFigures[];
  /** The same figures for the year before; null when that year has no data at all. */
  previousYear: { year: number; months: BucketFigures[]; totals: CurrencyFigures[] } | null;
  /** Change against the previous year per currency, as (this − last) / last; null where last was 0. */
  yearOverYear: YearOverYear[];
}

/** A calendar year by month, with the year before for comparison. One pair of store queries. */
export async function annualReport(
  reports: ReportRepository,
  subject: ReportSubject & { year: number; timeZone: string },
): Promise<AnnualReport> {
  const previous = yearMonths(subject.year - 1, subject.timeZone);
  const current = yearMonths(subject.year, subject.timeZone);
  const rows = await aggregates(reports, subject, boundariesOf([...previous, ...current]));
  const previousMonths = figuresPerBucket(previous, rows);
  const months = figuresPerBucket(current, rows, previous.length);
  const totals = totalsOf(months);
  const hasPrevious = previousMonths.some((m) => m.currencies.length > 0);
  const previousTotals = hasPrevious ? totalsOf(previousMonths) : [];
  const yearOverYear = hasPrevious
    ? totals.map((t) => {
        const p = previousTotals.find((x) => x.currency === t.currency);
        const ratio = (field: 'paymentCount' | 'paidAmount' | 'captured' | 'refunded' | 'fees' | 'net') =>
          changeRatio(t[field], p?.[field] ?? 0);
        return {
          currency: t.currency,
          paymentCount: ratio('paymentCount'),
          paidAmount: ratio('paidAmount'),
          captured: ratio('captured'),
          refunded: ratio('refunded'),
          fees: ratio('fees'),
          net: ratio('net'),
        };
      })
    : [];
  return {
    year: subject.year,
    months,
    totals,
    previousYear: hasPrevious
      ? { year: subject.year - 1, months: previousMonths, totals: previousTotals }
      : null,
    yearOverYear,
  };
}
