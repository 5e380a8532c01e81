import {
  assertBalanced,
  type CommitResult,
  type OutboxEvent,
  type PaymentChange,
  type PaymentRepository,
  PayrailError,
} from '@payrail/core';
import { type Db, type Queryable, rollback } from '../db';
import { EVENT_COLUMNS } from '../mapping/event';
import { LEDGER_ENTRY_COLUMNS, type PostedEntry } from '../mapping/ledger-entry';
import { PAYMENT_COLUMNS, PAYMENT_MUTABLE_COLUMNS, type PaymentRow, rowToPayment } from '../mapping/payment';
import { REFUND_COLUMNS, REFUND_MUTABLE_COLUMN_NAMES } from '../mapping/refund';
import { insertRows, setClause } from '../mapping/sql';
import { clampLimit, toPage, Where } from './pagination';

export function paymentRepository(db: Db): PaymentRepository {
  return {
    async insert({ payment, events }) {
      if (payment.version !== 1) throw invalid(`A new payment has version 1, not ${payment.version}`);
      await db.transaction(async (tx) => {
        const insert = insertRows('payments', PAYMENT_COLUMNS, [payment]);
        await tx.query(insert.text, insert.values);
        await insertEvents(tx, events);
      });
    },

    async get({ merchantId, mode, id }) {
      const rows = await db.query<PaymentRow>(
        'SELECT * FROM payments WHERE id = $1 AND merchant_id = $2 AND mode = $3',
        [id, merchantId, mode],
      );
      return rows[0] ? rowToPayment(rows[0]) : null;
    },

    async getById({ id }) {
      const rows = await db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id]);
      return rows[0] ? rowToPayment(rows[0]) : null;
    },

    async findByProviderRef({ providerId, instanceId, paymentRef }) {
      const rows = await db.query<PaymentRow>(
        `SELECT * FROM payments
          WHERE provider_id = $1 AND provider_instance_id = $2 AND provider_payment_ref = $3`,
        [providerId, instanceId, paymentRef],
      );
      return rows[0] ? rowToPayment(rows[0]) : null;
    },

    async list(filter) {
      const limit = clampLimit(filter.limit);
      const where = new Where()
        .add('merchant_id = ?', filter.merchantId)
        .add('mode = ?', filter.mode)
        .addIf('id < ?', filter.startingAfter)
        .addIf('status = ?', filter.status)
        .addIf('order_id = ?', filter.orderId)
        .addIf('created_at >= ?', filter.createdGte)
        .addIf('created_at < ?', filter.createdLt);
      const rows = await db.query<PaymentRow>(
        `SELECT * FROM payments WHERE ${where.text} ORDER BY id DESC LIMIT ${where.param(limit + 1)}`,
        where.values,
      );
      return toPage(rows, limit, rowToPayment);
    },

    async commit(change) {
      const postedEntries = validateChange(change);
      return db.transaction<CommitResult>(async (tx) => {
        // The receipt goes first: a replayed notification then stops here, before anything is written.
        if (change.notification) {
          const { pluginId, instanceId, notificationId } = change.notification;
          const receipt = await tx.query(
            `INSERT INTO notification_receipts (plugin_id, instance_id, notification_id, payment_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [pluginId, instanceId, notificationId, change.payment.id],
          );
          if (receipt.rowCount === 0) return rollback({ ok: false, reason: 'duplicate_notification' });
        }

        // Optimistic concurrency: the row changes only if nobody moved its version since it was read.
        // Under READ COMMITTED a concurrent writer waits for our row lock, then re-checks this condition.
        const set = setClause(PAYMENT_MUTABLE_COLUMNS, change.payment, 2);
        const updated = await tx.query<PaymentRow>(
          `UPDATE payments SET ${set.text} WHERE id = $1 AND version = $2 RETURNING *`,
          [change.payment.id, change.expectedVersion, ...set.values],
        );
        const row = updated.rows[0];
        if (!row) return rollback({ ok: false, reason: 'version_conflict' });

        if (change.refunds && change.refunds.length > 0) {
          const upsert = insertRows('refunds', REFUND_COLUMNS, change.refunds);
          const assignments = REFUND_MUTABLE_COLUMN_NAMES.map((name) => `${name} = excluded.${name}`).join(
            ', ',
          );
          await tx.query(`${upsert.text} ON CONFLICT (id) DO UPDATE SET ${assignments}`, upsert.values);
        }
        if (postedEntries.length > 0) {
          const insert = insertRows('ledger_entries', LEDGER_ENTRY_COLUMNS, postedEntries);
          await tx.query(insert.text, insert.values);
        }
        await insertEvents(tx, change.events ?? []);
        return { ok: true, payment: rowToPayment(row) };
      });
    },
  };
}

async function insertEvents(tx: Queryable, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const insert = insertRows('events', EVENT_COLUMNS, events);
  await tx.query(insert.text, insert.values);
}

/**
 * Checks what the database cannot see before a transaction is opened: a malformed change is a bug in
 * the caller and is refused whole. Returns the ledger entries to write, tagged with their posting kind.
 */
function validateChange(change: PaymentChange): PostedEntry[] {
  const { payment, expectedVersion } = change;
  if (payment.version !== expectedVersion + 1) {
    throw invalid(
      `payment.version must be expectedVersion + 1 (${expectedVersion + 1}), got ${payment.version}`,
    );
  }
  for (const refund of change.refunds ?? []) {
    if (refund.paymentId !== payment.id) throw invalid(`Refund ${refund.id} belongs to another payment`);
  }
  const posted: PostedEntry[] = [];
  for (const posting of change.postings ?? []) {
    try {
      assertBalanced(posting);
    } catch (error) {
      throw invalid(error instanceof Error ? error.message : String(error));
    }
    for (const entry of posting.entries) {
      if (entry.postingId !== posting.id || entry.paymentId !== payment.id) {
        throw invalid(
          `Ledger entry ${entry.id} does not belong to posting ${posting.id} of payment ${payment.id}`,
        );
      }
      posted.push({ entry, kind: posting.kind });
    }
  }
  return posted;
}

const invalid = (message: string): PayrailError =>
  new PayrailError('PAYRAIL_ERR_INTERNAL', { message: `Invalid store write: ${message}`, retryable: false });
