import { PayrailError } from '../errors';

/**
 * Calendar arithmetic in an IANA time zone, with nothing but `Intl` (no tz library, no database tz table).
 * Reports bucket by *local* days, ISO weeks and months of the zone the merchant asks for (default UTC);
 * the boundaries are computed here and handed to the store as instants.
 */

/** A calendar date, no time, no zone. Months are 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

// Names like "Europe/Moscow", "UTC", "Etc/GMT+3". Offsets such as "+03:00" are refused on purpose:
// PostgreSQL reads POSIX-style offsets with the opposite sign, and an offset has no DST rules anyway.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The canonical name of an IANA zone ("europe/moscow" → "Europe/Moscow"), or a
 * PAYRAIL_ERR_TIMEZONE_UNKNOWN error naming `param`.
 */
export function parseTimeZone(value: string, param = 'tz'): string {
  const unknown = () =>
    new PayrailError('PAYRAIL_ERR_TIMEZONE_UNKNOWN', {
      param,
      message: `${param} "${value.slice(0, 64)}" is not an IANA time zone name; use one such as "UTC" or "Europe/Moscow".`,
    });
  if (!ZONE_NAME.test(value)) throw unknown();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw unknown();
  }
}

/** Wall-clock fields of an instant in the zone. */
function wallClock(instant: Date, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The zone's UTC offset at an instant, in ms (east positive). */
function offsetAt(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The calendar date of an instant in the zone. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const w = wallClock(instant, timeZone);
  return { year: w.year, month: w.month, day: w.day };
}

/**
 * The first instant of a local day. Where a DST change skips midnight (clocks jump from 00:00 to 01:00),
 * the day starts at the first wall-clock time that exists.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  const first = wall - offsetAt(new Date(wall), timeZone);
  const second = wall - offsetAt(new Date(first), timeZone);
  const candidates = [first, second].filter((t) => sameDate(localDateOf(new Date(t), timeZone), date));
  return new Date(candidates.length > 0 ? Math.min(...candidates) : Math.max(first, second));
}

export function sameDate(a: LocalDate, b: LocalDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function addMonths(date: LocalDate, months: number): LocalDate {
  const t = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: 1 };
}

/** The Monday of the date's ISO week. */
export function startOfIsoWeek(date: LocalDate): LocalDate {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** Days from `a` to `b` (b − a). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000,
  );
}

export function formatLocalDate(date: LocalDate): string {
  const y = String(date.year).padStart(4, '0');
  return `${y}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Parses "YYYY-MM-DD" (a real calendar date, years 1970–9999), or null. */
export function parseLocalDate(text: string): LocalDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.year < 1970 || date.month < 1 || date.month > 12 || date.day < 1) return null;
  return sameDate(addDays(date, 0), date) ? date : null;
}
