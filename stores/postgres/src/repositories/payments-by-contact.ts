import type { PaymentRepository } from '@payrail/core';
import type { Db } from '../db';
import { type PaymentRow, rowToPayment } from '../mapping/payment';
import { clampLimit, toPage, Where } from './pagination';

/**
 * The buyer account's cross-merchant queries. Both filter on `lower(customer->>'email')` and the mode,
 * the expression of `payments_customer_email_idx` (migration 0012); the `IS NOT NULL` condition lets the
 * planner use that partial index.
 */
export function paymentsByContact(
  db: Db,
): Pick<PaymentRepository, 'listByCustomerContact' | 'customerRefsByContact'> {
  const contactWhere = (emails: readonly string[], mode: string) => {
    const lowered = emails.map((email) => email.toLowerCase());
    const where = new Where()
      .add(`lower(customer->>'email') = ANY (?::text[])`, lowered)
      .add('mode = ?', mode);
    where.conditions.push(`customer->>'email' IS NOT NULL`);
    return where;
  };
  return {
    async listByCustomerContact({ emails, mode, limit, startingAfter }) {
      const max = clampLimit(limit);
      const where = contactWhere(emails, mode).addIf('id < ?', startingAfter);
      const rows = await db.query<PaymentRow>(
        `SELECT * FROM payments WHERE ${where.text} ORDER BY id DESC LIMIT ${where.param(max + 1)}`,
        where.values,
      );
      return toPage(rows, max, rowToPayment);
    },

    async customerRefsByContact({ emails, mode, limit }) {
      const where = contactWhere(emails, mode);
      where.conditions.push(`customer->>'id' IS NOT NULL`);
      const rows = await db.query<{ merchant_id: string; customer_id: string }>(
        `SELECT DISTINCT merchant_id, customer->>'id' AS customer_id FROM payments WHERE ${where.text}
          ORDER BY merchant_id, customer_id LIMIT ${where.param(Math.max(1, Math.trunc(limit)))}`,
        where.values,
      );
      return rows.map((row) => ({ merchantId: row.merchant_id, customerId: row.customer_id }));
    },
  };
}
