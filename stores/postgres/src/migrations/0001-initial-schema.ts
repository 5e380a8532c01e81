import type { Migration } from './migration';

// Ids are ULID-based and compared with `<` for pagination, so id columns use the "C" collation: byte
// order equals creation order, whatever the database's default locale says.
// Amounts are bigint (minor units) so that sums never overflow; the mapper turns them into numbers.
// Nested, never-filtered parts of an object are jsonb; everything a query filters on is a column.
export const initialSchema: Migration = {
  version: 1,
  name: 'initial-schema',
  sql: `
CREATE TABLE merchants (
  id              text COLLATE "C" PRIMARY KEY,
  name            text NOT NULL,
  email           text NOT NULL,
  tariff          jsonb NOT NULL,
  provider_routes jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL
);

CREATE TABLE api_keys (
  id             text COLLATE "C" PRIMARY KEY,
  merchant_id    text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode           text NOT NULL CHECK (mode IN ('test', 'live')),
  secret_hash    text NOT NULL,
  display_prefix text NOT NULL,
  created_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  CONSTRAINT api_keys_secret_hash_key UNIQUE (secret_hash)
);
CREATE INDEX api_keys_merchant_idx ON api_keys (merchant_id, id);

CREATE TABLE payments (
  id                    text COLLATE "C" PRIMARY KEY,
  merchant_id           text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode                  text NOT NULL CHECK (mode IN ('test', 'live')),
  status                text NOT NULL,
  amount                bigint NOT NULL CHECK (amount >= 0),
  currency              text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_capturable     bigint NOT NULL CHECK (amount_capturable >= 0),
  amount_captured       bigint NOT NULL CHECK (amount_captured >= 0),
  amount_refunded       bigint NOT NULL CHECK (amount_refunded >= 0),
  amount_refund_pending bigint NOT NULL CHECK (amount_refund_pending >= 0),
  method                text NOT NULL,
  capture_method        text NOT NULL,
  order_id              text,
  description           text,
  customer              jsonb,
  return_url            text,
  metadata              jsonb NOT NULL DEFAULT '{}',
  provider_id           text,
  provider_instance_id  text,
  provider_payment_ref  text,
  card                  jsonb,
  next_action           jsonb,
  decline               jsonb,
  risk                  jsonb,
  version               integer NOT NULL CHECK (version >= 1),
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  -- Last line of defence for DESIGN §5: refunds (done and in flight) never exceed what was captured.
  CONSTRAINT payments_refunds_within_captured CHECK (amount_refunded + amount_refund_pending <= amount_captured)
);
-- The merchant's payment list: newest first within a merchant and mode.
CREATE INDEX payments_list_idx ON payments (merchant_id, mode, id DESC);
-- A provider's payment id identifies at most one payment per provider instance (notification lookup).
CREATE UNIQUE INDEX payments_provider_ref_key
  ON payments (provider_id, provider_instance_id, provider_payment_ref)
  WHERE provider_payment_ref IS NOT NULL;
-- Shop bridges and the list filter look payments up by the shop's order id within a merchant and mode.
CREATE INDEX payments_order_idx ON payments (merchant_id, mode, order_id, id DESC) WHERE order_id IS NOT NULL;

CREATE TABLE refunds (
  id           text COLLATE "C" PRIMARY KEY,
  payment_id   text COLLATE "C" NOT NULL REFERENCES payments (id),
  merchant_id  text COLLATE "C" NOT NULL,
  mode         text NOT NULL CHECK (mode IN ('test', 'live')),
  amount       bigint NOT NULL CHECK (amount > 0),
  currency     text NOT NULL,
  status       text NOT NULL,
  reason       text,
  provider_ref text,
  failure      jsonb,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, id);

CREATE TABLE ledger_entries (
  id           text COLLATE "C" PRIMARY KEY,
  posting_id   text COLLATE "C" NOT NULL,
  posting_kind text NOT NULL,
  merchant_id  text COLLATE "C" NOT NULL,
  mode         text NOT NULL CHECK (mode IN ('test', 'live')),
  payment_id   text COLLATE "C" NOT NULL REFERENCES payments (id),
  refund_id    text COLLATE "C" REFERENCES refunds (id),
  account      text NOT NULL,
  -- Signed: a debit is positive, a credit negative; the entries of one posting sum to zero per currency.
  amount       bigint NOT NULL,
  currency     text NOT NULL,
  created_at   timestamptz NOT NULL
);
CREATE INDEX ledger_entries_payment_idx ON ledger_entries (payment_id, id);
CREATE INDEX ledger_entries_balance_idx ON ledger_entries (merchant_id, mode, account, currency);
CREATE INDEX ledger_entries_posting_idx ON ledger_entries (posting_id);

CREATE TABLE idempotency_keys (
  merchant_id     text COLLATE "C" NOT NULL,
  mode            text NOT NULL CHECK (mode IN ('test', 'live')),
  key             text NOT NULL,
  request_hash    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('in_flight', 'completed')),
  response_status integer,
  -- json, not jsonb: a replay must return the very bytes of the first answer, key order included.
  response_body   json,
  locked_until    timestamptz,
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, mode, key)
);
-- For the job that deletes expired records.
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- The outbox: written in the same transaction as the change it reports.
CREATE TABLE events (
  id          text COLLATE "C" PRIMARY KEY,
  merchant_id text COLLATE "C" NOT NULL,
  mode        text NOT NULL CHECK (mode IN ('test', 'live')),
  type        text NOT NULL,
  object_id   text COLLATE "C" NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX events_list_idx ON events (merchant_id, mode, id DESC);
CREATE INDEX events_object_idx ON events (object_id, id DESC);

-- Provider notifications already applied: the key makes a replayed notification a no-op.
CREATE TABLE notification_receipts (
  plugin_id       text NOT NULL,
  instance_id     text NOT NULL,
  notification_id text NOT NULL,
  payment_id      text COLLATE "C" NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plugin_id, instance_id, notification_id)
);
`,
};
