import type { BuyerContact, BuyerContactRepository } from '@payrail/core';
import type { Db } from '../db';

interface BuyerContactRow {
  email: string;
  user_id: string;
  confirmed_at: Date;
}

const toContact = (r: BuyerContactRow): BuyerContact => ({
  email: r.email,
  userId: r.user_id,
  confirmedAt: r.confirmed_at,
});

/** Buyers' confirmed contact emails (migration 0017): the address is the primary key, one buyer each. */
export function buyerContactRepository(db: Db): BuyerContactRepository {
  return {
    async insert({ contact }) {
      const email = contact.email.toLowerCase();
      const inserted = await db.query<BuyerContactRow>(
        `INSERT INTO buyer_contacts (email, user_id, confirmed_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING RETURNING *`,
        [email, contact.userId, contact.confirmedAt],
      );
      const row =
        inserted[0] ??
        (await db.query<BuyerContactRow>('SELECT * FROM buyer_contacts WHERE email = $1', [email]))[0];
      if (!row || row.user_id !== contact.userId) return { ok: false, reason: 'email_taken' };
      return { ok: true, contact: toContact(row) };
    },

    async listByUser({ userId }) {
      const rows = await db.query<BuyerContactRow>(
        'SELECT * FROM buyer_contacts WHERE user_id = $1 ORDER BY email',
        [userId],
      );
      return rows.map(toContact);
    },

    async getByEmail({ email }) {
      const rows = await db.query<BuyerContactRow>('SELECT * FROM buyer_contacts WHERE email = $1', [
        email.toLowerCase(),
      ]);
      return rows[0] ? toContact(rows[0]) : null;
    },

    async delete({ userId, email }) {
      const rows = await db.query<{ email: string }>(
        'DELETE FROM buyer_contacts WHERE email = $1 AND user_id = $2 RETURNING email',
        [email.toLowerCase(), userId],
      );
      return rows.length > 0;
    },
  };
}
