import { PayrailError } from '@payrail/core';
import type { Db, Queryable } from '../db';

/**
 * Daily report rollups (migration 0018): the job that keeps them, and the split of a report's range into
 * rolled-up days and live ranges.
 *
 * Granularity: UTC days. A day's rollup serves a report bucket only when the whole UTC day lies inside the
 * bucket; the rest of the bucket (the hours a local-time boundary cuts off a UTC day) is read live. A year
 * or month report in a whole-hour time zone thus reads at most two partial days live per bucket edge; a
 * report by local day in a zone other than UTC reads everything live (still correct, as fast as before).
 * Hourly rollups would serve every whole-hour zone fully but hold up to 24 times the rows, which at a
 * merchant's realistic mix (currencies × statuses × methods × shops per hour) is close to the payments
 * themselves and would not meet the target.
 */

export const DAY_MS = 86_400_000;

/** Statement lines the reports read (kept equal to migration 0006's partial index predicate). */
export const REPORT_LINES = `((posting_kind = 'capture' AND account IN ('provider_clearing', 'psp_fees'))
     OR (posting_kind = 'refund' AND account = 'merchant_balance'))`;

export interface RollupRunResult {
  /** Days before this instant are rolled up (null: none yet). */
  rolledUntil: Date | null;
  /** (merchant, mode, day) marks recomputed because their day changed after its rollup. */
  recomputed: number;
}

/**
 * Rolls up every UTC day before `now`'s day and recomputes dirty days. Safe to run concurrently (the state
 * row serializes runs) and at any frequency; run it at least daily, more often to keep dirty days few.
 */
export async function rollUpReports(
  db: Db,
  now: Date,
  options: { waitMs?: number } = {},
): Promise<RollupRunResult> {
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  // The state row (gone only if someone emptied the table, e.g. tests): back to "nothing rolled up".
  await db.query(
    `INSERT INTO report_rollup_state (singleton, marking_from, rolled_until)
     VALUES (true, '-infinity', '-infinity') ON CONFLICT DO NOTHING`,
  );
  // 1. From now on, writers mark the days before `today` dirty when they touch them.
  await db.query('UPDATE report_rollup_state SET marking_from = $1 WHERE marking_from < $1', [today]);
  // 2. Writers that read the old `marking_from` may still be running: wait until every transaction that
  // had started before step 1 committed has ended, so that nothing unmarked can land in a rolled-up day.
  // Only needed when there are new days to roll up; the hourly runs in between recompute dirty days only.
  const [horizon] = await db.query<{ xmax: string; fresh: boolean }>(
    `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, rolled_until < marking_from AS fresh
       FROM report_rollup_state`,
  );
  if (horizon?.fresh) await waitForTransactionsBefore(db, BigInt(horizon.xmax), options.waitMs ?? 60_000);
  // 3. One transaction: recompute dirty days, roll up the new closed days, clear the marks it covered.
  return db.transaction(async (tx) => {
    const state = await one<{ marking_from: Date; rolled_until: Date | null; fresh: boolean }>(
      tx,
      `SELECT marking_from, CASE WHEN rolled_until = '-infinity' THEN NULL ELSE rolled_until END AS rolled_until,
              rolled_until < marking_from AS fresh
         FROM report_rollup_state FOR UPDATE`,
    );
    const marks = (
      await tx.query<{ merchant_id: string; mode: string; day: Date; version: string }>(
        `SELECT merchant_id, mode, day, version::text AS version FROM report_dirty_days WHERE day < $1`,
        [state.marking_from],
      )
    ).rows;
    const old = marks.filter((m) => state.rolled_until !== null && m.day < state.rolled_until);
    if (old.length > 0) {
      const keys = [old.map((m) => m.merchant_id), old.map((m) => m.mode), old.map((m) => m.day)];
      const target = `unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(merchant_id, mode, day)`;
      for (const table of ['payment_daily_rollups', 'ledger_daily_rollups']) {
        await tx.query(
          `DELETE FROM ${table} r USING ${target}
            WHERE r.merchant_id = x.merchant_id AND r.mode = x.mode AND r.day = x.day`,
          keys,
        );
      }
      await tx.query(
        `INSERT INTO payment_daily_rollups (merchant_id, mode, day, currency, status, method, shop_id, count, amount)
         SELECT x.merchant_id, x.mode, x.day, p.currency, p.status, p.method, p.shop_id, count(*), sum(p.amount)
           FROM ${target}
           JOIN payments p ON p.merchant_id = x.merchant_id AND p.mode = x.mode
                          AND p.created_at >= x.day AND p.created_at < x.day + interval '1 day'
          GROUP BY x.merchant_id, x.mode, x.day, p.currency, p.status, p.method, p.shop_id`,
        keys,
      );
      await tx.query(
        `INSERT INTO ledger_daily_rollups (merchant_id, mode, day, currency, posting_kind, account, count, amount)
         SELECT x.merchant_id, x.mode, x.day, e.currency, e.posting_kind, e.account, count(*), sum(e.amount)
           FROM ${target}
           JOIN ledger_entries e ON e.merchant_id = x.merchant_id AND e.mode = x.mode
                                AND e.created_at >= x.day AND e.created_at < x.day + interval '1 day'
          WHERE ${REPORT_LINES.replaceAll('posting_kind', 'e.posting_kind').replaceAll('account', 'e.account')}
          GROUP BY x.merchant_id, x.mode, x.day, e.currency, e.posting_kind, e.account`,
        keys,
      );
    }
    if (state.fresh) {
      // Newly closed days, merchant by merchant through the report indexes (no scan of the whole table).
      const range = `s.rolled_until AND p.created_at < s.marking_from`;
      await tx.query(
        `INSERT INTO payment_daily_rollups (merchant_id, mode, day, currency, status, method, shop_id, count, amount)
         SELECT p.merchant_id, p.mode, date_trunc('day', p.created_at, 'UTC'), p.currency, p.status, p.method,
                p.shop_id, count(*), sum(p.amount)
           FROM report_rollup_state s CROSS JOIN merchants m CROSS JOIN (VALUES ('test'), ('live')) AS o(mode)
           JOIN payments p ON p.merchant_id = m.id AND p.mode = o.mode AND p.created_at >= ${range}
          GROUP BY 1, 2, 3, 4, 5, 6, 7`,
      );
      await tx.query(
        `INSERT INTO ledger_daily_rollups (merchant_id, mode, day, currency, posting_kind, account, count, amount)
         SELECT p.merchant_id, p.mode, date_trunc('day', p.created_at, 'UTC'), p.currency, p.posting_kind,
                p.account, count(*), sum(p.amount)
           FROM report_rollup_state s CROSS JOIN merchants m CROSS JOIN (VALUES ('test'), ('live')) AS o(mode)
           JOIN ledger_entries p ON p.merchant_id = m.id AND p.mode = o.mode AND p.created_at >= ${range}
          WHERE ${REPORT_LINES.replaceAll('posting_kind', 'p.posting_kind').replaceAll('account', 'p.account')}
          GROUP BY 1, 2, 3, 4, 5, 6`,
      );
      await tx.query('UPDATE report_rollup_state SET rolled_until = marking_from');
    }
    if (marks.length > 0) {
      // Only marks nobody bumped since they were read: a later write keeps its day dirty.
      await tx.query(
        `DELETE FROM report_dirty_days d
          USING unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[]) AS x(merchant_id, mode, day, version)
          WHERE d.merchant_id = x.merchant_id AND d.mode = x.mode AND d.day = x.day AND d.version = x.version`,
        [
          marks.map((m) => m.merchant_id),
          marks.map((m) => m.mode),
          marks.map((m) => m.day),
          marks.map((m) => m.version),
        ],
      );
    }
    return { rolledUntil: state.fresh ? state.marking_from : state.rolled_until, recomputed: old.length };
  });
}

/** Waits until every transaction with an xid below `xmax` (all that had started before) has ended. */
async function waitForTransactionsBefore(db: Db, xmax: bigint, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [now2] = await db.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    if (BigInt(now2?.xmin ?? '0') >= xmax) break;
    if (Date.now() > deadline) {
      throw new PayrailError('PAYRAIL_ERR_INTERNAL', {
        message: 'Report rollup: a long-running transaction is still open; retry later',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function one<R extends Record<string, unknown>>(tx: Queryable, sql: string): Promise<R> {
  const { rows } = await tx.query<R>(sql);
  const row = rows[0];
  if (!row) throw new PayrailError('PAYRAIL_ERR_INTERNAL', { message: 'report_rollup_state is empty' });
  return row;
}

/** Half-open instant ranges [start, end), as two parallel arrays for `unnest`. */
export interface Ranges {
  starts: Date[];
  ends: Date[];
}

/**
 * Which parts of [first boundary, last boundary) a report reads from the rollups (whole clean UTC days
 * inside one bucket, before `rolledUntil`) and which it aggregates live (everything else).
 */
export function splitForRollups(
  boundaries: readonly Date[],
  rolledUntil: Date | null,
  dirtyDays: ReadonlySet<number>,
): { rolled: Ranges; live: Ranges } {
  const rolled: Ranges = { starts: [], ends: [] };
  const live: Ranges = { starts: [], ends: [] };
  const push = (ranges: Ranges, start: number, end: number) => {
    if (end <= start) return;
    const last = ranges.ends.length - 1;
    if (last >= 0 && ranges.ends[last]?.getTime() === start) ranges.ends[last] = new Date(end);
    else {
      ranges.starts.push(new Date(start));
      ranges.ends.push(new Date(end));
    }
  };
  const until = rolledUntil?.getTime() ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const from = (boundaries[i] as Date).getTime();
    const to = (boundaries[i + 1] as Date).getTime();
    const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
    const endDay = Math.floor(Math.min(to, until) / DAY_MS) * DAY_MS;
    let cursor = from;
    for (let day = firstDay; day + DAY_MS <= endDay; day += DAY_MS) {
      if (dirtyDays.has(day)) continue;
      push(live, cursor, day);
      push(rolled, day, day + DAY_MS);
      cursor = day + DAY_MS;
    }
    push(live, cursor, to);
  }
  return { rolled, live };
}
