import type { ApiKeyRepository } from '@payrail/core';
import type { Db } from '../db';
import { API_KEY_COLUMNS, type ApiKeyRow, rowToApiKey } from '../mapping/api-key';
import { insertRows } from '../mapping/sql';

export function apiKeyRepository(db: Db): ApiKeyRepository {
  return {
    async findActiveByHash({ secretHash }) {
      const rows = await db.queryPrepared<ApiKeyRow>(
        'SELECT * FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL',
        [secretHash],
      );
      return rows[0] ? rowToApiKey(rows[0]) : null;
    },

    async list({ merchantId }) {
      const rows = await db.query<ApiKeyRow>('SELECT * FROM api_keys WHERE merchant_id = $1 ORDER BY id', [
        merchantId,
      ]);
      return rows.map(rowToApiKey);
    },

    async insert({ apiKey }) {
      const insert = insertRows('api_keys', API_KEY_COLUMNS, [apiKey]);
      await db.query(insert.text, insert.values);
    },

    async revoke({ merchantId, id, now }) {
      const rows = await db.query<ApiKeyRow>(
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND merchant_id = $2
         RETURNING *`,
        [id, merchantId, now],
      );
      return rows[0] ? rowToApiKey(rows[0]) : null;
    },

    async touch({ id, now, ifOlderThan }) {
      await db.queryPrepared(
        'UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)',
        [id, now, ifOlderThan],
      );
    },
  };
}
