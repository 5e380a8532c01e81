import type { ShopPatch, ShopRepository } from '@payrail/core';
import type { Db } from '../db';
import { rowToShop, SHOP_COLUMNS, type ShopRow } from '../mapping/shop';
import { type Column, insertRows, setClause } from '../mapping/sql';

/** Patch field → column; a patch rewrites only the columns it names. */
const PATCHABLE: Record<keyof ShopPatch, string> = {
  name: 'name',
  url: 'url',
  methods: 'methods',
  providerRoutes: 'provider_routes',
  successUrl: 'success_url',
  failUrl: 'fail_url',
};

export function shopRepository(db: Db): ShopRepository {
  return {
    async insert({ shop }) {
      const insert = insertRows('shops', SHOP_COLUMNS, [shop]);
      await db.query(insert.text, insert.values);
    },

    async get({ merchantId, id }) {
      const rows = await db.query<ShopRow>('SELECT * FROM shops WHERE id = $1 AND merchant_id = $2', [
        id,
        merchantId,
      ]);
      return rows[0] ? rowToShop(rows[0]) : null;
    },

    async getById({ id }) {
      const rows = await db.query<ShopRow>('SELECT * FROM shops WHERE id = $1', [id]);
      return rows[0] ? rowToShop(rows[0]) : null;
    },

    async list({ merchantId, includeArchived }) {
      const rows = await db.query<ShopRow>(
        `SELECT * FROM shops WHERE merchant_id = $1 ${includeArchived ? '' : 'AND NOT archived'} ORDER BY id`,
        [merchantId],
      );
      return rows.map(rowToShop);
    },

    async update({ merchantId, id, patch, now }) {
      const columns: Column<ShopPatch & { updatedAt: Date }>[] = [];
      for (const key of Object.keys(PATCHABLE) as (keyof ShopPatch)[]) {
        if (patch[key] === undefined) continue;
        const json = key === 'methods' || key === 'providerRoutes' ? 'jsonb' : undefined;
        columns.push({ name: PATCHABLE[key], ...(json ? { json } : {}), value: (p) => p[key] });
      }
      columns.push({ name: 'updated_at', value: (p) => p.updatedAt });
      const set = setClause(columns, { ...patch, updatedAt: now }, 2);
      const rows = await db.query<ShopRow>(
        `UPDATE shops SET ${set.text} WHERE id = $1 AND merchant_id = $2 AND NOT archived RETURNING *`,
        [id, merchantId, ...set.values],
      );
      return rows[0] ? rowToShop(rows[0]) : null;
    },

    async archive({ merchantId, id, now }) {
      // Archiving twice keeps the first time's updated_at: the second call changes nothing.
      const rows = await db.query<ShopRow>(
        `UPDATE shops SET archived = true,
                updated_at = CASE WHEN archived THEN updated_at ELSE $3::timestamptz END
          WHERE id = $1 AND merchant_id = $2 RETURNING *`,
        [id, merchantId, now],
      );
      return rows[0] ? rowToShop(rows[0]) : null;
    },
  };
}
