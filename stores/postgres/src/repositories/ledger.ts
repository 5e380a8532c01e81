import type { LedgerAccount, LedgerRepository } from '@payrail/core';
import type { Db } from '../db';
import { type LedgerEntryRow, rowToLedgerEntry } from '../mapping/ledger-entry';

export function ledgerRepository(db: Db): LedgerRepository {
  return {
    async listByPayment({ paymentId }) {
      const rows = await db.query<LedgerEntryRow>(
        'SELECT * FROM ledger_entries WHERE payment_id = $1 ORDER BY id',
        [paymentId],
      );
      return rows.map(rowToLedgerEntry);
    },

    async balances({ merchantId, mode }) {
      // sum(bigint) is numeric; cast back so the int8 parser applies (and overflows fail loudly).
      const rows = await db.query<{ account: LedgerAccount; currency: string; amount: number }>(
        `SELECT account, currency, sum(amount)::bigint AS amount
           FROM ledger_entries
          WHERE merchant_id = $1 AND mode = $2
          GROUP BY account, currency
          ORDER BY account, currency`,
        [merchantId, mode],
      );
      return rows.map((row) => ({ account: row.account, currency: row.currency, amount: row.amount }));
    },
  };
}
