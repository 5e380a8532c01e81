import type { Migration } from './migration';

// The buyer account (issue 9) lists the payments of every merchant whose customer email is the buyer's
// confirmed email, compared lower-cased, newest first: an expression index on exactly that. Partial, as
// most payments name no email. `payment_notifications` holds a buyer's channel per payment notification
// (null: the account's notify_channel). Built in the migration transaction (not CONCURRENTLY): it holds
// writes to `payments` while it builds — run this upgrade in a quiet moment on a large table.
export const buyerContactIndexSchema: Migration = {
  version: 12,
  name: 'buyer-contact-index',
  sql: `
CREATE INDEX payments_customer_email_idx
  ON payments ((lower(customer->>'email')), mode, id DESC)
  WHERE customer->>'email' IS NOT NULL;
ALTER TABLE users ADD COLUMN payment_notifications jsonb;
`,
};
