import type { LedgerAggregateRow, PaymentAggregateRow, ReportFilter, Store, Tariff } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { type ReportPaymentSpec, type SeededReportPayment, seedReportPayment } from '../report-seed';
import { seedMerchant } from './seed';

// Three monthly buckets of 2026 (UTC), and instants inside and around them.
const B = [
  new Date('2026-01-01T00:00:00Z'),
  new Date('2026-02-01T00:00:00Z'),
  new Date('2026-03-01T00:00:00Z'),
  new Date('2026-04-01T00:00:00Z'),
];
const at = (iso: string) => new Date(iso);
const TARIFF: Tariff = { percentBps: 250, fixed: { RUB: 1_500, USD: 30 } };

/** The bucket of an instant, by a plain scan (independent of the store's way). */
function bucketOf(t: Date, boundaries: readonly Date[]): number | null {
  for (let i = 0; i + 1 < boundaries.length; i++) {
    if (t >= (boundaries[i] as Date) && t < (boundaries[i + 1] as Date)) return i;
  }
  return null;
}

interface Seeded {
  spec: ReportPaymentSpec;
  result: SeededReportPayment;
}

function expectedPayments(seeded: Seeded[], boundaries: readonly Date[], filter: ReportFilter = {}) {
  const rows = new Map<string, PaymentAggregateRow>();
  for (const { spec, result } of seeded) {
    const bucket = bucketOf(spec.createdAt, boundaries);
    const method = spec.method ?? 'card';
    if (bucket === null) continue;
    if (filter.method !== undefined && filter.method !== method) continue;
    if (filter.currency !== undefined && filter.currency !== spec.currency) continue;
    if (filter.status !== undefined && filter.status !== result.finalStatus) continue;
    const key = `${bucket}|${spec.currency}|${result.finalStatus}|${method}`;
    const row = rows.get(key) ?? {
      bucket,
      currency: spec.currency,
      status: result.finalStatus,
      method,
      shopId: null,
      count: 0,
      amount: 0,
    };
    row.count += 1;
    row.amount += spec.amount;
    rows.set(key, row);
  }
  return sortRows([...rows.values()]);
}

function expectedLedger(seeded: Seeded[], boundaries: readonly Date[], filter: ReportFilter = {}) {
  const rows = new Map<string, LedgerAggregateRow>();
  const row = (bucket: number, currency: string) => {
    const key = `${bucket}|${currency}`;
    const existing = rows.get(key);
    if (existing) return existing;
    const fresh = { bucket, currency, captured: 0, captureCount: 0, fees: 0, refunded: 0, refundCount: 0 };
    rows.set(key, fresh);
    return fresh;
  };
  for (const { spec, result } of seeded) {
    if (spec.outcome !== 'captured') continue;
    if (filter.method !== undefined && filter.method !== (spec.method ?? 'card')) continue;
    if (filter.currency !== undefined && filter.currency !== spec.currency) continue;
    if (filter.status !== undefined && filter.status !== result.finalStatus) continue;
    const captureBucket = bucketOf(spec.capturedAt ?? spec.createdAt, boundaries);
    if (captureBucket !== null) {
      const r = row(captureBucket, spec.currency);
      r.captured += spec.amount;
      r.captureCount += 1;
      r.fees += result.fee;
    }
    for (const refund of spec.refunds ?? []) {
      const refundBucket = bucketOf(refund.at, boundaries);
      if (refundBucket === null) continue;
      const r = row(refundBucket, spec.currency);
      r.refunded += refund.amount;
      r.refundCount += 1;
    }
  }
  return sortRows([...rows.values()]);
}

function sortRows<R extends { bucket: number; currency: string; status?: string; method?: string }>(
  rows: R[],
): R[] {
  const key = (r: R) =>
    `${String(r.bucket).padStart(5, '0')}|${r.currency}|${r.status ?? ''}|${r.method ?? ''}`;
  return [...rows].sort((a, b) => key(a).localeCompare(key(b)));
}

/** A merchant with payments in every bucket, both currencies, several methods and outcomes, plus noise. */
async function seedReportData(store: Store) {
  const merchant = await seedMerchant(store, { tariff: TARIFF });
  const other = await seedMerchant(store, { tariff: TARIFF });
  const m = merchant.id;
  const specs: ReportPaymentSpec[] = [
    // January
    {
      merchantId: m,
      currency: 'RUB',
      amount: 100_000,
      createdAt: at('2026-01-01T00:00:00Z'),
      outcome: 'captured',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 250_050,
      method: 'qiwi_wallet',
      createdAt: at('2026-01-15T10:00:00Z'),
      outcome: 'captured',
      refunds: [{ amount: 50_000, at: at('2026-02-03T09:00:00Z') }],
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 9_999,
      createdAt: at('2026-01-20T12:00:00Z'),
      outcome: 'failed',
    },
    {
      merchantId: m,
      currency: 'USD',
      amount: 1_999,
      createdAt: at('2026-01-31T23:59:59.999Z'),
      outcome: 'captured',
    },
    // captured in January, booked in February: counts by creation, money by booking
    {
      merchantId: m,
      currency: 'USD',
      amount: 5_000,
      createdAt: at('2026-01-31T22:00:00Z'),
      capturedAt: at('2026-02-01T00:00:00Z'),
      outcome: 'captured',
    },
    // February
    {
      merchantId: m,
      currency: 'USD',
      amount: 700,
      createdAt: at('2026-02-10T08:00:00Z'),
      outcome: 'authorized',
    },
    {
      merchantId: m,
      currency: 'USD',
      amount: 1_200,
      createdAt: at('2026-02-11T08:00:00Z'),
      outcome: 'canceled',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 3_000,
      createdAt: at('2026-02-12T08:00:00Z'),
      outcome: 'pending',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 80_000,
      method: 'webmoney',
      createdAt: at('2026-02-20T08:00:00Z'),
      outcome: 'captured',
      refunds: [
        { amount: 30_000, at: at('2026-02-21T08:00:00Z') },
        { amount: 50_000, at: at('2026-03-02T08:00:00Z') },
      ],
    },
    // March
    {
      merchantId: m,
      currency: 'RUB',
      amount: 12_345,
      createdAt: at('2026-03-31T23:59:59Z'),
      outcome: 'captured',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 777,
      method: 'qiwi_wallet',
      createdAt: at('2026-03-05T00:00:00Z'),
      outcome: 'failed',
    },
    // outside the range: before, and exactly at the last (excluded) boundary
    {
      merchantId: m,
      currency: 'RUB',
      amount: 11_111,
      createdAt: at('2025-12-31T23:59:59Z'),
      outcome: 'captured',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 22_222,
      createdAt: at('2026-04-01T00:00:00Z'),
      outcome: 'captured',
    },
    // live mode and another merchant: never in this merchant's test-mode report
    {
      merchantId: m,
      mode: 'live',
      currency: 'RUB',
      amount: 33_333,
      createdAt: at('2026-02-02T00:00:00Z'),
      outcome: 'captured',
    },
    {
      merchantId: other.id,
      currency: 'RUB',
      amount: 44_444,
      createdAt: at('2026-02-02T00:00:00Z'),
      outcome: 'captured',
    },
  ];
  const seeded: Seeded[] = [];
  for (const spec of specs) {
    seeded.push({ spec, result: await seedReportPayment(store, { tariff: TARIFF, ...spec }) });
  }
  // The expectations below are about this merchant's test mode only.
  const mine = seeded.filter((s) => s.spec.merchantId === m && (s.spec.mode ?? 'test') === 'test');
  return { merchant, other, seeded: mine };
}

export const reportCases: ContractCase[] = [
  {
    name: 'reports: payment aggregates per bucket, currency, status and method, scoped to merchant and mode',
    async run({ store }) {
      const { merchant, seeded } = await seedReportData(store);
      const rows = await store.reports.paymentAggregates({
        merchantId: merchant.id,
        mode: 'test',
        boundaries: B,
      });
      expect(sortRows(rows)).toEqual(expectedPayments(seeded, B));
      // Spot checks written out by hand, so that the expectation helper is checked too.
      const january = rows.filter((r) => r.bucket === 0);
      expect(january.filter((r) => r.currency === 'RUB').reduce((s, r) => s + r.amount, 0)).toBe(
        100_000 + 250_050 + 9_999,
      );
      expect(january.filter((r) => r.currency === 'USD').reduce((s, r) => s + r.count, 0)).toBe(2);
      expect(
        rows.some(
          (r) => r.amount === 11_111 || r.amount === 22_222 || r.amount === 33_333 || r.amount === 44_444,
        ),
      ).toBe(false);
      expect(
        await store.reports.paymentAggregates({ merchantId: merchant.id, mode: 'live', boundaries: B }),
      ).toEqual([
        {
          bucket: 1,
          currency: 'RUB',
          status: 'succeeded',
          method: 'card',
          shopId: null,
          count: 1,
          amount: 33_333,
        },
      ]);
    },
  },
  {
    name: 'reports: ledger aggregates — captured, fees, refunds by booking time, never across currencies',
    async run({ store }) {
      const { merchant, seeded } = await seedReportData(store);
      const rows = await store.reports.ledgerAggregates({
        merchantId: merchant.id,
        mode: 'test',
        boundaries: B,
      });
      expect(sortRows(rows)).toEqual(expectedLedger(seeded, B));
      // By hand: 2.5 % + 15.00 RUB / 0.30 USD, rounded half up.
      const feb = rows.filter((r) => r.bucket === 1);
      expect(feb.find((r) => r.currency === 'USD')).toEqual({
        bucket: 1,
        currency: 'USD',
        captured: 5_000,
        captureCount: 1,
        fees: 125 + 30,
        refunded: 0,
        refundCount: 0,
      });
      expect(feb.find((r) => r.currency === 'RUB')).toEqual({
        bucket: 1,
        currency: 'RUB',
        captured: 80_000,
        captureCount: 1,
        fees: 2_000 + 1_500,
        refunded: 50_000 + 30_000,
        refundCount: 2,
      });
    },
  },
  {
    name: 'reports: filters by method, currency and status apply to payments and to their ledger entries',
    async run({ store }) {
      const { merchant, seeded } = await seedReportData(store);
      const filters: ReportFilter[] = [
        { method: 'qiwi_wallet' },
        { currency: 'USD' },
        { status: 'refunded' },
        { method: 'card', currency: 'RUB', status: 'succeeded' },
        { method: 'no_such_method' },
      ];
      for (const filter of filters) {
        const scope = { merchantId: merchant.id, mode: 'test' as const, boundaries: B, filter };
        expect(sortRows(await store.reports.paymentAggregates(scope)), JSON.stringify(filter)).toEqual(
          expectedPayments(seeded, B, filter),
        );
        expect(sortRows(await store.reports.ledgerAggregates(scope)), JSON.stringify(filter)).toEqual(
          expectedLedger(seeded, B, filter),
        );
      }
    },
  },
  {
    name: 'reports: a row on a boundary belongs to the later bucket; uneven buckets work; bad boundaries are refused',
    async run({ store }) {
      const { merchant, seeded } = await seedReportData(store);
      // A day, then the rest of January, then 59 days: boundaries need not be evenly spaced.
      const uneven = [
        at('2026-01-01T00:00:00Z'),
        at('2026-01-02T00:00:00Z'),
        at('2026-02-01T00:00:00Z'),
        at('2026-04-01T00:00:00Z'),
      ];
      const scope = { merchantId: merchant.id, mode: 'test' as const, boundaries: uneven };
      expect(sortRows(await store.reports.paymentAggregates(scope))).toEqual(
        expectedPayments(seeded, uneven),
      );
      expect(sortRows(await store.reports.ledgerAggregates(scope))).toEqual(expectedLedger(seeded, uneven));
      const firstDay = (await store.reports.paymentAggregates(scope)).filter((r) => r.bucket === 0);
      expect(firstDay).toEqual([
        {
          bucket: 0,
          currency: 'RUB',
          status: 'succeeded',
          method: 'card',
          shopId: null,
          count: 1,
          amount: 100_000,
        },
      ]);
      // An empty period has no rows.
      const empty = { ...scope, boundaries: [at('2030-01-01T00:00:00Z'), at('2030-02-01T00:00:00Z')] };
      expect(await store.reports.paymentAggregates(empty)).toEqual([]);
      expect(await store.reports.ledgerAggregates(empty)).toEqual([]);
      await expect(
        store.reports.paymentAggregates({ ...scope, boundaries: [B[1] as Date, B[0] as Date] }),
      ).rejects.toThrow();
      await expect(
        store.reports.ledgerAggregates({ ...scope, boundaries: [B[0] as Date] }),
      ).rejects.toThrow();
    },
  },
];
