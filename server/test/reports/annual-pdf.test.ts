import { formatDecimal, type Merchant, type Mode, newId } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-keys';
import { formatChange, formatRate } from '../../src/reports/annual-pdf';
import { type ApiClient, createTestApp, type TestApp } from '../helpers/test-app';
import { pdfTexts } from './pdf-text';
import { at, seedAll, specsFor, TARIFF } from './report-data';

const NOW = at('2026-03-18T10:00:00Z');

interface Figures {
  currency: string;
  payment_count: number;
  paid_count: number;
  failed_count: number;
  success_rate: number | null;
  paid_amount: number;
  captured: number;
  average_ticket: number | null;
  refunded: number;
  fees: number;
  net: number;
}

/** The PDF row of one figures object, as the JSON report gives it: the cells after the label. */
const cellsOf = (f: Figures) => {
  const money = (amount: number) => formatDecimal(amount, f.currency);
  return [
    String(f.payment_count),
    String(f.paid_count),
    String(f.failed_count),
    formatRate(f.success_rate),
    money(f.paid_amount),
    money(f.captured),
    f.average_ticket === null ? '-' : money(f.average_ticket),
    money(f.refunded),
    money(f.fees),
    money(f.net),
  ];
};

/** The cells of the row whose first cell is `label`, in order. */
function rowAfter(texts: string[], label: string, width: number, from = 0): string[] {
  const i = texts.indexOf(label, from);
  expect(i, `row "${label}" in the PDF`).toBeGreaterThanOrEqual(0);
  return texts.slice(i + 1, i + 1 + width);
}

describe('annual report PDF', () => {
  let t: TestApp;
  let api: ApiClient;
  let otherApi: ApiClient;

  beforeAll(async () => {
    t = await createTestApp({ store: 'pglite', clock: { now: () => NOW } });
    const [a, b] = [newId('merchant'), newId('merchant')];
    const clients: ApiClient[] = [];
    for (const id of [a, b]) {
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
      clients.push(t.client(keys[0]?.secret ?? ''));
    }
    [api, otherApi] = clients as [ApiClient, ApiClient];
    await seedAll(t.store, specsFor(a, b));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('is a PDF download holding the JSON report figures: every month, the totals, the year before and the change', async () => {
    const json = await api.get('/v1/reports/annual?year=2026');
    expect(json.statusCode, json.rawBody).toBe(200);
    const res = await api.get('/v1/reports/annual.pdf?year=2026');
    expect(res.statusCode, res.rawBody.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="payrail-annual-2026.pdf"');
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const texts = pdfTexts(res.rawPayload);
    expect(texts).toContain('Payrail annual report 2026');
    const report = json.body as {
      months: { start: string; currencies: Figures[] }[];
      totals: Figures[];
      previous_year: { year: number; totals: Figures[] } | null;
      year_over_year: Array<Record<string, number | null> & { currency: string }>;
    };
    expect(report.totals.length).toBeGreaterThan(0);
    expect(report.previous_year).not.toBeNull();
    const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    for (const total of report.totals) {
      const section = texts.indexOf(total.currency);
      expect(section, `section ${total.currency}`).toBeGreaterThanOrEqual(0);
      for (const month of report.months) {
        const figures = month.currencies.find((c) => c.currency === total.currency);
        if (!figures) continue;
        const label = `${monthNames[Number(month.start.slice(5, 7)) - 1]} 2026`;
        expect(rowAfter(texts, label, 10, section)).toEqual(cellsOf(figures));
      }
      expect(rowAfter(texts, 'Total 2026', 10, section)).toEqual(cellsOf(total));
      const previous = report.previous_year?.totals.find((p) => p.currency === total.currency);
      if (previous) expect(rowAfter(texts, 'Total 2025', 10, section)).toEqual(cellsOf(previous));
      const change = report.year_over_year.find((y) => y.currency === total.currency);
      if (change) {
        const line = texts.slice(section).find((s) => s.startsWith('Change against 2025'));
        expect(line).toContain(`net ${formatChange(change.net ?? null)}`);
        expect(line).toContain(`payments ${formatChange(change.payment_count ?? null)}`);
      }
    }
  });

  it('takes the JSON report filters: one currency only, and a foreign shop is a 404', async () => {
    const json = await api.get('/v1/reports/annual?year=2026');
    const currencies = (json.body.totals as Figures[]).map((f) => f.currency);
    const [only, ...others] = currencies;
    expect(only).toBeDefined();
    const res = await api.get(`/v1/reports/annual.pdf?year=2026&currency=${only}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="payrail-annual-2026-${only}.pdf"`);
    const texts = pdfTexts(res.rawPayload);
    expect(texts).toContain(only);
    for (const other of others) expect(texts).not.toContain(other);

    const bad = await api.get('/v1/reports/annual.pdf?year=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'year' });
    const unknownFormat = await api.get('/v1/reports/annual.pdf?format=csv');
    expect(unknownFormat.statusCode).toBe(400);
    const shop = await api.get('/v1/reports/annual.pdf?year=2026&shop_id=shop_00000000000000000000000000');
    expect(shop.statusCode).toBe(404);
    expect(shop.body.error.code).toBe('PAYRAIL_ERR_SHOP_NOT_FOUND');
  });

  it("another merchant's PDF holds its own figures only", async () => {
    const texts = pdfTexts((await otherApi.get('/v1/reports/annual.pdf?year=2026')).rawPayload);
    const mine = (await api.get('/v1/reports/annual?year=2026')).body.totals as Figures[];
    const theirs = (await otherApi.get('/v1/reports/annual?year=2026')).body.totals as Figures[];
    if (theirs.length === 0) expect(texts).toContain('No payments in 2026.');
    for (const total of theirs) {
      expect(rowAfter(texts, 'Total 2026', 10, texts.indexOf(total.currency))).toEqual(cellsOf(total));
    }
    for (const total of mine) {
      const net = formatDecimal(total.net, total.currency);
      if (!theirs.some((x) => formatDecimal(x.net, x.currency) === net)) expect(texts).not.toContain(net);
    }
  });
});
