import type { Migration } from './migration';

// Merchant webhooks (endpoints, one delivery per event and endpoint) and background-job bookkeeping.
export const webhooksJobsSchema: Migration = {
  version: 2,
  name: 'webhooks-jobs',
  sql: `
-- Set once the dispatcher has turned the event into deliveries; the partial index keeps the scan small.
ALTER TABLE events ADD COLUMN dispatched_at timestamptz;
CREATE INDEX events_undispatched_idx ON events (id) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_endpoints (
  id             text COLLATE "C" PRIMARY KEY,
  merchant_id    text COLLATE "C" NOT NULL REFERENCES merchants (id),
  mode           text NOT NULL CHECK (mode IN ('test', 'live')),
  url            text NOT NULL,
  event_types    text[] NOT NULL,
  description    text,
  -- AES-256-GCM sealed by the server; the plain secret never reaches the database.
  sealed_secret  text NOT NULL,
  status         text NOT NULL CHECK (status IN ('enabled', 'disabled', 'deleted')),
  failing_since  timestamptz,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_merchant_idx ON webhook_endpoints (merchant_id, mode, id);

CREATE TABLE webhook_deliveries (
  id              text COLLATE "C" PRIMARY KEY,
  event_id        text COLLATE "C" NOT NULL REFERENCES events (id),
  endpoint_id     text COLLATE "C" NOT NULL REFERENCES webhook_endpoints (id),
  merchant_id     text COLLATE "C" NOT NULL,
  mode            text NOT NULL CHECK (mode IN ('test', 'live')),
  status          text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts        jsonb NOT NULL DEFAULT '[]',
  next_attempt_at timestamptz,
  locked_until    timestamptz,
  lock_token      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  -- One delivery per event and endpoint: dispatching twice cannot send an event twice.
  CONSTRAINT webhook_deliveries_event_endpoint_key UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- Claims on background work ("sync:pay_…", "reconcile:2026-01-31"): one holder at a time, with backoff.
CREATE TABLE job_claims (
  key        text PRIMARY KEY,
  attempts   integer NOT NULL,
  next_at    timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE reconciliation_runs (
  id          text COLLATE "C" PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  checked     integer NOT NULL,
  changes     jsonb NOT NULL,
  errors      jsonb NOT NULL
);

-- The job sweeps look payments up by status and age.
CREATE INDEX payments_status_updated_idx ON payments (status, updated_at);
`,
};
