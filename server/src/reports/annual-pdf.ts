import {
  type AnnualReport,
  type BucketFigures,
  type CurrencyFigures,
  formatDecimal,
  type ReportFilter,
} from '@payrail/core';

/**
 * The annual report as a PDF (`GET /v1/reports/annual.pdf`): per currency, the months of the year with
 * totals, the same figures as the JSON report. Amounts come from integer minor units through
 * `formatDecimal` (the currency's exponent), never through floats. The standard Helvetica font covers
 * Latin-1 only, so the document holds no merchant-written text (names), just ids, codes and figures.
 */
export interface AnnualPdfMeta {
  merchantId: string;
  livemode: boolean;
  timeZone: string;
  filter: ReportFilter;
  generatedAt: Date;
  /** Deflate the content streams (default true); tests may read them plain. */
  compress?: boolean;
}

const COLUMNS = [
  { title: 'Month', width: 70 },
  { title: 'Payments', width: 62 },
  { title: 'Paid', width: 50 },
  { title: 'Failed', width: 50 },
  { title: 'Success', width: 58 },
  { title: 'Paid volume', width: 90 },
  { title: 'Captured', width: 90 },
  { title: 'Avg ticket', width: 80 },
  { title: 'Refunded', width: 80 },
  { title: 'Fees', width: 70 },
  { title: 'Net', width: 90 },
] as const;

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** paid / decided as a percentage with two decimals, from the report's 4-decimal ratio (basis points). */
export function formatRate(rate: number | null): string {
  if (rate === null) return '-';
  const basisPoints = Math.round(rate * 10_000);
  return `${Math.trunc(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}%`;
}

/** A year-over-year change ratio as a signed percentage with one decimal; "-" where last year was 0. */
export function formatChange(ratio: number | null): string {
  if (ratio === null) return '-';
  const tenths = Math.round(ratio * 1000);
  const sign = tenths > 0 ? '+' : tenths < 0 ? '-' : '';
  const abs = Math.abs(tenths);
  return `${sign}${Math.trunc(abs / 10)}.${abs % 10}%`;
}

/** One table row of figures: the cells in COLUMNS order after the label. */
export function figureCells(f: CurrencyFigures): string[] {
  const money = (amount: number) => formatDecimal(amount, f.currency);
  return [
    String(f.paymentCount),
    String(f.paidCount),
    String(f.failedCount),
    formatRate(f.successRate),
    money(f.paidAmount),
    money(f.captured),
    f.averageTicket === null ? '-' : money(f.averageTicket),
    money(f.refunded),
    money(f.fees),
    money(f.net),
  ];
}

/** A month without a payment in the currency: zero counts and amounts, no rate or average. */
function noFigures(currency: string): string[] {
  const zero = formatDecimal(0, currency);
  return ['0', '0', '0', '-', zero, zero, '-', zero, zero, zero];
}

const monthLabel = (b: BucketFigures) => {
  const [year, month] = b.bucket.start.split('-');
  return `${MONTH_NAMES[Number(month) - 1] ?? b.bucket.start} ${year}`;
};

const currenciesOf = (report: AnnualReport) => report.totals.map((t) => t.currency).sort();

/** Renders the report; resolves with the whole document (a year by month is a few pages at most). */
export async function renderAnnualPdf(report: AnnualReport, meta: AnnualPdfMeta): Promise<Buffer> {
  // Loaded on the first PDF, not at start-up: pdfkit and its font tables cost ~25 MB RSS.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    compress: meta.compress ?? true,
    info: {
      Title: `Payrail annual report ${report.year}`,
      Author: 'Payrail',
      CreationDate: meta.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(16).text(`Payrail annual report ${report.year}`);
  doc.font('Helvetica').fontSize(9);
  const filter = Object.entries({
    method: meta.filter.method,
    currency: meta.filter.currency,
    status: meta.filter.status,
    shop_id: meta.filter.shopId,
  })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  doc.text(
    `Merchant ${meta.merchantId} - ${meta.livemode ? 'live' : 'test'} mode - months in ${meta.timeZone}` +
      (filter ? ` - filter: ${filter}` : '') +
      ` - generated ${meta.generatedAt.toISOString()}`,
  );
  doc.text('Amounts in major units of each currency; payments counted by creation, money by booking.');

  const currencies = currenciesOf(report);
  if (currencies.length === 0) {
    doc.moveDown().fontSize(11).text(`No payments in ${report.year}.`);
  }
  for (const currency of currencies) {
    currencyTable(doc, report, currency);
  }
  doc.end();
  return done;
}

function currencyTable(doc: PDFKit.PDFDocument, report: AnnualReport, currency: string) {
  const rowHeight = 15;
  // A currency section (title, header, 12 months, total, comparison) needs about 17 rows.
  if (doc.y + rowHeight * 18 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text(currency, doc.page.margins.left);
  doc.moveDown(0.3);
  const row = (cells: readonly string[], bold = false) => {
    const y = doc.y;
    let x = doc.page.margins.left;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
    COLUMNS.forEach((column, i) => {
      doc.text(cells[i] ?? '', x, y, {
        width: column.width - 6,
        align: i === 0 ? 'left' : 'right',
        lineBreak: false,
      });
      x += column.width;
    });
    doc.x = doc.page.margins.left;
    doc.y = y + rowHeight;
  };
  row(
    COLUMNS.map((c) => c.title),
    true,
  );
  for (const month of report.months) {
    const figures = month.currencies.find((c) => c.currency === currency);
    row([monthLabel(month), ...(figures ? figureCells(figures) : noFigures(currency))]);
  }
  const total = report.totals.find((t) => t.currency === currency);
  if (total) row([`Total ${report.year}`, ...figureCells(total)], true);

  const previous = report.previousYear?.totals.find((t) => t.currency === currency);
  if (report.previousYear && previous) row([`Total ${report.previousYear.year}`, ...figureCells(previous)]);
  const change = report.yearOverYear.find((y) => y.currency === currency);
  if (change) {
    doc.moveDown(0.3);
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .text(
        `Change against ${report.year - 1}: payments ${formatChange(change.paymentCount)}, paid volume ${formatChange(change.paidAmount)}, captured ${formatChange(change.captured)}, refunded ${formatChange(change.refunded)}, fees ${formatChange(change.fees)}, net ${formatChange(change.net)}`,
        doc.page.margins.left,
      );
  }
}
