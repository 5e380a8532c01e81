import type { AccountTokenRepository } from '@payrail/core';
import type { Db } from '../db';
import { ACCOUNT_TOKEN_COLUMNS, type AccountTokenRow, rowToAccountToken } from '../mapping/account-token';
import { insertRows } from '../mapping/sql';

export function accountTokenRepository(db: Db): AccountTokenRepository {
  return {
    async insert({ token }) {
      const insert = insertRows('account_tokens', ACCOUNT_TOKEN_COLUMNS, [token]);
      await db.query(insert.text, insert.values);
    },

    async consume({ tokenHash, purpose, now }) {
      // The conditional UPDATE is the single-use guarantee: of two concurrent consumers one gets the row.
      const used = await db.query<AccountTokenRow>(
        `UPDATE account_tokens SET used_at = $3
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING *`,
        [tokenHash, purpose, now],
      );
      if (used[0]) return { ok: true, token: rowToAccountToken(used[0]) };
      const rows = await db.query<AccountTokenRow>(
        'SELECT * FROM account_tokens WHERE token_hash = $1 AND purpose = $2',
        [tokenHash, purpose],
      );
      const row = rows[0];
      if (!row) return { ok: false, reason: 'unknown' };
      return { ok: false, reason: row.used_at ? 'used' : 'expired' };
    },

    async invalidateAll({ userId, purpose, now }) {
      await db.query(
        'UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL',
        [userId, purpose, now],
      );
    },
  };
}
