import type { Migration } from './migration';

// Merchant onboarding (issue 9): the one-day trial and live mode on merchants, live-account applications
// with their review history, and the acquiring banks the PSP offers. Merchants that exist already were
// created by the operator (or before onboarding existed) and keep live mode: it opened at their creation.
export const onboardingSchema: Migration = {
  version: 9,
  name: 'onboarding',
  sql: `
ALTER TABLE merchants
  ADD COLUMN live_enabled_at timestamptz,
  ADD COLUMN trial_started_at timestamptz,
  ADD COLUMN trial_ends_at timestamptz,
  ADD COLUMN trial_expired_at timestamptz,
  ADD COLUMN connection_fee jsonb;
UPDATE merchants SET live_enabled_at = created_at;
-- The trial-expiry job's query: running trials by end time.
CREATE INDEX merchants_trials_due ON merchants (trial_ends_at)
  WHERE trial_ends_at IS NOT NULL AND trial_expired_at IS NULL;

CREATE TABLE merchant_applications (
  id text PRIMARY KEY,
  merchant_id text NOT NULL UNIQUE,
  status text NOT NULL,
  details jsonb NOT NULL,
  history jsonb NOT NULL,
  decision jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL
);
-- The review queue: by status, oldest first.
CREATE INDEX merchant_applications_queue ON merchant_applications (status, id);

CREATE TABLE acquiring_banks (
  id text PRIMARY KEY,
  name text NOT NULL,
  active boolean NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
`,
};
