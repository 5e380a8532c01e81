import type { Migration } from './migration';

// The issuer side of payer authentication (issue 3). Issuers are their own principals with their own
// keys (`ik_…`), not merchants. An enrolled PAN is only vault ciphertext bound to the enrolment id (erased
// on unenrolment), the code only an argon2id hash. Overlap of different issuers' ranges is checked by the
// repository under a table lock, since a range is compared on its prefix length (no plain constraint fits).
export const issuersSchema: Migration = {
  version: 8,
  name: 'issuers',
  sql: `
CREATE TABLE issuers (
  id         text COLLATE "C" PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE issuer_api_keys (
  id             text COLLATE "C" PRIMARY KEY,
  issuer_id      text COLLATE "C" NOT NULL REFERENCES issuers (id),
  mode           text NOT NULL CHECK (mode IN ('test', 'live')),
  secret_hash    text NOT NULL UNIQUE,
  display_prefix text NOT NULL,
  created_at     timestamptz NOT NULL,
  revoked_at     timestamptz
);
CREATE INDEX issuer_api_keys_issuer_idx ON issuer_api_keys (issuer_id);

CREATE TABLE issuer_iin_ranges (
  id         text COLLATE "C" PRIMARY KEY,
  issuer_id  text COLLATE "C" NOT NULL REFERENCES issuers (id),
  mode       text NOT NULL CHECK (mode IN ('test', 'live')),
  first      text COLLATE "C" NOT NULL CHECK (first ~ '^[0-9]{1,19}$'),
  last       text COLLATE "C" NOT NULL CHECK (last ~ '^[0-9]{1,19}$'),
  created_at timestamptz NOT NULL,
  CONSTRAINT issuer_iin_ranges_bounds CHECK (length(first) = length(last) AND first <= last)
);
CREATE INDEX issuer_iin_ranges_mode_idx ON issuer_iin_ranges (mode, first);
CREATE INDEX issuer_iin_ranges_issuer_idx ON issuer_iin_ranges (issuer_id, mode, id);

CREATE TABLE issuer_enrolments (
  id             text COLLATE "C" PRIMARY KEY,
  issuer_id      text COLLATE "C" NOT NULL REFERENCES issuers (id),
  mode           text NOT NULL CHECK (mode IN ('test', 'live')),
  fingerprint    text NOT NULL,
  pan_ciphertext text NOT NULL,
  key_id         text NOT NULL,
  brand          text NOT NULL,
  first6         text NOT NULL CHECK (first6 ~ '^[0-9]{6}$'),
  last4          text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  exp_month      integer NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year       integer NOT NULL,
  code_hash      text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  unenrolled_at  timestamptz,
  CONSTRAINT issuer_enrolments_unenrolled_shredded CHECK (unenrolled_at IS NULL OR pan_ciphertext = '')
);
-- At most one live enrolment per card (fingerprint), issuer and mode; payments look it up by fingerprint.
CREATE UNIQUE INDEX issuer_enrolments_fingerprint_key
  ON issuer_enrolments (issuer_id, mode, fingerprint) WHERE unenrolled_at IS NULL;
-- Key rotation (payrail vault rotate) walks the live enrolments not sealed under the newest key.
CREATE INDEX issuer_enrolments_key_idx ON issuer_enrolments (key_id, id) WHERE unenrolled_at IS NULL;

-- Counters, incremented by one upsert each (atomic under concurrent payments).
CREATE TABLE issuer_statistics (
  issuer_id  text COLLATE "C" NOT NULL,
  mode       text NOT NULL CHECK (mode IN ('test', 'live')),
  challenges bigint NOT NULL DEFAULT 0,
  successes  bigint NOT NULL DEFAULT 0,
  failures   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (issuer_id, mode)
);
`,
};
