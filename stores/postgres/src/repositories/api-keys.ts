import type { ApiKeyRepository } from '@payrail/core';
import type { Db } from '../db';
import { type ApiKeyRow, rowToApiKey } from '../mapping/api-key';

export function apiKeyRepository(db: Db): ApiKeyRepository {
  return {
    async findActiveByHash({ secretHash }) {
      const rows = await db.query<ApiKeyRow>(
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
  };
}
