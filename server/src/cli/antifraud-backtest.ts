import { readFile } from 'node:fs/promises';
import { PayrailError, type Store } from '@payrail/core';
import { parseRules } from '@payrail/plugin-antifraud';
import { type BacktestReport, runBacktest } from '../antifraud/backtest';

type Flags = Record<string, string | boolean | undefined>;

const invalid = (param: string, message: string) =>
  new PayrailError('PAYRAIL_ERR_VALIDATION', { param, message });

function stringFlag(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(name, `--${name} is required.`);
  return value.trim();
}

function dateFlag(flags: Flags, name: string): Date {
  const raw = stringFlag(flags, name);
  // A date (`2026-03-01`, midnight UTC) or an ISO 8601 timestamp with its offset.
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(raw) || /^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const date = new Date(raw);
  if (!ok || Number.isNaN(date.getTime())) {
    throw invalid(name, `--${name} must be a date (2026-03-01) or an ISO 8601 timestamp with offset.`);
  }
  return date;
}

/**
 * `payrail antifraud backtest`: reads the candidate rule set from a JSON file (an array of rules, or
 * `{ "rules": [...] }` as PUT /v1/antifraud/rules takes it) and runs the same backtest as the API.
 */
export async function backtestFromFlags(store: Store, flags: Flags, now: Date): Promise<BacktestReport> {
  const merchantId = stringFlag(flags, 'merchant');
  const file = stringFlag(flags, 'rules');
  const from = dateFlag(flags, 'from');
  const to = dateFlag(flags, 'to');
  const mode = flags.mode === undefined ? 'live' : flags.mode;
  if (mode !== 'live' && mode !== 'test') throw invalid('mode', '--mode must be "live" or "test".');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw invalid('rules', `--rules ${file}: ${(error as Error).message}`);
  }
  const rules = Array.isArray(json) ? json : (json as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) {
    throw invalid('rules', `--rules ${file} must hold a JSON array of rules, or { "rules": [...] }.`);
  }
  try {
    parseRules(rules);
  } catch (error) {
    throw invalid('rules', (error as Error).message);
  }
  if (!(await store.merchants.get({ id: merchantId }))) {
    throw new PayrailError('PAYRAIL_ERR_MERCHANT_NOT_FOUND', {
      param: 'merchant',
      message: `No merchant ${merchantId}.`,
    });
  }
  return runBacktest({
    store,
    scope: { merchantId, mode },
    rules,
    from,
    to,
    includeLists: flags['no-lists'] !== true,
    now,
  });
}
