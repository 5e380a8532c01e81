import { describe, expect, it } from 'vitest';
import { isPayrailError } from '../errors';
import { localDateOf, parseLocalDate, parseTimeZone, startOfIsoWeek, startOfLocalDay } from './time-zone';

describe('parseTimeZone', () => {
  it('canonicalises IANA names, whatever their case', () => {
    expect(parseTimeZone('UTC')).toBe('UTC');
    expect(parseTimeZone('europe/moscow')).toBe('Europe/Moscow');
    // ICU's canonical id may be the older alias (America/Buenos_Aires): either names the same zone.
    expect(parseTimeZone('america/argentina/buenos_aires')).toMatch(/^America\/(Argentina\/)?Buenos_Aires$/);
    expect(parseTimeZone('Etc/GMT+3')).toBe('Etc/GMT+3');
  });

  it.each(['Mars/Olympus', '+03:00', '-0500', '', 'Europe/Moscow; DROP', 'a'.repeat(80)])(
    'refuses %j with PAYRAIL_ERR_TIMEZONE_UNKNOWN on the given param',
    (value) => {
      try {
        parseTimeZone(value, 'tz');
        expect.unreachable();
      } catch (error) {
        expect(isPayrailError(error) && error.code).toBe('PAYRAIL_ERR_TIMEZONE_UNKNOWN');
        expect(isPayrailError(error) && error.param).toBe('tz');
      }
    },
  );
});

describe('startOfLocalDay', () => {
  it('is local midnight as an instant', () => {
    expect(startOfLocalDay({ year: 2026, month: 2, day: 1 }, 'UTC').toISOString()).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(startOfLocalDay({ year: 2026, month: 2, day: 1 }, 'Europe/Moscow').toISOString()).toBe(
      '2026-01-31T21:00:00.000Z',
    );
    expect(startOfLocalDay({ year: 2026, month: 1, day: 1 }, 'Asia/Kolkata').toISOString()).toBe(
      '2025-12-31T18:30:00.000Z',
    );
  });

  it('follows daylight saving: days of 23 and 25 hours', () => {
    const day = (d: number, m: number) =>
      startOfLocalDay({ year: 2026, month: m, day: d }, 'Europe/Berlin').getTime();
    expect((day(30, 3) - day(29, 3)) / 3_600_000).toBe(23); // clocks forward on 29 March 2026
    expect((day(26, 10) - day(25, 10)) / 3_600_000).toBe(25); // back on 25 October 2026
  });

  it('starts a day whose midnight does not exist at the first existing time', () => {
    // Santiago moves clocks forward at 24:00 on 6 September 2026: 00:00 is skipped, the day starts at 01:00 (−03).
    const start = startOfLocalDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago');
    expect(localDateOf(start, 'America/Santiago')).toEqual({ year: 2026, month: 9, day: 6 });
    expect(localDateOf(new Date(start.getTime() - 1), 'America/Santiago')).toEqual({
      year: 2026,
      month: 9,
      day: 5,
    });
  });
});

describe('dates', () => {
  it('parses real calendar dates only', () => {
    expect(parseLocalDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '26-01-01', '1969-12-31', '2026-01-01T00:00'])
      expect(parseLocalDate(bad), bad).toBeNull();
  });

  it('finds the Monday of an ISO week', () => {
    expect(startOfIsoWeek({ year: 2026, month: 3, day: 18 })).toEqual({ year: 2026, month: 3, day: 16 });
    expect(startOfIsoWeek({ year: 2026, month: 3, day: 16 })).toEqual({ year: 2026, month: 3, day: 16 });
    expect(startOfIsoWeek({ year: 2026, month: 1, day: 4 })).toEqual({ year: 2025, month: 12, day: 29 });
  });
});
