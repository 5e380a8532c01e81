import { describe, expect, it } from 'vitest';
import { isPayrailError } from '../errors';
import { boundariesOf, periodBuckets, realtimeBuckets, yearMonths } from './buckets';

const d = (text: string) => {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  return { year, month, day };
};

describe('periodBuckets', () => {
  it('cuts weeks and months at the ends of the period, and buckets are contiguous', () => {
    const weeks = periodBuckets({
      from: d('2026-02-18'),
      to: d('2026-03-04'),
      groupBy: 'week',
      timeZone: 'UTC',
    });
    expect(weeks.map((b) => [b.start, b.end])).toEqual([
      ['2026-02-18', '2026-02-22'],
      ['2026-02-23', '2026-03-01'],
      ['2026-03-02', '2026-03-04'],
    ]);
    const months = periodBuckets({
      from: d('2026-01-15'),
      to: d('2026-03-10'),
      groupBy: 'month',
      timeZone: 'UTC',
    });
    expect(months.map((b) => [b.start, b.end])).toEqual([
      ['2026-01-15', '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', '2026-03-10'],
    ]);
    for (const list of [weeks, months]) {
      for (let i = 1; i < list.length; i++) expect(list[i]?.from).toEqual(list[i - 1]?.to);
    }
    expect(months[2]?.to.toISOString()).toBe('2026-03-11T00:00:00.000Z');
  });

  it('one day is one bucket; a year by day is 365 buckets', () => {
    expect(
      periodBuckets({ from: d('2026-05-05'), to: d('2026-05-05'), groupBy: 'day', timeZone: 'UTC' }),
    ).toHaveLength(1);
    expect(
      periodBuckets({ from: d('2026-01-01'), to: d('2026-12-31'), groupBy: 'day', timeZone: 'UTC' }),
    ).toHaveLength(365);
  });

  it('refuses a reversed or over-long period with PAYRAIL_ERR_REPORT_RANGE_INVALID', () => {
    for (const [from, to] of [
      ['2026-03-02', '2026-03-01'],
      ['1970-01-01', '2090-01-01'],
    ] as const) {
      try {
        periodBuckets({ from: d(from), to: d(to), groupBy: 'month', timeZone: 'UTC' });
        expect.unreachable();
      } catch (error) {
        expect(isPayrailError(error) && error.code).toBe('PAYRAIL_ERR_REPORT_RANGE_INVALID');
      }
    }
  });
});

describe('yearMonths and realtimeBuckets', () => {
  it('a year is twelve months from local 1 January to local 1 January', () => {
    const months = yearMonths(2026, 'Europe/Moscow');
    expect(months).toHaveLength(12);
    expect(boundariesOf(months).map((t) => t.toISOString())).toHaveLength(13);
    expect(months[0]?.from.toISOString()).toBe('2025-12-31T21:00:00.000Z');
    expect(months[11]?.to.toISOString()).toBe('2026-12-31T21:00:00.000Z');
  });

  it('today and the ISO week to date, in the zone', () => {
    const { today, week } = realtimeBuckets(new Date('2026-03-16T22:30:00Z'), 'Asia/Tokyo');
    // 07:30 on Tuesday 17 March in Tokyo.
    expect([today.start, today.end, week.start]).toEqual(['2026-03-17', '2026-03-17', '2026-03-16']);
    expect(week.from.toISOString()).toBe('2026-03-15T15:00:00.000Z');
    expect(today.to).toEqual(week.to);
  });
});
