import { PayrailError } from '@payrail/core';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * "7d", "12h", "30m", "45s", "250ms", "5 minutes" → milliseconds. Agenda's own parser reads
 * "200 milliseconds" as 200 000 ms, so every interval goes through this function and reaches agenda as a
 * number.
 */
export function parseDuration(text: string, name = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase();
  const factor = unit ? UNITS[unit] : undefined;
  if (!match || factor === undefined) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: `${name} must be a duration such as "7d", "12h", "30m", "45s" or "500ms"; got "${text}".`,
    });
  }
  return Math.round(Number(match[1]) * factor);
}
