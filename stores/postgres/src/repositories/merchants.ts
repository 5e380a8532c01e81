import type { MerchantRepository } from '@payrail/core';
import type { Db } from '../db';
import { API_KEY_COLUMNS } from '../mapping/api-key';
import { MERCHANT_COLUMNS, type MerchantRow, rowToMerchant } from '../mapping/merchant';
import { insertRows } from '../mapping/sql';
import { merchantOnboardingRepository } from './merchant-onboarding';

export function merchantRepository(db: Db): MerchantRepository {
  return {
    ...merchantOnboardingRepository(db),

    async create({ merchant, apiKeys }) {
      await db.transaction(async (tx) => {
        const insertMerchant = insertRows('merchants', MERCHANT_COLUMNS, [merchant]);
        await tx.query(insertMerchant.text, insertMerchant.values);
        if (apiKeys.length > 0) {
          const insertKeys = insertRows('api_keys', API_KEY_COLUMNS, apiKeys);
          await tx.query(insertKeys.text, insertKeys.values);
        }
      });
    },

    async get({ id }) {
      const rows = await db.queryPrepared<MerchantRow>('SELECT * FROM merchants WHERE id = $1', [id]);
      return rows[0] ? rowToMerchant(rows[0]) : null;
    },

    async count() {
      const rows = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM merchants');
      return rows[0]?.count ?? 0;
    },
  };
}
