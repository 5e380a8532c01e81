import type { Migration } from './migration';

// Antifraud data stored with the payment (issue 8): the buyer's IP, user agent and IP country, and the
// billing country, so decisions and backtests see the same features. Fraud marks say where they came from
// (`merchant` or `chargeback`), and each merchant's fraud-feedback settings say what a report blocks.
// All nullable or defaulted: payments and marks made before keep working.
export const paymentClientSchema: Migration = {
  version: 13,
  name: 'payment-client',
  sql: `
ALTER TABLE payments ADD COLUMN client jsonb;
ALTER TABLE payments ADD COLUMN billing jsonb;
ALTER TABLE antifraud_fraud_marks ADD COLUMN source text NOT NULL DEFAULT 'merchant'
  CHECK (source IN ('merchant', 'chargeback'));

-- What a fraud report adds to the block list, per merchant and mode (absent: nothing automatic).
CREATE TABLE antifraud_feedback_settings (
  merchant_id      text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode             text NOT NULL CHECK (mode IN ('test', 'live')),
  auto_block_card  boolean NOT NULL,
  auto_block_email boolean NOT NULL,
  ttl_seconds      integer CHECK (ttl_seconds > 0),
  updated_at       timestamptz NOT NULL,
  updated_by       text NOT NULL,
  PRIMARY KEY (merchant_id, mode)
);
`,
};
