import { PayrailError } from '../errors';
import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  formatLocalDate,
  type LocalDate,
  localDateOf,
  startOfIsoWeek,
  startOfLocalDay,
} from './time-zone';

export const REPORT_GRANULARITIES = ['day', 'week', 'month'] as const;
export type ReportGranularity = (typeof REPORT_GRANULARITIES)[number];

/** One reporting period: local dates (both included) and the instants [from, to) they cover. */
export interface ReportBucket {
  start: string;
  end: string;
  from: Date;
  to: Date;
}

/** The longest period a report covers (CSV streams it; JSON is limited by bucket count instead). */
export const REPORT_MAX_DAYS = 36_525;

/**
 * Buckets of a period from `from` to `to` (local dates, both included) in the zone. Weeks are ISO weeks
 * (Monday to Sunday) and months calendar months; the first and last bucket are cut at the period's ends,
 * so their `start`/`end` say what they really cover.
 */
export function periodBuckets(args: {
  from: LocalDate;
  to: LocalDate;
  groupBy: ReportGranularity;
  timeZone: string;
}): ReportBucket[] {
  const { from, to, groupBy, timeZone } = args;
  if (compareDates(from, to) > 0) {
    throw new PayrailError('PAYRAIL_ERR_REPORT_RANGE_INVALID', {
      param: 'to',
      message: `to (${formatLocalDate(to)}) is before from (${formatLocalDate(from)}).`,
    });
  }
  if (daysBetween(from, to) >= REPORT_MAX_DAYS) {
    throw new PayrailError('PAYRAIL_ERR_REPORT_RANGE_INVALID', {
      param: 'to',
      message: 'A report covers at most 100 years.',
    });
  }
  const afterEnd = addDays(to, 1);
  const starts: LocalDate[] = [from];
  for (;;) {
    const last = starts[starts.length - 1] as LocalDate;
    const next =
      groupBy === 'day'
        ? addDays(last, 1)
        : groupBy === 'week'
          ? addDays(startOfIsoWeek(last), 7)
          : addMonths(last, 1);
    if (compareDates(next, afterEnd) >= 0) break;
    starts.push(next);
  }
  const instants = [...starts, afterEnd].map((d) => startOfLocalDay(d, timeZone));
  return starts.map((start, i) => ({
    start: formatLocalDate(start),
    end: formatLocalDate(addDays(i + 1 < starts.length ? (starts[i + 1] as LocalDate) : afterEnd, -1)),
    from: instants[i] as Date,
    to: instants[i + 1] as Date,
  }));
}

/** The twelve calendar months of a year in the zone. */
export function yearMonths(year: number, timeZone: string): ReportBucket[] {
  return periodBuckets({
    from: { year, month: 1, day: 1 },
    to: { year, month: 12, day: 31 },
    groupBy: 'month',
    timeZone,
  });
}

/** Today and this ISO week (Monday to today) in the zone, as of `now`. */
export function realtimeBuckets(now: Date, timeZone: string): { today: ReportBucket; week: ReportBucket } {
  const today = localDateOf(now, timeZone);
  const tomorrow = addDays(today, 1);
  const monday = startOfIsoWeek(today);
  const end = startOfLocalDay(tomorrow, timeZone);
  const bucket = (from: LocalDate): ReportBucket => ({
    start: formatLocalDate(from),
    end: formatLocalDate(today),
    from: startOfLocalDay(from, timeZone),
    to: end,
  });
  return { today: bucket(today), week: bucket(monday) };
}

/** The boundaries the store takes for contiguous buckets: every `from`, then the last `to`. */
export function boundariesOf(buckets: readonly ReportBucket[]): Date[] {
  if (buckets.length === 0) return [];
  return [...buckets.map((b) => b.from), (buckets[buckets.length - 1] as ReportBucket).to];
}
