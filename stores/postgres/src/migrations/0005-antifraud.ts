import type { Migration } from './migration';

// Antifraud: velocity counters, per-merchant lists and rules with their audit trail, fraud marks, and
// the indexes behind the review queue (which is read from payments, see repositories/reviews.ts).
export const antifraudSchema: Migration = {
  version: 5,
  name: 'antifraud',
  sql: `
-- One counter per hashed key and time bucket. A velocity count is one range scan on the primary key.
CREATE TABLE risk_counters (
  key        text COLLATE "C" NOT NULL,
  bucket     timestamptz NOT NULL,
  count      integer NOT NULL CHECK (count > 0),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (key, bucket)
);
CREATE INDEX risk_counters_expiry_idx ON risk_counters (expires_at);

CREATE TABLE antifraud_list_entries (
  id          text COLLATE "C" PRIMARY KEY,
  merchant_id text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  list        text NOT NULL CHECK (list IN ('allow', 'block')),
  kind        text NOT NULL CHECK (kind IN ('card_fingerprint', 'email', 'email_domain', 'ip', 'iin')),
  value       text NOT NULL,
  expires_at  timestamptz,
  note        text,
  created_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  UNIQUE (merchant_id, mode, list, kind, value)
);
CREATE INDEX antifraud_list_entries_list_idx ON antifraud_list_entries (merchant_id, mode, id DESC);

CREATE TABLE antifraud_rule_sets (
  merchant_id text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  rules       jsonb NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  updated_at  timestamptz NOT NULL,
  updated_by  text NOT NULL,
  PRIMARY KEY (merchant_id, mode)
);

CREATE TABLE antifraud_audit (
  id          text COLLATE "C" PRIMARY KEY,
  merchant_id text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  actor       text NOT NULL,
  action      text NOT NULL,
  object_id   text NOT NULL,
  before      jsonb,
  after       jsonb,
  created_at  timestamptz NOT NULL
);
CREATE INDEX antifraud_audit_list_idx ON antifraud_audit (merchant_id, mode, id DESC);

CREATE TABLE antifraud_fraud_marks (
  payment_id  text COLLATE "C" PRIMARY KEY REFERENCES payments (id),
  merchant_id text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  actor       text NOT NULL,
  note        text,
  created_at  timestamptz NOT NULL
);

-- The review queue: held payments only, so both indexes stay as small as the queue.
CREATE INDEX payments_review_idx ON payments (merchant_id, mode, id DESC)
  WHERE status = 'authorized' AND (risk ->> 'decision') = 'review';
CREATE INDEX payments_review_held_idx ON payments (updated_at)
  WHERE status = 'authorized' AND (risk ->> 'decision') = 'review';
`,
};
