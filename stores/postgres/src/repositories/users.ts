import { type FailureKind, isPayrailError, type UserRepository } from '@payrail/core';
import type { Db } from '../db';
import { sqlStateOf } from '../errors';
import { insertRows, setClause } from '../mapping/sql';
import { rowToUser, USER_COLUMNS, USER_DATA_COLUMNS, type UserRow } from '../mapping/user';

// Failure counters change only through recordFailure/clearFailures (atomic increments), so a concurrent
// profile update cannot reset them.
const COUNTER_COLUMNS = new Set([
  'login_failures',
  'login_locked_until',
  'financial_failures',
  'financial_locked_until',
]);
const UPDATABLE = USER_DATA_COLUMNS.filter((c) => !COUNTER_COLUMNS.has(c.name) && c.name !== 'version');

const COUNTERS: Record<FailureKind, { failures: string; lockedUntil: string }> = {
  login: { failures: 'login_failures', lockedUntil: 'login_locked_until' },
  financial: { failures: 'financial_failures', lockedUntil: 'financial_locked_until' },
};

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const cause = isPayrailError(error) ? error.cause : error;
  return sqlStateOf(cause) === '23505' && (cause as { constraint?: string }).constraint === constraint;
}

export function userRepository(db: Db): UserRepository {
  const one = async (sql: string, values: unknown[]) => {
    const rows = await db.query<UserRow>(sql, values);
    return rows[0] ? rowToUser(rows[0]) : null;
  };
  return {
    async insert({ user }) {
      const insert = insertRows('users', USER_COLUMNS, [user]);
      try {
        const rows = await db.query(
          `${insert.text} ON CONFLICT (login) DO NOTHING RETURNING id`,
          insert.values,
        );
        return rows.length === 1 ? { ok: true } : { ok: false, reason: 'login_taken' };
      } catch (error) {
        if (isUniqueViolation(error, 'users_telegram_id_key')) return { ok: false, reason: 'login_taken' };
        throw error;
      }
    },

    get: ({ id }) => one('SELECT * FROM users WHERE id = $1', [id]),
    findByLogin: ({ login }) => one('SELECT * FROM users WHERE login = $1', [login]),
    findByTelegramId: ({ telegramId }) => one('SELECT * FROM users WHERE telegram_id = $1', [telegramId]),

    async listByMerchant({ merchantId }) {
      const rows = await db.query<UserRow>('SELECT * FROM users WHERE merchant_id = $1 ORDER BY id', [
        merchantId,
      ]);
      return rows.map(rowToUser);
    },

    async update({ user, expectedVersion }) {
      const set = setClause(UPDATABLE, user, 2);
      try {
        const updated = await one(
          `UPDATE users SET ${set.text}, version = version + 1 WHERE id = $1 AND version = $2 RETURNING *`,
          [user.id, expectedVersion, ...set.values],
        );
        return updated ? { ok: true, user: updated } : { ok: false, reason: 'version_conflict' };
      } catch (error) {
        if (isUniqueViolation(error, 'users_telegram_id_key'))
          return { ok: false, reason: 'telegram_id_taken' };
        throw error;
      }
    },

    async recordFailure({ id, kind, maxFailures, lockUntil }) {
      const { failures: f, lockedUntil: l } = COUNTERS[kind];
      // One statement: every SET expression reads the old row, so the count and the lock agree.
      const rows = await db.query<{ failures: number; locked_until: Date | null }>(
        `UPDATE users SET
           ${f} = CASE WHEN ${f} + 1 >= $2 THEN 0 ELSE ${f} + 1 END,
           ${l} = CASE WHEN ${f} + 1 >= $2 THEN $3 ELSE ${l} END
         WHERE id = $1
         RETURNING ${f} AS failures, ${l} AS locked_until`,
        [id, maxFailures, lockUntil],
      );
      const row = rows[0];
      if (!row) return null;
      const lockedNow = row.failures === 0;
      return { failures: lockedNow ? maxFailures : row.failures, lockedUntil: row.locked_until, lockedNow };
    },

    async clearFailures({ id, kind }) {
      const { failures: f, lockedUntil: l } = COUNTERS[kind];
      await db.query(`UPDATE users SET ${f} = 0, ${l} = NULL WHERE id = $1`, [id]);
    },

    async consumeRecoveryCode({ id, codeHash }) {
      const rows = await db.query(
        `UPDATE users SET recovery_code_hashes = recovery_code_hashes - $2::text
         WHERE id = $1 AND recovery_code_hashes ? $2::text RETURNING id`,
        [id, codeHash],
      );
      return rows.length === 1;
    },
  };
}
