import { computeFee, DEFAULT_TARIFF, ManualClock } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp, type TestMerchant } from '../helpers/test-app';
import { parseCsv } from '../reports/report-data';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 240_000 });

// A fixed clock: every payment is created "today", whatever the real time of the run.
const NOW = new Date('2026-03-18T10:00:00Z');

interface PaymentObject {
  id: string;
  shop_id: string | null;
  status: string;
  amount: number;
  currency: string;
  amount_captured: number;
}

/** What the report must say per shop, summed here from the payments the API lists (not from a report). */
function expectedByShop(payments: PaymentObject[], currency: string) {
  const paid = new Set(['authorized', 'succeeded', 'partially_refunded', 'refunded']);
  const byShop = new Map<
    string | null,
    { shop_id: string | null; count: number; amount: number; paid_count: number; paid_amount: number }
  >();
  for (const p of payments.filter((x) => x.currency === currency)) {
    const sum = byShop.get(p.shop_id) ?? {
      shop_id: p.shop_id,
      count: 0,
      amount: 0,
      paid_count: 0,
      paid_amount: 0,
    };
    sum.count += 1;
    sum.amount += p.amount;
    if (paid.has(p.status)) {
      sum.paid_count += 1;
      sum.paid_amount += p.amount;
    }
    byShop.set(p.shop_id, sum);
  }
  return [...byShop.values()].sort((a, b) =>
    a.shop_id === b.shop_id
      ? 0
      : a.shop_id === null
        ? 1
        : b.shop_id === null
          ? -1
          : a.shop_id < b.shop_id
            ? -1
            : 1,
  );
}

describe.each(['pglite', 'postgres', 'mongodb'] as const)('reports by shop (%s)', (kind) => {
  let t: TestApp;
  let m: TestMerchant;
  let other: TestMerchant;
  let shops: string[];
  let payments: PaymentObject[];

  beforeAll(async () => {
    t = await createTestApp({ store: kind, clock: new ManualClock(NOW) });
    m = await t.createMerchant();
    other = await t.createMerchant();
    shops = [];
    for (const name of ['North', 'South']) {
      const res = await m.test.post('/v1/shops', {
        name,
        url: 'https://shop.example',
        methods: ['fake', 'card'],
      });
      shops.push(res.body.id);
    }
    const [north, south] = shops as [string, string];
    // [shop, amount, currency, description]: "decline_card_declined" makes the fake provider decline.
    const specs: Array<[string | null, number, string, string | undefined]> = [
      [north, 1_000, 'RUB', undefined],
      [north, 2_550, 'RUB', undefined],
      [north, 777, 'RUB', 'decline_card_declined'],
      [north, 1_999, 'USD', undefined],
      [south, 40_000, 'RUB', undefined],
      [south, 123, 'RUB', 'decline_card_declined'],
      [null, 5_000, 'RUB', undefined],
    ];
    for (const [shopId, amount, currency, description] of specs) {
      const res = await m.test.post('/v1/payments', {
        amount,
        currency,
        method: 'fake',
        ...(shopId ? { shop_id: shopId } : {}),
        ...(description ? { description } : {}),
      });
      if (res.statusCode !== 201) throw new Error(res.rawBody);
    }
    // A card payment of South left waiting for the buyer: counted, not paid, nothing captured.
    await m.test.post('/v1/payments', { amount: 3_000, currency: 'RUB', method: 'card', shop_id: south });
    // Another merchant's payments must not show up anywhere.
    await other.test.post('/v1/payments', { amount: 99_999, currency: 'RUB', method: 'fake' });
    payments = (await m.test.get('/v1/payments?limit=100')).body.data;
    expect(payments).toHaveLength(8);
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it('realtime and period reports break figures down by shop, as summed from the payments', async () => {
    const realtime = await m.test.get('/v1/reports/realtime');
    expect(realtime.statusCode, realtime.rawBody).toBe(200);
    const period = await m.test.get('/v1/reports/period?from=2026-03-17&to=2026-03-19&group_by=day');
    expect(period.statusCode, period.rawBody).toBe(200);
    for (const currency of ['RUB', 'USD']) {
      const expected = expectedByShop(payments, currency);
      const find = (list: Array<{ currency: string }>) =>
        list.find((f) => f.currency === currency) as never as {
          by_shop: unknown;
        };
      expect(find(realtime.body.today.currencies).by_shop, currency).toEqual(expected);
      expect(find(period.body.totals).by_shop, currency).toEqual(expected);
      const day = period.body.buckets.find((b: { start: string }) => b.start === '2026-03-18');
      expect(find(day.currencies).by_shop, currency).toEqual(expected);
    }
    // Written out by hand for North in RUB: three payments, two paid.
    const rub = realtime.body.today.currencies.find((f: { currency: string }) => f.currency === 'RUB');
    expect(rub.by_shop.find((s: { shop_id: string }) => s.shop_id === shops[0])).toEqual({
      shop_id: shops[0],
      count: 3,
      amount: 1_000 + 2_550 + 777,
      paid_count: 2,
      paid_amount: 3_550,
    });
  });

  it('the shop filter keeps one shop: counts, captured, fees and net from its payments only', async () => {
    for (const shopId of shops) {
      const mine = payments.filter((p) => p.shop_id === shopId && p.currency === 'RUB');
      const res = await m.test.get(`/v1/reports/realtime?shop_id=${shopId}&currency=RUB`);
      expect(res.statusCode, res.rawBody).toBe(200);
      expect(res.body.filter).toEqual({ currency: 'RUB', shop_id: shopId });
      const [rub, ...rest] = res.body.today.currencies;
      expect(rest).toEqual([]);
      const captured = mine.reduce((s, p) => s + p.amount_captured, 0);
      const fees = mine
        .filter((p) => p.amount_captured > 0)
        .reduce((s, p) => s + computeFee(p.amount_captured, 'RUB', DEFAULT_TARIFF), 0);
      expect(rub).toMatchObject({
        payment_count: mine.length,
        payment_amount: mine.reduce((s, p) => s + p.amount, 0),
        failed_count: mine.filter((p) => p.status === 'failed').length,
        captured,
        capture_count: mine.filter((p) => p.amount_captured > 0).length,
        fees,
        net: captured - fees,
      });
      expect(rub.by_shop.map((s: { shop_id: string }) => s.shop_id)).toEqual([shopId]);
    }
  });

  it('exports CSV with one row per period, currency and shop', async () => {
    const res = await m.test.get(
      '/v1/reports/period?from=2026-03-18&to=2026-03-18&format=csv&breakdown=shop',
    );
    expect(res.statusCode, res.rawBody).toBe(200);
    expect(res.headers['content-disposition']).toContain('-by-shop.csv');
    const [header, ...rows] = parseCsv(res.rawBody);
    expect(header).toEqual([
      'period_start',
      'period_end',
      'currency',
      'shop_id',
      'count',
      'amount',
      'paid_count',
      'paid_amount',
    ]);
    const expected = ['RUB', 'USD'].flatMap((currency) =>
      expectedByShop(payments, currency).map((s) => [
        '2026-03-18',
        '2026-03-18',
        currency,
        s.shop_id ?? '',
        String(s.count),
        String(s.amount),
        String(s.paid_count),
        String(s.paid_amount),
      ]),
    );
    expect(rows).toEqual(expected);
  });

  it("an unknown or another merchant's shop is a 404, not an empty report", async () => {
    const res = await other.test.get(`/v1/reports/period?from=2026-03-18&to=2026-03-18&shop_id=${shops[0]}`);
    expect(res.statusCode).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'PAYRAIL_ERR_SHOP_NOT_FOUND', param: 'shop_id' });
    const annual = await m.test.get('/v1/reports/annual?shop_id=shop_unknown');
    expect(annual.statusCode).toBe(404);
  });
});
