import { describe, expect, it } from 'vitest';
import { csvFlavor, csvLine } from './csv';

describe('csvLine', () => {
  const csv = csvFlavor('csv');
  const excel = csvFlavor('csv-excel');

  it('quotes per RFC 4180 only where needed, and ends lines with CRLF', () => {
    expect(csvLine([{ text: 'a' }, { text: 'b,c' }, { text: 'say "hi"' }, { text: 'two\nlines' }], csv)).toBe(
      'a,"b,c","say ""hi""","two\nlines"\r\n',
    );
    expect(csvLine([{ text: 'x;y' }], csv)).toBe('x;y\r\n');
    expect(csvLine([{ text: 'x;y' }], excel)).toBe('"x;y"\r\n');
  });

  it('writes minor units for programs and major units with the locale’s decimal mark for spreadsheets', () => {
    const cells = [
      { money: -123_450, currency: 'RUB' },
      { money: 500, currency: 'JPY' },
      { money: 1_234, currency: 'KWD' },
      { ratio: 0.6667 },
      { ratio: null },
    ] as const;
    expect(csvLine(cells, csv)).toBe('-123450,500,1234,0.6667,\r\n');
    expect(csvLine(cells, excel)).toBe('-1234,50;500;1,234;0,6667;\r\n');
    expect(csvLine(cells, csvFlavor('csv-excel', 'comma'))).toBe('-1234.50,500,1.234,0.6667,\r\n');
  });

  it('defuses formulas in text cells for spreadsheets only; negative numbers stay numbers', () => {
    expect(csvLine([{ text: '=1+1' }, { text: '@SUM(A1)' }, { text: '-2' }, { int: -2 }], excel)).toBe(
      "'=1+1;'@SUM(A1);'-2;-2\r\n",
    );
    expect(csvLine([{ text: '=1+1' }], csv)).toBe('=1+1\r\n');
  });
});
