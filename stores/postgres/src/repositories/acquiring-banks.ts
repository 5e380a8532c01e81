import type { AcquiringBank, AcquiringBankRepository } from '@payrail/core';
import type { Db } from '../db';

interface BankRow {
  id: string;
  name: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const rowToBank = (row: BankRow): AcquiringBank => ({
  id: row.id,
  name: row.name,
  active: row.active,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The acquiring banks the PSP offers (migration 0009). */
export function acquiringBankRepository(db: Db): AcquiringBankRepository {
  return {
    async insert({ bank }) {
      await db.query(
        'INSERT INTO acquiring_banks (id, name, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)',
        [bank.id, bank.name, bank.active, bank.createdAt, bank.updatedAt],
      );
    },

    async get({ id }) {
      const rows = await db.query<BankRow>('SELECT * FROM acquiring_banks WHERE id = $1', [id]);
      return rows[0] ? rowToBank(rows[0]) : null;
    },

    async list({ activeOnly }) {
      const rows = await db.query<BankRow>(
        `SELECT * FROM acquiring_banks ${activeOnly ? 'WHERE active' : ''} ORDER BY id`,
      );
      return rows.map(rowToBank);
    },

    async update({ id, name, active, now }) {
      const rows = await db.query<BankRow>(
        'UPDATE acquiring_banks SET name = $2, active = $3, updated_at = $4 WHERE id = $1 RETURNING *',
        [id, name, active, now],
      );
      return rows[0] ? rowToBank(rows[0]) : null;
    },
  };
}
