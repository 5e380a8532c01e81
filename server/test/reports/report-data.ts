import { computeFee, type Mode, type Store, type Tariff } from '@payrail/core';
import type { SeededReportPayment } from '@payrail/testkit';
import { type ReportPaymentSpec, seedReportPayment } from '@payrail/testkit';

/** Independent expectations for report tests: what the figures must be, from the seeded histories. */

export const TARIFF: Tariff = { percentBps: 250, fixed: { RUB: 1_500, USD: 30 } };
export const at = (iso: string) => new Date(iso);

/** A method name that needs CSV quoting and would be a formula in a spreadsheet. */
export const AWKWARD_METHOD = '=we"ird;method,x';

export interface Seeded {
  spec: ReportPaymentSpec;
  result: SeededReportPayment;
}

export function specsFor(merchantId: string, other: string): ReportPaymentSpec[] {
  const m = merchantId;
  return [
    // 2025, for the year-over-year comparison
    {
      merchantId: m,
      currency: 'RUB',
      amount: 50_000,
      createdAt: at('2025-06-10T10:00:00Z'),
      outcome: 'captured',
    },
    {
      merchantId: m,
      currency: 'USD',
      amount: 1_000,
      createdAt: at('2025-11-05T10:00:00Z'),
      outcome: 'captured',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 4_000,
      createdAt: at('2025-11-06T10:00:00Z'),
      outcome: 'failed',
    },
    // 2026
    {
      merchantId: m,
      currency: 'RUB',
      amount: 100_000,
      createdAt: at('2026-01-05T12:00:00Z'),
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
    // January in UTC, February in Moscow (UTC+3)
    {
      merchantId: m,
      currency: 'USD',
      amount: 1_999,
      createdAt: at('2026-01-31T23:30:00Z'),
      outcome: 'captured',
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
    // this week (NOW is Wednesday 2026-03-18 10:00 UTC)
    {
      merchantId: m,
      currency: 'RUB',
      amount: 3_000,
      createdAt: at('2026-03-16T08:00:00Z'),
      outcome: 'pending',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 5_000,
      method: AWKWARD_METHOD,
      createdAt: at('2026-03-17T10:00:00Z'),
      outcome: 'captured',
    },
    {
      merchantId: m,
      currency: 'RUB',
      amount: 12_345,
      createdAt: at('2026-03-18T09:00:00Z'),
      outcome: 'captured',
    },
    { merchantId: m, currency: 'RUB', amount: 777, createdAt: at('2026-03-18T09:30:00Z'), outcome: 'failed' },
    // never in this merchant's test-mode reports
    {
      merchantId: m,
      mode: 'live',
      currency: 'RUB',
      amount: 33_333,
      createdAt: at('2026-02-02T00:00:00Z'),
      outcome: 'captured',
    },
    {
      merchantId: other,
      currency: 'RUB',
      amount: 44_444,
      createdAt: at('2026-02-02T00:00:00Z'),
      outcome: 'captured',
    },
  ];
}

export async function seedAll(store: Store, specs: ReportPaymentSpec[]): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  for (const spec of specs)
    seeded.push({ spec, result: await seedReportPayment(store, { tariff: TARIFF, ...spec }) });
  return seeded;
}

const PAID = ['authorized', 'succeeded', 'partially_refunded', 'refunded'];

export interface ExpectedFigures {
  currency: string;
  payment_count: number;
  payment_amount: number;
  paid_count: number;
  paid_amount: number;
  failed_count: number;
  canceled_count: number;
  pending_count: number;
  success_rate: number | null;
  captured: number;
  capture_count: number;
  average_ticket: number | null;
  fees: number;
  refunded: number;
  refund_count: number;
  net: number;
}

/** The figures of [from, to) per currency, summed here from the seeded histories (sorted by currency). */
export function expectedFigures(
  seeded: Seeded[],
  scope: { merchantId: string; mode?: Mode },
  from: Date,
  to: Date,
): ExpectedFigures[] {
  const inRange = (t: Date) => t >= from && t < to;
  const out = new Map<string, ExpectedFigures>();
  const get = (currency: string) => {
    let f = out.get(currency);
    if (!f) {
      f = {
        currency,
        payment_count: 0,
        payment_amount: 0,
        paid_count: 0,
        paid_amount: 0,
        failed_count: 0,
        canceled_count: 0,
        pending_count: 0,
        success_rate: null,
        captured: 0,
        capture_count: 0,
        average_ticket: null,
        fees: 0,
        refunded: 0,
        refund_count: 0,
        net: 0,
      };
      out.set(currency, f);
    }
    return f;
  };
  for (const { spec, result } of seeded) {
    if (spec.merchantId !== scope.merchantId || (spec.mode ?? 'test') !== (scope.mode ?? 'test')) continue;
    if (inRange(spec.createdAt)) {
      const f = get(spec.currency);
      f.payment_count += 1;
      f.payment_amount += spec.amount;
      if (PAID.includes(result.finalStatus)) {
        f.paid_count += 1;
        f.paid_amount += spec.amount;
      } else if (result.finalStatus === 'failed') f.failed_count += 1;
      else if (result.finalStatus === 'canceled') f.canceled_count += 1;
      else f.pending_count += 1;
    }
    if (spec.outcome === 'captured' && inRange(spec.capturedAt ?? spec.createdAt)) {
      const f = get(spec.currency);
      f.captured += spec.amount;
      f.capture_count += 1;
      f.fees += computeFee(spec.amount, spec.currency, TARIFF);
    }
    for (const refund of spec.refunds ?? []) {
      if (!inRange(refund.at)) continue;
      const f = get(spec.currency);
      f.refunded += refund.amount;
      f.refund_count += 1;
    }
  }
  for (const f of out.values()) {
    const decided = f.paid_count + f.failed_count;
    f.success_rate = decided === 0 ? null : Math.round((f.paid_count / decided) * 10_000) / 10_000;
    f.average_ticket = f.capture_count === 0 ? null : Math.round(f.captured / f.capture_count);
    f.net = f.captured - f.fees - f.refunded;
  }
  return [...out.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** The summary part of figures from the API (drops the breakdown lists). */
export function summaryOf(figures: Array<Record<string, unknown>>) {
  return figures.map(({ by_status: _s, by_method: _m, by_shop: _shop, ...rest }) => rest);
}

/** RFC 4180 parser for the tests: quoted fields, doubled quotes, CRLF records. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') throw new Error(`bare line break at ${i}`);
    else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('last record does not end with CRLF');
  return rows;
}
