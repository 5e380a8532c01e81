import type { JobRepository, PaymentStatus, ReconciliationRun } from '@payrail/core';
import type { Db } from '../db';
import { type PaymentRow, rowToPayment } from '../mapping/payment';
import { jsonParam } from '../mapping/sql';

interface RunRow {
  id: string;
  started_at: Date;
  finished_at: Date;
  checked: number;
  changes: ReconciliationRun['changes'];
  errors: ReconciliationRun['errors'];
}

/**
 * One statement decides the claim: a missing key is inserted; an existing one is taken only when due.
 * ON CONFLICT DO UPDATE locks the row and re-checks the WHERE on its latest version, so of two
 * concurrent claimers exactly one gets a row back.
 */
const CLAIM_SQL = `
INSERT INTO job_claims AS c (key, attempts, next_at, updated_at) VALUES ($1, 1, $3, $2)
ON CONFLICT (key) DO UPDATE SET attempts = c.attempts + 1, next_at = excluded.next_at, updated_at = excluded.updated_at
WHERE c.next_at <= excluded.updated_at
RETURNING attempts`;

export function jobRepository(db: Db): JobRepository {
  return {
    async claim({ key, now, until }) {
      const rows = await db.query<{ attempts: number }>(CLAIM_SQL, [key, now, until]);
      return rows[0] ? { key, attempts: rows[0].attempts } : null;
    },

    async reschedule({ key, nextAt }) {
      await db.query('UPDATE job_claims SET next_at = $2, updated_at = now() WHERE key = $1', [key, nextAt]);
    },

    async release({ key }) {
      await db.query('DELETE FROM job_claims WHERE key = $1', [key]);
    },

    async findPayments({ statuses, updatedBefore, limit, afterId, withProviderRef }) {
      const rows = await db.query<PaymentRow>(
        `SELECT * FROM payments
          WHERE status = ANY ($1) AND updated_at < $2 AND ($3::text IS NULL OR id > $3)
            ${withProviderRef ? 'AND provider_payment_ref IS NOT NULL' : ''}
          ORDER BY id LIMIT $4`,
        [statuses as PaymentStatus[], updatedBefore, afterId ?? null, Math.max(1, Math.min(limit, 1000))],
      );
      return rows.map(rowToPayment);
    },

    async recordReconciliation({ run }) {
      await db.query(
        `INSERT INTO reconciliation_runs (id, started_at, finished_at, checked, changes, errors)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
        [run.id, run.startedAt, run.finishedAt, run.checked, jsonParam(run.changes), jsonParam(run.errors)],
      );
    },

    async listReconciliations({ limit }) {
      const rows = await db.query<RunRow>('SELECT * FROM reconciliation_runs ORDER BY id DESC LIMIT $1', [
        Math.max(1, Math.min(limit, 100)),
      ]);
      return rows.map((r) => ({
        id: r.id,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        checked: r.checked,
        changes: r.changes,
        errors: r.errors,
      }));
    },
  };
}
