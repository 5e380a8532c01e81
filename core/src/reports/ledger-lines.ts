import type { LedgerAggregateRow } from '../ports/store-reports';

/** A store's sum of ledger entries per bucket, currency, posting kind and account. */
export interface LedgerLineSum {
  bucket: number;
  currency: string;
  postingKind: string;
  account: string;
  amount: number;
  count: number;
}

/**
 * The report's money figures from the per-line sums, one row per bucket and currency, so every store
 * adapter only sums (GROUP BY / $group) and the meaning of the lines lives here: capture gross is the
 * provider-clearing line, fees are the PSP's credit line (its sign turned), refunds the merchant's side.
 */
export function pivotLedgerLines(lines: readonly LedgerLineSum[]): LedgerAggregateRow[] {
  const rows = new Map<string, LedgerAggregateRow>();
  for (const line of lines) {
    const key = `${line.bucket}|${line.currency}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        bucket: line.bucket,
        currency: line.currency,
        captured: 0,
        captureCount: 0,
        fees: 0,
        refunded: 0,
        refundCount: 0,
      };
      rows.set(key, row);
    }
    if (line.postingKind === 'capture' && line.account === 'provider_clearing') {
      row.captured += line.amount;
      row.captureCount += line.count;
    } else if (line.postingKind === 'capture' && line.account === 'psp_fees') row.fees -= line.amount;
    else if (line.postingKind === 'refund' && line.account === 'merchant_balance') {
      row.refunded += line.amount;
      row.refundCount += line.count;
    }
  }
  return [...rows.values()];
}
