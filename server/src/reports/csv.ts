import { type BucketFigures, type CurrencyFigures, formatDecimal } from '@payrail/core';

/**
 * CSV exports of reports (RFC 4180: CRLF line ends, fields with a delimiter, quote, CR or LF quoted and
 * quotes doubled, a header line).
 *
 * Two flavours:
 * - `csv`: for programs. Comma, amounts as integers of minor units (as the JSON API), no BOM.
 * - `csv-excel`: for people opening the file in a spreadsheet. A UTF-8 BOM (without it Excel reads the
 *   file in the legacy code page and breaks non-ASCII text), amounts in major units ("1234,50"), and by
 *   default `;` with a decimal comma — the list and decimal separators of the locales that use `;`
 *   (most of Europe, Russia); `delimiter=comma` gives `,` with a decimal point for English locales. A
 *   `sep=` line is not used: Excel then ignores the BOM. Text cells that a spreadsheet would run as a
 *   formula (starting with = + - @ tab or CR) get a leading apostrophe (CSV injection).
 */
export interface CsvFlavor {
  delimiter: ',' | ';';
  excel: boolean;
}

export function csvFlavor(format: 'csv' | 'csv-excel', delimiter?: 'semicolon' | 'comma'): CsvFlavor {
  if (format === 'csv') return { delimiter: ',', excel: false };
  return { delimiter: delimiter === 'comma' ? ',' : ';', excel: true };
}

export const UTF8_BOM = '\uFEFF';

export type CsvCell =
  | { text: string }
  | { int: number }
  | { money: number; currency: string }
  | { ratio: number | null };

function quote(value: string, flavor: CsvFlavor): string {
  return value.includes(flavor.delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function decimal(value: string, flavor: CsvFlavor): string {
  return flavor.excel && flavor.delimiter === ';' ? value.replace('.', ',') : value;
}

function cellText(cell: CsvCell, flavor: CsvFlavor): string {
  if ('text' in cell) {
    const text = flavor.excel && /^[=+\-@\t\r]/.test(cell.text) ? `'${cell.text}` : cell.text;
    return quote(text, flavor);
  }
  if ('int' in cell) return String(cell.int);
  if ('money' in cell) {
    return flavor.excel
      ? quote(decimal(formatDecimal(cell.money, cell.currency), flavor), flavor)
      : String(cell.money);
  }
  return cell.ratio === null ? '' : quote(decimal(String(cell.ratio), flavor), flavor);
}

export function csvLine(cells: readonly CsvCell[], flavor: CsvFlavor): string {
  return `${cells.map((c) => cellText(c, flavor)).join(flavor.delimiter)}\r\n`;
}

export function csvHeader(names: readonly string[], flavor: CsvFlavor): string {
  return csvLine(
    names.map((text) => ({ text })),
    flavor,
  );
}

export type CsvBreakdown = 'none' | 'status' | 'method' | 'shop';

const PERIOD = ['period_start', 'period_end', 'currency'];

export const CSV_COLUMNS: Record<CsvBreakdown, string[]> = {
  none: [
    ...PERIOD,
    'payment_count',
    'payment_amount',
    'paid_count',
    'paid_amount',
    'failed_count',
    'canceled_count',
    'pending_count',
    'success_rate',
    'captured',
    'capture_count',
    'average_ticket',
    'fees',
    'refunded',
    'refund_count',
    'net',
  ],
  status: [...PERIOD, 'status', 'count', 'amount'],
  method: [...PERIOD, 'method', 'count', 'amount', 'paid_count', 'paid_amount'],
  shop: [...PERIOD, 'shop_id', 'count', 'amount', 'paid_count', 'paid_amount'],
};

function rowsOf(bucket: BucketFigures, f: CurrencyFigures, breakdown: CsvBreakdown): CsvCell[][] {
  const period: CsvCell[] = [
    { text: bucket.bucket.start },
    { text: bucket.bucket.end },
    { text: f.currency },
  ];
  const money = (amount: number): CsvCell => ({ money: amount, currency: f.currency });
  if (breakdown === 'status') {
    return f.byStatus.map((s) => [...period, { text: s.status }, { int: s.count }, money(s.amount)]);
  }
  if (breakdown === 'shop') {
    // Payments made without a shop: an empty shop_id cell.
    return f.byShop.map((s) => [
      ...period,
      { text: s.shopId ?? '' },
      { int: s.count },
      money(s.amount),
      { int: s.paidCount },
      money(s.paidAmount),
    ]);
  }
  if (breakdown === 'method') {
    return f.byMethod.map((m) => [
      ...period,
      { text: m.method },
      { int: m.count },
      money(m.amount),
      { int: m.paidCount },
      money(m.paidAmount),
    ]);
  }
  return [
    [
      ...period,
      { int: f.paymentCount },
      money(f.paymentAmount),
      { int: f.paidCount },
      money(f.paidAmount),
      { int: f.failedCount },
      { int: f.canceledCount },
      { int: f.pendingCount },
      { ratio: f.successRate },
      money(f.captured),
      { int: f.captureCount },
      f.averageTicket === null ? { text: '' } : money(f.averageTicket),
      money(f.fees),
      money(f.refunded),
      { int: f.refundCount },
      money(f.net),
    ],
  ];
}

/** The CSV text of buckets as they come (so a long period streams), BOM and header first. */
export async function* reportCsv(
  buckets: AsyncIterable<BucketFigures> | Iterable<BucketFigures>,
  options: { flavor: CsvFlavor; breakdown: CsvBreakdown },
): AsyncGenerator<string> {
  const { flavor, breakdown } = options;
  yield (flavor.excel ? UTF8_BOM : '') + csvHeader(CSV_COLUMNS[breakdown], flavor);
  for await (const bucket of buckets) {
    let chunk = '';
    for (const f of bucket.currencies) {
      for (const row of rowsOf(bucket, f, breakdown)) chunk += csvLine(row, flavor);
    }
    if (chunk !== '') yield chunk;
  }
}
