import type { StoredCard, StoredCardRepository } from '@payrail/core';
import type { Db } from '../db';
import { insertRows } from '../mapping/sql';
import { rowToStoredCard, STORED_CARD_COLUMNS, type StoredCardRow } from '../mapping/stored-card';

export function storedCardRepository(db: Db): StoredCardRepository {
  async function save({ card }: { card: StoredCard }): Promise<StoredCard> {
    const insert = insertRows('stored_cards', STORED_CARD_COLUMNS, [card]);
    // The partial unique index on the fingerprint makes the dedup atomic under concurrent saves.
    const inserted = await db.query<StoredCardRow>(
      `${insert.text} ON CONFLICT (merchant_id, mode, customer_id, fingerprint) WHERE deleted_at IS NULL
         DO NOTHING RETURNING *`,
      insert.values,
    );
    if (inserted[0]) return rowToStoredCard(inserted[0]);
    const existing = await db.query<StoredCardRow>(
      `SELECT * FROM stored_cards
          WHERE merchant_id = $1 AND mode = $2 AND customer_id = $3 AND fingerprint = $4 AND deleted_at IS NULL`,
      [card.merchantId, card.mode, card.customerId, card.fingerprint],
    );
    // Deleted between the two statements: save again (a fresh insert now succeeds).
    return existing[0] ? rowToStoredCard(existing[0]) : save({ card });
  }

  return {
    save,

    async get({ merchantId, mode, id }) {
      const rows = await db.queryPrepared<StoredCardRow>(
        `SELECT * FROM stored_cards
          WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND deleted_at IS NULL`,
        [id, merchantId, mode],
      );
      return rows[0] ? rowToStoredCard(rows[0]) : null;
    },

    async listByCustomer({ merchantId, mode, customerId }) {
      const rows = await db.query<StoredCardRow>(
        `SELECT * FROM stored_cards
          WHERE merchant_id = $1 AND mode = $2 AND customer_id = $3 AND deleted_at IS NULL ORDER BY id`,
        [merchantId, mode, customerId],
      );
      return rows.map(rowToStoredCard);
    },

    async delete({ merchantId, mode, id, deletedAt }) {
      const rows = await db.query<{ id: string }>(
        `UPDATE stored_cards SET deleted_at = $4, pan_ciphertext = ''
          WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND deleted_at IS NULL RETURNING id`,
        [id, merchantId, mode, deletedAt],
      );
      return rows.length > 0;
    },

    async listSealedWithOtherKey({ keyId, limit, startingAfter }) {
      const rows = await db.query<StoredCardRow>(
        `SELECT * FROM stored_cards
          WHERE key_id <> $1 AND deleted_at IS NULL AND ($3::text IS NULL OR id > $3)
          ORDER BY id LIMIT $2`,
        [keyId, limit, startingAfter ?? null],
      );
      return rows.map(rowToStoredCard);
    },

    async reseal({ id, expectedKeyId, keyId, panCiphertext }) {
      const rows = await db.query<{ id: string }>(
        `UPDATE stored_cards SET key_id = $3, pan_ciphertext = $4
          WHERE id = $1 AND key_id = $2 AND deleted_at IS NULL RETURNING id`,
        [id, expectedKeyId, keyId, panCiphertext],
      );
      return rows.length > 0;
    },

    async attachToPayment({ paymentId, storedCardId }) {
      await db.query('INSERT INTO stored_card_payments (payment_id, stored_card_id) VALUES ($1, $2)', [
        paymentId,
        storedCardId,
      ]);
    },

    async forPayment({ paymentId }) {
      const rows = await db.queryPrepared<StoredCardRow>(
        `SELECT c.* FROM stored_card_payments p JOIN stored_cards c ON c.id = p.stored_card_id
          WHERE p.payment_id = $1`,
        [paymentId],
      );
      return rows[0] ? rowToStoredCard(rows[0]) : null;
    },
  };
}
