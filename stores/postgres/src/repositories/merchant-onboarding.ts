import type { MerchantOnboardingRepository } from '@payrail/core';
import type { Db } from '../db';
import { type MerchantRow, rowToMerchant } from '../mapping/merchant';
import { clampLimit, toPage, Where } from './pagination';

const whereClause = (where: Where) => (where.conditions.length > 0 ? `WHERE ${where.text}` : '');

/** Onboarding writes on `merchants` (migration 0009): each one conditional UPDATE, so races are harmless. */
export function merchantOnboardingRepository(db: Db): MerchantOnboardingRepository {
  return {
    async startTrial({ id, startedAt, endsAt }) {
      const rows = await db.query<MerchantRow>(
        `UPDATE merchants SET trial_started_at = $2, trial_ends_at = $3
          WHERE id = $1 AND trial_started_at IS NULL RETURNING *`,
        [id, startedAt, endsAt],
      );
      return rows[0] ? rowToMerchant(rows[0]) : null;
    },

    async listTrialsDue({ now, limit }) {
      // Same predicate as the partial index merchants_trials_due.
      const rows = await db.query<MerchantRow>(
        `SELECT * FROM merchants
          WHERE trial_ends_at IS NOT NULL AND trial_expired_at IS NULL AND trial_ends_at <= $1
          ORDER BY trial_ends_at, id LIMIT $2`,
        [now, Math.max(1, Math.min(1000, Math.trunc(limit)))],
      );
      return rows.map(rowToMerchant);
    },

    async expireTrial({ id, now }) {
      const rows = await db.query<{ id: string }>(
        `UPDATE merchants SET trial_expired_at = $2
          WHERE id = $1 AND trial_ends_at IS NOT NULL AND trial_expired_at IS NULL RETURNING id`,
        [id, now],
      );
      return rows.length > 0;
    },

    async list({ limit, startingAfter }) {
      const size = clampLimit(limit);
      const where = new Where().addIf('id < ?', startingAfter);
      const rows = await db.query<MerchantRow>(
        `SELECT * FROM merchants ${whereClause(where)} ORDER BY id DESC LIMIT ${where.param(size + 1)}`,
        where.values,
      );
      return toPage(rows, size, rowToMerchant);
    },
  };
}
