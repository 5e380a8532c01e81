import type { Migration } from './migration';

// Saved cards (one-click payments). The PAN is only ever AES-256-GCM ciphertext, sealed by the vault
// under `key_id`; a deleted card keeps its row (for payments that name it) but loses its ciphertext.
export const storedCardsSchema: Migration = {
  version: 3,
  name: 'stored-cards',
  sql: `
CREATE TABLE stored_cards (
  id             text COLLATE "C" PRIMARY KEY,
  merchant_id    text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode           text NOT NULL CHECK (mode IN ('test', 'live')),
  customer_id    text NOT NULL,
  pan_ciphertext text NOT NULL,
  key_id         text NOT NULL,
  fingerprint    text NOT NULL,
  brand          text NOT NULL,
  first6         text NOT NULL CHECK (first6 ~ '^[0-9]{6}$'),
  last4          text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  exp_month      integer NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year       integer NOT NULL,
  created_at     timestamptz NOT NULL,
  deleted_at     timestamptz,
  CONSTRAINT stored_cards_deleted_shredded CHECK (deleted_at IS NULL OR pan_ciphertext = '')
);
-- A customer's cards, and at most one live card per card number (fingerprint) and customer.
CREATE INDEX stored_cards_customer_idx ON stored_cards (merchant_id, mode, customer_id, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX stored_cards_fingerprint_key
  ON stored_cards (merchant_id, mode, customer_id, fingerprint) WHERE deleted_at IS NULL;
-- Key rotation walks the live cards not sealed under the newest key.
CREATE INDEX stored_cards_key_idx ON stored_cards (key_id, id) WHERE deleted_at IS NULL;

-- Which stored card a one-click payment is paid with (the buyer then enters only the CVC).
CREATE TABLE stored_card_payments (
  payment_id     text COLLATE "C" PRIMARY KEY REFERENCES payments (id),
  stored_card_id text COLLATE "C" NOT NULL REFERENCES stored_cards (id)
);
`,
};
