import type { RiskCounterRepository } from '@payrail/core';
import type { Db } from '../db';

/** Each key once with how much to add: ON CONFLICT DO UPDATE may touch a row only once per statement. */
function tally(keys: readonly string[]): { keys: string[]; counts: number[] } {
  const map = new Map<string, number>();
  for (const key of keys) map.set(key, (map.get(key) ?? 0) + 1);
  return { keys: [...map.keys()], counts: [...map.values()] };
}

export function riskCounterRepository(db: Db): RiskCounterRepository {
  return {
    async increment({ keys, bucket, expiresAt }) {
      if (keys.length === 0) return;
      const t = tally(keys);
      // One statement for all keys; each row's upsert is atomic under concurrent writers. The commit does
      // not wait for the WAL flush: this runs before every authorization, and a crash may lose at most the
      // last fraction of a second of counts (an undercount of a few events), never corrupt them.
      await db.transaction(async (tx) => {
        await tx.query('SET LOCAL synchronous_commit TO OFF');
        await tx.query(
          `INSERT INTO risk_counters AS c (key, bucket, count, expires_at)
           SELECT k, $3, n, $4 FROM unnest($1::text[], $2::int[]) AS u(k, n)
           ON CONFLICT (key, bucket) DO UPDATE
             SET count = c.count + excluded.count,
                 expires_at = GREATEST(c.expires_at, excluded.expires_at)`,
          [t.keys, t.counts, bucket, expiresAt],
        );
      });
    },

    async count({ queries }) {
      if (queries.length === 0) return [];
      // One round trip. A correlated subquery per query, not a join: that pins each count to a range scan
      // of the primary key (key, bucket >= since) — a join may be planned as a scan of the whole table.
      const rows = await db.query<{ i: number; n: number }>(
        `SELECT q.i::int AS i,
                (SELECT COALESCE(SUM(c.count), 0) FROM risk_counters c
                  WHERE c.key = q.key AND c.bucket >= q.since)::bigint AS n
           FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS q(key, since, i)
          ORDER BY q.i`,
        [queries.map((q) => q.key), queries.map((q) => q.since)],
      );
      const counts = new Array<number>(queries.length).fill(0);
      for (const row of rows) counts[row.i - 1] = Number(row.n);
      return counts;
    },

    async purgeExpired({ before, limit }) {
      const rows = await db.query(
        `DELETE FROM risk_counters WHERE ctid IN (
           SELECT ctid FROM risk_counters WHERE expires_at <= $1 LIMIT $2)
         RETURNING 1`,
        [before, Math.max(1, Math.trunc(limit))],
      );
      return rows.length;
    },
  };
}
