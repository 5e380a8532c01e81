import type { Migration } from './migration';

// Reports (issue 9) are GROUP BYs over a merchant's payments and ledger entries in a time range. These
// covering indexes hold every column those queries read, so PostgreSQL answers them with an index-only
// range scan of the merchant's rows in the period, never a scan of the whole table.
export const reportsSchema: Migration = {
  version: 6,
  name: 'reports',
  sql: `
CREATE INDEX payments_report_idx
  ON payments (merchant_id, mode, created_at) INCLUDE (currency, status, method, amount);
-- Partial: only the lines reports sum (capture gross and fee, the merchant side of refunds), a third fewer
-- rows than the ledger. The predicate is repeated verbatim in repositories/reports.ts (REPORT_LINES), which
-- is what lets the planner use it.
CREATE INDEX ledger_entries_report_idx
  ON ledger_entries (merchant_id, mode, created_at) INCLUDE (posting_kind, account, currency, amount)
  WHERE (posting_kind = 'capture' AND account IN ('provider_clearing', 'psp_fees'))
     OR (posting_kind = 'refund' AND account = 'merchant_balance');
`,
};
