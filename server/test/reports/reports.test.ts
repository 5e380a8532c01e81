import { type Merchant, type Mode, newId } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys';
import { type ApiClient, createTestApp, STORE_KINDS, type TestApp } from '../helpers/test-app';
import {
  AWKWARD_METHOD,
  at,
  expectedFigures,
  parseCsv,
  type Seeded,
  seedAll,
  specsFor,
  summaryOf,
  TARIFF,
} from './report-data';

// Wednesday; the ISO week started Monday 2026-03-16.
const NOW = at('2026-03-18T10:00:00Z');

async function createMerchant(t: TestApp): Promise<{ merchant: Merchant; test: ApiClient; live: ApiClient }> {
  const id = newId('merchant');
  const keys = (['test', 'live'] as Mode[]).map((mode) => generateApiKey(id, mode, NOW));
  const merchant: Merchant = {
    id,
    name: 'Report Shop',
    email: `${id.toLowerCase()}@shop.test`,
    tariff: TARIFF,
    providerRoutes: {},
    createdAt: NOW,
  };
  await t.store.merchants.create({ merchant, apiKeys: keys.map((k) => k.record) });
  return { merchant, test: t.client(keys[0]?.secret ?? ''), live: t.client(keys[1]?.secret ?? '') };
}

describe.each(STORE_KINDS)('reports on %s', (kind) => {
  let t: TestApp;
  let merchant: Merchant;
  let api: ApiClient;
  let liveApi: ApiClient;
  let otherApi: ApiClient;
  let seeded: Seeded[];
  const expected = (from: string, to: string, mode: Mode = 'test') =>
    expectedFigures(seeded, { merchantId: merchant.id, mode }, at(from), at(to));

  beforeAll(async () => {
    t = await createTestApp({ store: kind, clock: { now: () => NOW } });
    const a = await createMerchant(t);
    const b = await createMerchant(t);
    merchant = a.merchant;
    api = a.test;
    liveApi = a.live;
    otherApi = b.test;
    seeded = await seedAll(t.store, specsFor(merchant.id, b.merchant.id));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('annual: every month, the totals and the year before match sums computed from the seeded payments', async () => {
    const res = await api.get('/v1/reports/annual?year=2026');
    expect(res.statusCode, res.rawBody).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ object: 'report.annual', livemode: false, time_zone: 'UTC', year: 2026 });
    expect(body.months).toHaveLength(12);
    for (let month = 1; month <= 12; month++) {
      const from = `2026-${String(month).padStart(2, '0')}-01T00:00:00Z`;
      const to =
        month === 12 ? '2027-01-01T00:00:00Z' : `2026-${String(month + 1).padStart(2, '0')}-01T00:00:00Z`;
      expect(body.months[month - 1].start).toBe(from.slice(0, 10));
      expect(summaryOf(body.months[month - 1].currencies), `month ${month}`).toEqual(expected(from, to));
    }
    expect(summaryOf(body.totals)).toEqual(expected('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'));
    expect(body.previous_year.year).toBe(2025);
    expect(summaryOf(body.previous_year.totals)).toEqual(
      expected('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    );

    // A few figures written out by hand, to check the expectation helper too.
    const rub = body.totals.find((f: { currency: string }) => f.currency === 'RUB');
    const captured = 100_000 + 250_050 + 80_000 + 5_000 + 12_345;
    const fees = [100_000, 250_050, 80_000, 5_000, 12_345].reduce(
      (sum, a) => sum + Math.floor((a * 250 + 5_000) / 10_000) + 1_500,
      0,
    );
    expect(rub).toMatchObject({
      captured,
      fees,
      refunded: 130_000,
      refund_count: 3,
      net: captured - fees - 130_000,
    });
    expect(rub.success_rate).toBe(Math.round((5 / 7) * 10_000) / 10_000);
    const usdYoY = body.year_over_year.find((y: { currency: string }) => y.currency === 'USD');
    expect(usdYoY.captured).toBe((1_999 - 1_000) / 1_000);
    // Breakdowns per status and per method add up to the totals.
    const byMethod = Object.fromEntries(
      rub.by_method.map((m: { method: string; amount: number }) => [m.method, m.amount]),
    );
    expect(byMethod).toEqual({
      card: 100_000 + 9_999 + 3_000 + 12_345 + 777,
      qiwi_wallet: 250_050,
      webmoney: 80_000,
      [AWKWARD_METHOD]: 5_000,
    });
    expect(rub.by_status.reduce((s: number, x: { count: number }) => s + x.count, 0)).toBe(rub.payment_count);
  });

  it('annual: the live key sees live data only, another merchant sees none of it', async () => {
    const live = await liveApi.get('/v1/reports/annual?year=2026');
    expect(live.statusCode).toBe(200);
    expect(live.body.livemode).toBe(true);
    expect(summaryOf(live.body.totals)).toEqual(
      expected('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'live'),
    );
    expect(live.body.totals).toHaveLength(1);
    const other = await otherApi.get('/v1/reports/annual?year=2026');
    expect(other.body.totals.map((f: { captured: number }) => f.captured)).toEqual([44_444]);
    expect(other.rawBody).not.toContain('250050');
    expect(other.body.previous_year).toBeNull();
    expect(other.body.year_over_year).toEqual([]);
  });

  it('period: days in a time zone — a payment at 23:30 UTC belongs to the next day in Moscow', async () => {
    const utc = await api.get('/v1/reports/period?from=2026-01-31&to=2026-02-01&group_by=day');
    expect(utc.statusCode, utc.rawBody).toBe(200);
    expect(utc.body.buckets.map((b: { start: string }) => b.start)).toEqual(['2026-01-31', '2026-02-01']);
    expect(summaryOf(utc.body.buckets[0].currencies)).toEqual(
      expected('2026-01-31T00:00:00Z', '2026-02-01T00:00:00Z'),
    );
    const msk = await api.get(
      '/v1/reports/period?from=2026-01-31&to=2026-02-01&group_by=day&tz=europe/moscow',
    );
    expect(msk.body.time_zone).toBe('Europe/Moscow');
    expect(summaryOf(msk.body.buckets[0].currencies)).toEqual(
      expected('2026-01-30T21:00:00Z', '2026-01-31T21:00:00Z'),
    );
    expect(summaryOf(msk.body.buckets[1].currencies)).toEqual(
      expected('2026-01-31T21:00:00Z', '2026-02-01T21:00:00Z'),
    );
    expect(msk.body.buckets[1].currencies.map((f: { currency: string }) => f.currency)).toEqual(['USD']);
  });

  it('period: weeks and months are cut at the ends of the range; filters narrow every figure', async () => {
    const weeks = await api.get('/v1/reports/period?from=2026-02-18&to=2026-03-04&group_by=week');
    expect(weeks.body.buckets.map((b: { start: string; end: string }) => [b.start, b.end])).toEqual([
      ['2026-02-18', '2026-02-22'],
      ['2026-02-23', '2026-03-01'],
      ['2026-03-02', '2026-03-04'],
    ]);
    expect(summaryOf(weeks.body.buckets[0].currencies)).toEqual(
      expected('2026-02-18T00:00:00Z', '2026-02-23T00:00:00Z'),
    );
    expect(summaryOf(weeks.body.totals)).toEqual(expected('2026-02-18T00:00:00Z', '2026-03-05T00:00:00Z'));

    const filtered = await api.get(
      '/v1/reports/period?from=2026-01-01&to=2026-03-31&group_by=month&method=webmoney',
    );
    expect(filtered.body.filter).toEqual({ method: 'webmoney' });
    expect(filtered.body.totals).toHaveLength(1);
    expect(filtered.body.totals[0]).toMatchObject({
      currency: 'RUB',
      payment_count: 1,
      captured: 80_000,
      refunded: 80_000,
      refund_count: 2,
    });
    const usd = await api.get(
      '/v1/reports/period?from=2026-01-01&to=2026-03-31&group_by=month&currency=usd&status=canceled',
    );
    expect(usd.body.totals).toEqual([
      expect.objectContaining({
        currency: 'USD',
        payment_count: 1,
        canceled_count: 1,
        captured: 0,
        success_rate: null,
      }),
    ]);
  });

  it('realtime: today and this ISO week so far', async () => {
    const res = await api.get('/v1/reports/realtime');
    expect(res.statusCode, res.rawBody).toBe(200);
    expect(res.body.as_of).toBe(NOW.toISOString());
    expect(res.body.today).toMatchObject({ start: '2026-03-18', end: '2026-03-18' });
    expect(res.body.this_week).toMatchObject({ start: '2026-03-16', end: '2026-03-18' });
    expect(summaryOf(res.body.today.currencies)).toEqual(
      expected('2026-03-18T00:00:00Z', '2026-03-19T00:00:00Z'),
    );
    expect(summaryOf(res.body.this_week.currencies)).toEqual(
      expected('2026-03-16T00:00:00Z', '2026-03-19T00:00:00Z'),
    );
    expect(res.body.today.currencies[0]).toMatchObject({ paid_count: 1, failed_count: 1, success_rate: 0.5 });
    // In Los Angeles (UTC−7 in March) it is still Wednesday 03:00, and Monday started at 07:00 UTC.
    const la = await api.get('/v1/reports/realtime?tz=America/Los_Angeles');
    expect(summaryOf(la.body.this_week.currencies)).toEqual(
      expected('2026-03-16T07:00:00Z', '2026-03-19T07:00:00Z'),
    );
  });

  it('csv: RFC 4180, streamed, parses back to the JSON figures', async () => {
    const json = await api.get('/v1/reports/period?from=2026-01-01&to=2026-03-31&group_by=month');
    const res = await api.get('/v1/reports/period?from=2026-01-01&to=2026-03-31&group_by=month&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="payrail-report-2026-01-01-2026-03-31-month.csv"',
    );
    const [header, ...rows] = parseCsv(res.rawBody);
    expect(header?.slice(0, 5)).toEqual([
      'period_start',
      'period_end',
      'currency',
      'payment_count',
      'payment_amount',
    ]);
    const fromCsv = rows.map((r) => {
      const rec = Object.fromEntries((header ?? []).map((h, i) => [h, r[i]]));
      return rec;
    });
    const fromJson = json.body.buckets.flatMap(
      (b: { start: string; end: string; currencies: Array<Record<string, unknown>> }) =>
        b.currencies.map((f) => ({ period_start: b.start, period_end: b.end, ...f })),
    );
    expect(fromCsv).toHaveLength(fromJson.length);
    fromCsv.forEach((rec, i) => {
      for (const [key, value] of Object.entries(rec)) {
        const jsonValue = fromJson[i][key];
        expect(value, key).toBe(jsonValue === null ? '' : String(jsonValue));
      }
    });

    const byMethod = await api.get(
      '/v1/reports/period?from=2026-03-01&to=2026-03-31&group_by=month&format=csv&breakdown=method',
    );
    const parsed = parseCsv(byMethod.rawBody);
    expect(parsed[0]).toEqual([
      'period_start',
      'period_end',
      'currency',
      'method',
      'count',
      'amount',
      'paid_count',
      'paid_amount',
    ]);
    // The awkward name comes back intact (quoted, quotes doubled), and plain CSV does not alter it.
    expect(parsed.find((r) => r[3] === AWKWARD_METHOD)).toEqual([
      '2026-03-01',
      '2026-03-31',
      'RUB',
      AWKWARD_METHOD,
      '1',
      '5000',
      '1',
      '5000',
    ]);
    expect(byMethod.rawBody).toContain('"=we""ird;method,x"');
  });

  it('csv-excel: BOM, semicolons, decimal comma, major units, formula guard; delimiter=comma switches both', async () => {
    const res = await api.get('/v1/reports/annual?year=2026&format=csv-excel&breakdown=method');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = res.rawBody.replace(/^\uFEFF/, '');
    const rows = parseCsv(text, ';');
    expect(rows[0]?.[0]).toBe('period_start');
    expect(rows.find((r) => r[3] === 'qiwi_wallet')).toEqual([
      '2026-01-01',
      '2026-01-31',
      'RUB',
      'qiwi_wallet',
      '1',
      '2500,50',
      '1',
      '2500,50',
    ]);
    expect(rows.find((r) => r[3] === `'${AWKWARD_METHOD}`)?.[5]).toBe('50,00');
    const comma = await api.get('/v1/reports/annual?year=2026&format=csv-excel&delimiter=comma');
    const commaRows = parseCsv(comma.rawBody.replace(/^\uFEFF/, ''), ',');
    const january = commaRows.find((r) => r[0] === '2026-01-01' && r[2] === 'RUB');
    const header = commaRows[0] ?? [];
    expect(january?.[header.indexOf('captured')]).toBe('3500.50');
    expect(january?.[header.indexOf('success_rate')]).toBe(String(Math.round((2 / 3) * 10_000) / 10_000));
  });

  it('csv: a period longer than one store chunk streams whole; JSON refuses it with a clear code', async () => {
    const res = await api.get('/v1/reports/period?from=2023-01-01&to=2026-12-31&group_by=day&format=csv');
    expect(res.statusCode).toBe(200);
    const rows = parseCsv(res.rawBody).slice(1);
    // One row per day and currency with data; every seeded test-mode payment day of the range is there.
    const days = new Set(rows.map((r) => r[0]));
    for (const { spec } of seeded) {
      if (spec.merchantId === merchant.id && (spec.mode ?? 'test') === 'test') {
        expect(days.has(spec.createdAt.toISOString().slice(0, 10))).toBe(true);
      }
    }
    const paymentCount = rows.reduce((sum, r) => sum + Number(r[3]), 0);
    expect(paymentCount).toBe(
      seeded.filter((s) => s.spec.merchantId === merchant.id && (s.spec.mode ?? 'test') === 'test').length,
    );
    const json = await api.get('/v1/reports/period?from=2023-01-01&to=2026-12-31&group_by=day');
    expect(json.statusCode).toBe(400);
    expect(json.body.error).toMatchObject({ code: 'PAYRAIL_ERR_REPORT_RANGE_TOO_LARGE', param: 'group_by' });
  });

  it.each([
    ['/v1/reports/realtime?tz=Mars/Olympus', 'PAYRAIL_ERR_TIMEZONE_UNKNOWN', 'tz'],
    ['/v1/reports/realtime?tz=%2B03:00', 'PAYRAIL_ERR_TIMEZONE_UNKNOWN', 'tz'],
    ['/v1/reports/period?from=2026-02-30&to=2026-03-01', 'PAYRAIL_ERR_REPORT_RANGE_INVALID', 'from'],
    ['/v1/reports/period?from=2026-03-01&to=2026-02-01', 'PAYRAIL_ERR_REPORT_RANGE_INVALID', 'to'],
    ['/v1/reports/period?from=2026-03-01', 'PAYRAIL_ERR_VALIDATION', 'to'],
    ['/v1/reports/period?from=2026-03-01&to=2026-03-02&group_by=year', 'PAYRAIL_ERR_VALIDATION', 'group_by'],
    ['/v1/reports/period?from=2026-03-01&to=2026-03-02&format=xlsx', 'PAYRAIL_ERR_VALIDATION', 'format'],
    ['/v1/reports/period?from=2026-03-01&to=2026-03-02&shop=1', 'PAYRAIL_ERR_VALIDATION', 'shop'],
    ['/v1/reports/annual?year=abc', 'PAYRAIL_ERR_VALIDATION', 'year'],
    ['/v1/reports/annual?year=1969', 'PAYRAIL_ERR_VALIDATION', 'year'],
    ['/v1/reports/annual?currency=XXQ', 'PAYRAIL_ERR_CURRENCY_UNKNOWN', 'currency'],
    ['/v1/reports/annual?status=paid', 'PAYRAIL_ERR_VALIDATION', 'status'],
  ])('bad input %s → 400 %s', async (url, code, param) => {
    const res = await api.get(url);
    expect(res.statusCode, res.rawBody).toBe(400);
    expect(res.body.error).toMatchObject({ code, param });
    expect(res.body.error.message.length).toBeGreaterThan(10);
  });

  it('needs an API key', async () => {
    const res = await t.anonymous.get('/v1/reports/annual');
    expect(res.statusCode).toBe(401);
    expect(res.body.error.code).toBe('PAYRAIL_ERR_AUTH_MISSING');
  });
});
