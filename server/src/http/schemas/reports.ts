import {
  type AnnualReport,
  type BucketFigures,
  type CurrencyFigures,
  PAYMENT_STATUSES,
  REPORT_GRANULARITIES,
  type RealtimeReport,
  type YearOverYear,
} from '@payrail/core';
import { z } from 'zod';
import { currencySchema } from './common';
import { shopIdParam } from './shops';

/** Query parameters every report takes. Time zone and dates are checked by the route (stable codes). */
const reportFilters = {
  tz: z
    .string()
    .max(64)
    .optional()
    .describe('IANA time zone of the days, weeks and months, e.g. "Europe/Moscow" (default "UTC").'),
  method: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/, { error: 'method looks like "card" or "qiwi_wallet"' })
    .optional()
    .describe('Only payments of this method.'),
  currency: currencySchema.optional().describe('Only this currency.'),
  status: z.enum(PAYMENT_STATUSES).optional().describe('Only payments now in this status.'),
  shop_id: shopIdParam.optional().describe('Only payments of this shop (shop_…, see GET /v1/shops).'),
};

export const REPORT_FORMATS = ['json', 'csv', 'csv-excel'] as const;

const exportParams = {
  format: z
    .enum(REPORT_FORMATS)
    .default('json')
    .describe(
      '"csv": RFC 4180, comma, amounts in minor units. "csv-excel": for spreadsheets — UTF-8 BOM, CRLF, amounts in major units, `;` and decimal comma (or `,` and decimal point with delimiter=comma).',
    ),
  delimiter: z
    .enum(['semicolon', 'comma'])
    .optional()
    .describe('csv-excel only: the list separator of your spreadsheet locale (default semicolon).'),
  breakdown: z
    .enum(['none', 'status', 'method', 'shop'])
    .default('none')
    .describe('CSV only: one row per period and currency (none), or per status, method or shop as well.'),
};

const dateParam = (field: string) =>
  z
    .string({ error: `${field} is required: a date such as 2026-01-31` })
    .max(10)
    .describe(`${field === 'from' ? 'First' : 'Last'} day of the period, YYYY-MM-DD (included).`);

export const realtimeReportQuery = z.strictObject({ ...reportFilters });

export const periodReportQuery = z.strictObject({
  from: dateParam('from'),
  to: dateParam('to'),
  group_by: z
    .enum(REPORT_GRANULARITIES)
    .default('day')
    .describe('Bucket size: day, ISO week or calendar month.'),
  ...reportFilters,
  ...exportParams,
});

export const annualReportQuery = z.strictObject({
  year: z.coerce
    .number({ error: 'year must be a year such as 2026' })
    .int({ error: 'year must be a year such as 2026' })
    .min(1970, { error: 'year must be 1970 or later' })
    .max(9998, { error: 'year must be at most 9998' })
    .optional()
    .describe('Calendar year (default: the current year in tz).'),
  ...reportFilters,
  ...exportParams,
});

/** The annual report's parameters for the PDF: the same filters, no export format. */
export const annualPdfQuery = annualReportQuery.omit({ format: true, delimiter: true, breakdown: true });

export const currencyFiguresSchema = z
  .object({
    currency: z.string(),
    payment_count: z.number().int().describe('Payments created in the period, any status.'),
    payment_amount: z.number().int(),
    paid_count: z.number().int().describe('Of those, authorized, succeeded or (partially) refunded.'),
    paid_amount: z.number().int(),
    failed_count: z.number().int(),
    canceled_count: z.number().int(),
    pending_count: z.number().int(),
    success_rate: z.number().nullable().describe('paid / (paid + failed); null when none was decided.'),
    captured: z.number().int().describe('Captured volume booked in the period (ledger).'),
    capture_count: z.number().int(),
    average_ticket: z.number().int().nullable().describe('captured / capture_count, half up.'),
    fees: z.number().int(),
    refunded: z.number().int(),
    refund_count: z.number().int(),
    net: z.number().int().describe('captured − fees − refunded.'),
    by_status: z.array(z.object({ status: z.string(), count: z.number().int(), amount: z.number().int() })),
    by_method: z.array(
      z.object({
        method: z.string(),
        count: z.number().int(),
        amount: z.number().int(),
        paid_count: z.number().int(),
        paid_amount: z.number().int(),
      }),
    ),
    by_shop: z
      .array(
        z.object({
          shop_id: z.string().nullable().describe('null: payments made without a shop.'),
          count: z.number().int(),
          amount: z.number().int(),
          paid_count: z.number().int(),
          paid_amount: z.number().int(),
        }),
      )
      .describe('Per shop, grouped by the store.'),
  })
  .meta({ id: 'ReportFigures' });

const bucketSchema = z.object({
  start: z.string().describe('First day, YYYY-MM-DD.'),
  end: z.string().describe('Last day (included).'),
  currencies: z.array(currencyFiguresSchema),
});

const filterSchema = z.object({
  method: z.string().optional(),
  currency: z.string().optional(),
  status: z.string().optional(),
  shop_id: z.string().optional(),
});

export const realtimeReportSchema = z
  .object({
    object: z.literal('report.realtime'),
    livemode: z.boolean(),
    time_zone: z.string(),
    as_of: z.string(),
    filter: filterSchema,
    today: bucketSchema,
    this_week: bucketSchema.describe('ISO week so far: Monday to today.'),
  })
  .meta({ id: 'RealtimeReport' });

export const periodReportSchema = z
  .object({
    object: z.literal('report.period'),
    livemode: z.boolean(),
    time_zone: z.string(),
    from: z.string(),
    to: z.string(),
    group_by: z.enum(REPORT_GRANULARITIES),
    filter: filterSchema,
    buckets: z.array(bucketSchema),
    totals: z.array(currencyFiguresSchema),
  })
  .meta({ id: 'PeriodReport' });

const yearOverYearSchema = z.object({
  currency: z.string(),
  payment_count: z.number().nullable(),
  paid_amount: z.number().nullable(),
  captured: z.number().nullable(),
  refunded: z.number().nullable(),
  fees: z.number().nullable(),
  net: z.number().nullable(),
});

export const annualReportSchema = z
  .object({
    object: z.literal('report.annual'),
    livemode: z.boolean(),
    time_zone: z.string(),
    year: z.number().int(),
    filter: filterSchema,
    months: z.array(bucketSchema),
    totals: z.array(currencyFiguresSchema),
    previous_year: z
      .object({
        year: z.number().int(),
        months: z.array(bucketSchema),
        totals: z.array(currencyFiguresSchema),
      })
      .nullable()
      .describe('The year before, by month; null when it has no data.'),
    year_over_year: z
      .array(yearOverYearSchema)
      .describe('Per currency: (this year − last year) / last year; null where last year was 0.'),
  })
  .meta({ id: 'AnnualReport' });

export function figuresResource(f: CurrencyFigures): z.output<typeof currencyFiguresSchema> {
  return {
    currency: f.currency,
    payment_count: f.paymentCount,
    payment_amount: f.paymentAmount,
    paid_count: f.paidCount,
    paid_amount: f.paidAmount,
    failed_count: f.failedCount,
    canceled_count: f.canceledCount,
    pending_count: f.pendingCount,
    success_rate: f.successRate,
    captured: f.captured,
    capture_count: f.captureCount,
    average_ticket: f.averageTicket,
    fees: f.fees,
    refunded: f.refunded,
    refund_count: f.refundCount,
    net: f.net,
    by_status: f.byStatus.map((s) => ({ status: s.status, count: s.count, amount: s.amount })),
    by_method: f.byMethod.map((m) => ({
      method: m.method,
      count: m.count,
      amount: m.amount,
      paid_count: m.paidCount,
      paid_amount: m.paidAmount,
    })),
    by_shop: f.byShop.map((s) => ({
      shop_id: s.shopId,
      count: s.count,
      amount: s.amount,
      paid_count: s.paidCount,
      paid_amount: s.paidAmount,
    })),
  };
}

export function bucketResource(b: BucketFigures): z.output<typeof bucketSchema> {
  return { start: b.bucket.start, end: b.bucket.end, currencies: b.currencies.map(figuresResource) };
}

export function realtimeResource(
  report: RealtimeReport,
  meta: { livemode: boolean; timeZone: string; filter: z.output<typeof filterSchema> },
): z.output<typeof realtimeReportSchema> {
  return {
    object: 'report.realtime',
    livemode: meta.livemode,
    time_zone: meta.timeZone,
    as_of: report.asOf.toISOString(),
    filter: meta.filter,
    today: bucketResource(report.today),
    this_week: bucketResource(report.week),
  };
}

function yearOverYearResource(y: YearOverYear): z.output<typeof yearOverYearSchema> {
  return {
    currency: y.currency,
    payment_count: y.paymentCount,
    paid_amount: y.paidAmount,
    captured: y.captured,
    refunded: y.refunded,
    fees: y.fees,
    net: y.net,
  };
}

export function annualResource(
  report: AnnualReport,
  meta: { livemode: boolean; timeZone: string; filter: z.output<typeof filterSchema> },
): z.output<typeof annualReportSchema> {
  return {
    object: 'report.annual',
    livemode: meta.livemode,
    time_zone: meta.timeZone,
    year: report.year,
    filter: meta.filter,
    months: report.months.map(bucketResource),
    totals: report.totals.map(figuresResource),
    previous_year: report.previousYear
      ? {
          year: report.previousYear.year,
          months: report.previousYear.months.map(bucketResource),
          totals: report.previousYear.totals.map(figuresResource),
        }
      : null,
    year_over_year: report.yearOverYear.map(yearOverYearResource),
  };
}
