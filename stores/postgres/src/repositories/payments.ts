import {
  assertBalanced,
  type NotificationReceipt,
  type PaymentChange,
  type PaymentRepository,
  PayrailError,
} from '@payrail/core';
import type { Db } from '../db';
import { violates } from '../errors';
import { EVENT_COLUMNS } from '../mapping/event';
import { LEDGER_ENTRY_COLUMNS, type PostedEntry } from '../mapping/ledger-entry';
import { PAYMENT_COLUMNS, PAYMENT_MUTABLE_COLUMNS, type PaymentRow, rowToPayment } from '../mapping/payment';
import { REFUND_COLUMNS, REFUND_MUTABLE_COLUMN_NAMES } from '../mapping/refund';
import type { Column } from '../mapping/sql';
import { insertIf, insertValues, Statement } from '../mapping/statement';
import { clampLimit, toPage, Where } from './pagination';
import { paymentsByContact } from './payments-by-contact';

export function paymentRepository(db: Db): PaymentRepository {
  return {
    ...paymentsByContact(db),
    async insert({ payment, events }) {
      if (payment.version !== 1) throw invalid(`A new payment has version 1, not ${payment.version}`);
      // One statement, so atomic without BEGIN/COMMIT round trips (see Statement).
      const statement = new Statement();
      statement.with('inserted_payment', insertValues(statement, 'payments', PAYMENT_COLUMNS, [payment]));
      if (events.length > 0) {
        statement.with('inserted_events', insertValues(statement, 'events', EVENT_COLUMNS, events));
      }
      // Prepared: the text varies only with the number of events (one in practice).
      await db.queryPrepared(statement.text('SELECT 1'), statement.values);
    },

    async get({ merchantId, mode, id }) {
      const rows = await db.queryPrepared<PaymentRow>(
        'SELECT * FROM payments WHERE id = $1 AND merchant_id = $2 AND mode = $3',
        [id, merchantId, mode],
      );
      return rows[0] ? rowToPayment(rows[0]) : null;
    },

    async getById({ id }) {
      const rows = await db.queryPrepared<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id]);
      return rows[0] ? rowToPayment(rows[0]) : null;
    },

    async findByProviderRef({ providerId, instanceId, paymentRef }) {
      const rows = await db.queryPrepared<PaymentRow>(
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
        .addIf('shop_id = ?', filter.shopId)
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
      const statement = commitStatement(change, postedEntries);
      let rows: PaymentRow[];
      try {
        // Prepared: the text varies only with which parts the change has (a receipt, n refunds, ledger
        // entries, events) — a few dozen shapes, each of them hot.
        rows = await db.queryPrepared<PaymentRow>(statement.text('SELECT * FROM changed'), statement.values);
      } catch (error) {
        // The receipt's primary key refused a replayed notification, and the whole statement with it.
        if (violates(error, 'notification_receipts_pkey'))
          return { ok: false, reason: 'duplicate_notification' };
        throw error;
      }
      const row = rows[0];
      return row ? { ok: true, payment: rowToPayment(row) } : { ok: false, reason: 'version_conflict' };
    },
  };
}

/**
 * The whole change as one statement (one round trip, atomic by itself). Optimistic concurrency: the
 * `changed` CTE updates the row only if nobody moved its version since it was read — under READ
 * COMMITTED a concurrent writer waits for our row lock, then re-checks the condition — and every other
 * write selects `FROM changed`, so a version conflict writes nothing. A replayed notification violates
 * the receipt's primary key, which aborts the statement: it writes nothing either.
 */
function commitStatement(change: PaymentChange, postedEntries: readonly PostedEntry[]): Statement {
  const statement = new Statement();
  const id = statement.value(change.payment.id);
  const expectedVersion = statement.value(change.expectedVersion);
  const assignments = PAYMENT_MUTABLE_COLUMNS.map(
    (column) => `${column.name} = ${statement.param(column, change.payment)}`,
  ).join(', ');
  statement.with(
    'changed',
    `UPDATE payments SET ${assignments} WHERE id = ${id} AND version = ${expectedVersion} RETURNING *`,
  );
  if (change.notification) {
    statement.with(
      'receipt',
      insertIf(statement, 'changed', 'notification_receipts', RECEIPT_COLUMNS, {
        receipt: change.notification,
        paymentId: change.payment.id,
      }),
    );
  }
  const refundConflict = `ON CONFLICT (id) DO UPDATE SET ${REFUND_MUTABLE_COLUMN_NAMES.map(
    (name) => `${name} = excluded.${name}`,
  ).join(', ')}`;
  (change.refunds ?? []).forEach((refund, i) => {
    statement.with(
      `refund_${i}`,
      insertIf(statement, 'changed', 'refunds', REFUND_COLUMNS, refund, refundConflict),
    );
  });
  postedEntries.forEach((entry, i) => {
    statement.with(
      `ledger_${i}`,
      insertIf(statement, 'changed', 'ledger_entries', LEDGER_ENTRY_COLUMNS, entry),
    );
  });
  (change.events ?? []).forEach((event, i) => {
    statement.with(`event_${i}`, insertIf(statement, 'changed', 'events', EVENT_COLUMNS, event));
  });
  return statement;
}

const RECEIPT_COLUMNS: readonly Column<{ receipt: NotificationReceipt; paymentId: string }>[] = [
  { name: 'plugin_id', value: ({ receipt }) => receipt.pluginId },
  { name: 'instance_id', value: ({ receipt }) => receipt.instanceId },
  { name: 'notification_id', value: ({ receipt }) => receipt.notificationId },
  { name: 'payment_id', value: ({ paymentId }) => paymentId },
];

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
