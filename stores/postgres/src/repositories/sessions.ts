import type { SessionRepository } from '@payrail/core';
import type { Db } from '../db';
import { rowToSession, SESSION_COLUMNS, type SessionRow } from '../mapping/session';
import { insertRows } from '../mapping/sql';

export function sessionRepository(db: Db): SessionRepository {
  return {
    async insert({ session }) {
      const insert = insertRows('sessions', SESSION_COLUMNS, [session]);
      await db.query(insert.text, insert.values);
    },

    async findActiveByHash({ tokenHash, now }) {
      const rows = await db.query<SessionRow>(
        'SELECT * FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2',
        [tokenHash, now],
      );
      return rows[0] ? rowToSession(rows[0]) : null;
    },

    async listActive({ userId, now }) {
      const rows = await db.query<SessionRow>(
        `SELECT * FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
         ORDER BY id DESC LIMIT 100`,
        [userId, now],
      );
      return rows.map(rowToSession);
    },

    async revoke({ userId, id, now }) {
      const rows = await db.query(
        `UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
         RETURNING id`,
        [id, userId, now],
      );
      return rows.length === 1;
    },

    async revokeAll({ userId, now, exceptId }) {
      const rows = await db.query(
        `UPDATE sessions SET revoked_at = $2
         WHERE user_id = $1 AND revoked_at IS NULL AND ($3::text IS NULL OR id <> $3) RETURNING id`,
        [userId, now, exceptId ?? null],
      );
      return rows.length;
    },
  };
}
