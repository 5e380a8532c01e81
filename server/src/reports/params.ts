import {
  type LocalDate,
  PayrailError,
  parseLocalDate,
  parseTimeZone,
  type ReportFilter,
} from '@payrail/core';

/** The time zone of a report: the `tz` parameter canonicalised, UTC when absent. */
export function reportTimeZone(tz: string | undefined): string {
  return tz === undefined || tz === '' ? 'UTC' : parseTimeZone(tz, 'tz');
}

export function reportDate(value: string, param: 'from' | 'to'): LocalDate {
  const date = parseLocalDate(value);
  if (!date) {
    throw new PayrailError('PAYRAIL_ERR_REPORT_RANGE_INVALID', {
      param,
      message: `${param} must be a calendar date YYYY-MM-DD from 1970 on, such as 2026-01-31; got "${value.slice(0, 32)}".`,
    });
  }
  return date;
}

/** The filter as the store takes it and as the answer echoes it (absent parts left out). */
export function reportFilter(query: {
  method?: string;
  currency?: string;
  status?: ReportFilter['status'];
  shop_id?: string;
}) {
  const filter: ReportFilter = {};
  if (query.method !== undefined) filter.method = query.method;
  if (query.currency !== undefined) filter.currency = query.currency;
  if (query.status !== undefined) filter.status = query.status;
  if (query.shop_id !== undefined) filter.shopId = query.shop_id;
  return filter;
}

/** The filter as the answer echoes it: the API's snake_case names. */
export function filterResource({ shopId, ...rest }: ReportFilter) {
  return shopId === undefined ? rest : { ...rest, shop_id: shopId };
}
