import type { ApplicationRepository } from '@payrail/core';
import type { Db } from '../db';
import {
  APPLICATION_COLUMNS,
  APPLICATION_DATA_COLUMNS,
  type ApplicationRow,
  rowToApplication,
} from '../mapping/application';
import { insertRows, jsonParam, setClause } from '../mapping/sql';
import { clampLimit, toPage, Where } from './pagination';

const whereClause = (where: Where) => (where.conditions.length > 0 ? `WHERE ${where.text}` : '');

/** Live-account applications (migration 0009); one per merchant (unique merchant_id). */
export function applicationRepository(db: Db): ApplicationRepository {
  return {
    async insert({ application }) {
      const insert = insertRows('merchant_applications', APPLICATION_COLUMNS, [application]);
      const rows = await db.query<{ id: string }>(
        `${insert.text} ON CONFLICT (merchant_id) DO NOTHING RETURNING id`,
        insert.values,
      );
      return rows.length > 0 ? { ok: true } : { ok: false, reason: 'exists' };
    },

    async get({ id }) {
      const rows = await db.query<ApplicationRow>('SELECT * FROM merchant_applications WHERE id = $1', [id]);
      return rows[0] ? rowToApplication(rows[0]) : null;
    },

    async getByMerchant({ merchantId }) {
      const rows = await db.query<ApplicationRow>(
        'SELECT * FROM merchant_applications WHERE merchant_id = $1',
        [merchantId],
      );
      return rows[0] ? rowToApplication(rows[0]) : null;
    },

    async update({ application, expectedVersion, grant }) {
      const next = { ...application, version: expectedVersion + 1 };
      const set = setClause(APPLICATION_DATA_COLUMNS, next, 2);
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<ApplicationRow>(
          `UPDATE merchant_applications SET ${set.text}
            WHERE id = $1 AND version = $2 RETURNING *`,
          [application.id, expectedVersion, ...set.values],
        );
        const row = rows[0];
        if (!row) return { ok: false, reason: 'version_conflict' } as const;
        if (grant) {
          await tx.query(
            `UPDATE merchants SET live_enabled_at = COALESCE(live_enabled_at, $2), tariff = $3::jsonb,
                connection_fee = $4::jsonb
              WHERE id = $1`,
            [grant.merchantId, grant.liveEnabledAt, jsonParam(grant.tariff), jsonParam(grant.connectionFee)],
          );
        }
        return { ok: true, application: rowToApplication(row) } as const;
      });
    },

    async list({ status, limit, startingAfter }) {
      const size = clampLimit(limit);
      const where = new Where().addIf('status = ?', status).addIf('id > ?', startingAfter);
      const rows = await db.query<ApplicationRow>(
        `SELECT * FROM merchant_applications ${whereClause(where)} ORDER BY id LIMIT ${where.param(size + 1)}`,
        where.values,
      );
      return toPage(rows, size, rowToApplication);
    },
  };
}
