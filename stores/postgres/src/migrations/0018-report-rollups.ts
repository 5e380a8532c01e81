import type { Migration } from './migration';

// Daily report rollups (issue 9: a year report over 1 M payments in under 2 s). A job sums each closed UTC
// day of payments and report ledger lines into the two rollup tables; reports read those sums for the whole
// UTC days inside their buckets and aggregate the rest live (the open day, bucket edges that cut a day,
// days changed since their rollup). See docs/reports.md, "Daily rollups".
//
// Changes to closed days are tracked by statement triggers, in the writing transaction itself, so a
// report can never read a stale rollup: a day is either clean (its rollup is exact) or marked dirty
// (read live until the job recomputes it). Only days before `marking_from` are marked, so ordinary writes
// (today's payments) touch no shared row; the job moves `marking_from` forward and waits for transactions
// that may have read the old value before it rolls those days up (repositories/report-rollups.ts).
export const reportRollupsSchema: Migration = {
  version: 18,
  name: 'report-rollups',
  sql: `
CREATE TABLE report_rollup_state (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- Writes to rows created before this instant mark their day dirty.
  marking_from timestamptz NOT NULL,
  -- Days before this instant are rolled up (unless marked dirty).
  rolled_until timestamptz NOT NULL
);
INSERT INTO report_rollup_state (singleton, marking_from, rolled_until) VALUES (true, '-infinity', '-infinity');

CREATE TABLE report_dirty_days (
  merchant_id text COLLATE "C" NOT NULL,
  mode        text NOT NULL,
  day         timestamptz NOT NULL,
  -- Bumped by every marking write: the job clears a mark only if nobody marked it again meanwhile.
  version     bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (merchant_id, mode, day)
);

CREATE TABLE payment_daily_rollups (
  merchant_id text COLLATE "C" NOT NULL,
  mode        text NOT NULL,
  day         timestamptz NOT NULL,
  currency    text NOT NULL,
  status      text NOT NULL,
  method      text NOT NULL,
  shop_id     text COLLATE "C",
  count       bigint NOT NULL,
  amount      bigint NOT NULL
);
CREATE INDEX payment_daily_rollups_idx
  ON payment_daily_rollups (merchant_id, mode, day) INCLUDE (currency, status, method, shop_id, count, amount);

-- Only the lines reports sum (the predicate of 0006's ledger_entries_report_idx).
CREATE TABLE ledger_daily_rollups (
  merchant_id  text COLLATE "C" NOT NULL,
  mode         text NOT NULL,
  day          timestamptz NOT NULL,
  currency     text NOT NULL,
  posting_kind text NOT NULL,
  account      text NOT NULL,
  count        bigint NOT NULL,
  amount       bigint NOT NULL
);
CREATE INDEX ledger_daily_rollups_idx
  ON ledger_daily_rollups (merchant_id, mode, day) INCLUDE (currency, posting_kind, account, count, amount);

CREATE FUNCTION report_mark_dirty_days() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  since timestamptz := (SELECT marking_from FROM report_rollup_state);
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO report_dirty_days (merchant_id, mode, day)
    SELECT DISTINCT merchant_id, mode, date_trunc('day', created_at, 'UTC') FROM new_rows WHERE created_at < since
    ON CONFLICT (merchant_id, mode, day) DO UPDATE SET version = report_dirty_days.version + 1;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO report_dirty_days (merchant_id, mode, day)
    SELECT DISTINCT merchant_id, mode, date_trunc('day', created_at, 'UTC') FROM old_rows WHERE created_at < since
    ON CONFLICT (merchant_id, mode, day) DO UPDATE SET version = report_dirty_days.version + 1;
  END IF;
  RETURN NULL;
END
$fn$;

-- Payment updates: only rows whose report columns changed (a transition-table trigger cannot take a
-- column list), so e.g. metadata edits of old payments dirty nothing.
CREATE FUNCTION report_mark_dirty_payment_days() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  since timestamptz := (SELECT marking_from FROM report_rollup_state);
BEGIN
  INSERT INTO report_dirty_days (merchant_id, mode, day)
  SELECT DISTINCT r.merchant_id, r.mode, date_trunc('day', r.created_at, 'UTC')
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES (n.merchant_id, n.mode, n.created_at), (o.merchant_id, o.mode, o.created_at))
      AS r(merchant_id, mode, created_at)
   WHERE r.created_at < since
     AND (n.merchant_id, n.mode, n.status, n.amount, n.currency, n.method, n.shop_id, n.created_at)
         IS DISTINCT FROM (o.merchant_id, o.mode, o.status, o.amount, o.currency, o.method, o.shop_id, o.created_at)
  ON CONFLICT (merchant_id, mode, day) DO UPDATE SET version = report_dirty_days.version + 1;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER payments_report_dirty_insert AFTER INSERT ON payments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_dirty_days();
CREATE TRIGGER payments_report_dirty_update AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_dirty_payment_days();
CREATE TRIGGER payments_report_dirty_delete AFTER DELETE ON payments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_dirty_days();
CREATE TRIGGER ledger_entries_report_dirty_insert AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_dirty_days();
CREATE TRIGGER ledger_entries_report_dirty_update AFTER UPDATE ON ledger_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_dirty_days();
CREATE TRIGGER ledger_entries_report_dirty_delete AFTER DELETE ON ledger_entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_dirty_days();
`,
};
