import { Readable } from 'node:stream';
import {
  annualReport,
  type BucketFigures,
  localDateOf,
  type MerchantScope,
  PayrailError,
  periodBuckets,
  periodReport,
  REPORT_CHUNK_BUCKETS,
  realtimeReport,
  streamPeriodFigures,
} from '@payrail/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf } from '../../http/auth';
import { errorResponses } from '../../http/schemas/common';
import {
  annualPdfQuery,
  annualReportQuery,
  annualReportSchema,
  annualResource,
  bucketResource,
  figuresResource,
  periodReportQuery,
  periodReportSchema,
  realtimeReportQuery,
  realtimeReportSchema,
  realtimeResource,
} from '../../http/schemas/reports';
import { renderAnnualPdf } from '../../reports/annual-pdf';
import { type CsvBreakdown, csvFlavor, reportCsv } from '../../reports/csv';
import { filterResource, reportDate, reportFilter, reportTimeZone } from '../../reports/params';
import { assertShopFilter } from '../../shops/shop-service';

const CSV_NOTE =
  ' With `format=csv` or `format=csv-excel` the answer is a streamed `text/csv` download instead (docs/reports.md).';

/** Who is asking, and so whose figures: the merchant and mode of the report. */
export interface ReportRoutesOptions {
  /**
   * The API key's merchant and mode (the default); the personal account and the back office resolve the
   * merchant from the session (and the path) and take the mode from the `mode` query parameter.
   */
  scope?: (request: FastifyRequest) => MerchantScope | Promise<MerchantScope>;
  /** Adds the optional `mode` query parameter (`test` by default); an API key implies its mode. */
  modeParam?: boolean;
  security?: Array<Record<string, string[]>>;
}

const modeQuery = z.object({ mode: z.enum(['test', 'live']).default('test') });

/** The `mode` query parameter of a report route that takes one (see ReportRoutesOptions). */
export const reportModeOf = (request: FastifyRequest) =>
  (request.query as { mode?: 'test' | 'live' }).mode ?? 'test';

/**
 * Merchant reports (docs/reports.md). Figures come from the store's aggregates for the caller's merchant
 * and mode only; each currency is reported apart. Mounted for API keys at `/v1/reports`, for merchant
 * users at `/v1/account/reports` and for PSP staff at `/v1/backoffice/merchants/:merchantId/reports`.
 */
export const reportRoutes: FastifyPluginAsyncZod<ReportRoutesOptions> = async (app, options) => {
  const { store, clock } = app.services;
  const tags = ['reports'];
  const security = options.security ?? [{ apiKey: [] }];
  const resolveScope = async (request: FastifyRequest) =>
    options.scope ? options.scope(request) : scopeOf(request);
  // strictObject schemas reject unknown parameters, so `mode` is added only where it means something.
  // Typed as the plain schema: handlers read `mode` only through the scope resolver (reportModeOf).
  const withMode = <T extends z.ZodObject>(schema: T): T =>
    options.modeParam ? (schema.extend(modeQuery.shape) as unknown as T) : schema;

  app.get(
    '/reports/realtime',
    {
      schema: {
        tags,
        security,
        summary: 'Today and this week so far',
        description:
          'Totals by status, method and currency, success rate, refunds, fees and net, for today and the ISO week to date.',
        querystring: withMode(realtimeReportQuery),
        response: { 200: realtimeReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const scope = await resolveScope(request);
      const timeZone = reportTimeZone(request.query.tz);
      const filter = reportFilter(request.query);
      await assertShopFilter(store, scope.merchantId, filter.shopId);
      const report = await realtimeReport(store.reports, { ...scope, filter, now: clock.now(), timeZone });
      return realtimeResource(report, {
        livemode: scope.mode === 'live',
        timeZone,
        filter: filterResource(filter),
      });
    },
  );

  app.get(
    '/reports/period',
    {
      schema: {
        tags,
        security,
        summary: 'Figures of a date range by day, week or month',
        description: `From \`from\` to \`to\` (dates, both included) in \`tz\`; JSON holds at most ${REPORT_CHUNK_BUCKETS} buckets.${CSV_NOTE}`,
        querystring: withMode(periodReportQuery),
        response: { 200: periodReportSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const scope = await resolveScope(request);
      const timeZone = reportTimeZone(q.tz);
      const filter = reportFilter(q);
      await assertShopFilter(store, scope.merchantId, filter.shopId);
      const from = reportDate(q.from, 'from');
      const to = reportDate(q.to, 'to');
      const buckets = periodBuckets({ from, to, groupBy: q.group_by, timeZone });
      const subject = { ...scope, filter };
      if (q.format !== 'json') {
        const figures = streamPeriodFigures(store.reports, subject, buckets);
        return sendCsv(reply, `payrail-report-${q.from}-${q.to}-${q.group_by}`, figures, q);
      }
      if (buckets.length > REPORT_CHUNK_BUCKETS) {
        throw new PayrailError('PAYRAIL_ERR_REPORT_RANGE_TOO_LARGE', {
          param: 'group_by',
          message: `This period has ${buckets.length} ${q.group_by}s; JSON holds at most ${REPORT_CHUNK_BUCKETS}. Group by a longer unit, shorten the period, or use format=csv.`,
        });
      }
      const report = await periodReport(store.reports, subject, buckets);
      return {
        object: 'report.period' as const,
        livemode: scope.mode === 'live',
        time_zone: timeZone,
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        filter: filterResource(filter),
        buckets: report.buckets.map(bucketResource),
        totals: report.totals.map(figuresResource),
      };
    },
  );

  app.get(
    '/reports/annual',
    {
      schema: {
        tags,
        security,
        summary: 'A calendar year by month, with the year before',
        description: `Totals, counts, average ticket, success rate, refunds, fees and net per month and currency, and the change against the previous year when it has data.${CSV_NOTE}`,
        querystring: withMode(annualReportQuery),
        response: { 200: annualReportSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const scope = await resolveScope(request);
      const timeZone = reportTimeZone(q.tz);
      const filter = reportFilter(q);
      await assertShopFilter(store, scope.merchantId, filter.shopId);
      const year = q.year ?? localDateOf(clock.now(), timeZone).year;
      const report = await annualReport(store.reports, { ...scope, filter, year, timeZone });
      if (q.format !== 'json') return sendCsv(reply, `payrail-annual-${year}`, report.months, q);
      return annualResource(report, {
        livemode: scope.mode === 'live',
        timeZone,
        filter: filterResource(filter),
      });
    },
  );

  app.get(
    '/reports/annual.pdf',
    {
      schema: {
        tags,
        security,
        summary: 'The annual report as a PDF',
        description:
          'The figures of GET /v1/reports/annual (same parameters but format) as a printable A4 document: per currency, the months with totals and the change against the year before.',
        querystring: withMode(annualPdfQuery),
        produces: ['application/pdf'],
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const scope = await resolveScope(request);
      const timeZone = reportTimeZone(q.tz);
      const filter = reportFilter(q);
      await assertShopFilter(store, scope.merchantId, filter.shopId);
      const now = clock.now();
      const year = q.year ?? localDateOf(now, timeZone).year;
      // The same service as the JSON report, so both show the same figures.
      const report = await annualReport(store.reports, { ...scope, filter, year, timeZone });
      const pdf = await renderAnnualPdf(report, {
        merchantId: scope.merchantId,
        livemode: scope.mode === 'live',
        timeZone,
        filter,
        generatedAt: now,
      });
      const name = `payrail-annual-${year}${filter.currency ? `-${filter.currency}` : ''}.pdf`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(pdf as never);
    },
  );
};

/**
 * Streams the CSV. The first store chunk is awaited before any byte is sent, so a failure to start is
 * still a JSON error with a status; later chunks are fetched while the client reads (any length, bounded
 * memory).
 */
async function sendCsv(
  reply: FastifyReply,
  basename: string,
  buckets: AsyncIterable<BucketFigures> | Iterable<BucketFigures>,
  q: { format: 'csv' | 'csv-excel' | 'json'; delimiter?: 'semicolon' | 'comma'; breakdown: CsvBreakdown },
) {
  const flavor = csvFlavor(q.format === 'csv-excel' ? 'csv-excel' : 'csv', q.delimiter);
  const iterator = (
    Symbol.asyncIterator in buckets ? buckets[Symbol.asyncIterator]() : toAsync(buckets)
  ) as AsyncIterator<BucketFigures>;
  const first = await iterator.next();
  async function* primed(): AsyncGenerator<BucketFigures> {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const body = Readable.from(reportCsv(primed(), { flavor, breakdown: q.breakdown }));
  const suffix = q.breakdown === 'none' ? '' : `-by-${q.breakdown}`;
  return reply
    .type(`text/csv; charset=utf-8${flavor.excel ? '' : '; header=present'}`)
    .header('content-disposition', `attachment; filename="${basename}${suffix}.csv"`)
    .header('cache-control', 'no-store')
    .send(body as never);
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
