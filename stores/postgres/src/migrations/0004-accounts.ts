import type { Migration } from './migration';

// Accounts and security (issue 6): users, server-side sessions, single-use tokens, the audit log, and
// expiry/last use for API keys. Secrets are stored only as hashes (argon2id for passwords, SHA-256 for
// random tokens and recovery codes).
export const accountsSchema: Migration = {
  version: 4,
  name: 'accounts',
  sql: `
CREATE TABLE users (
  id                      text COLLATE "C" PRIMARY KEY,
  account_type            text NOT NULL CHECK (account_type IN ('merchant', 'buyer', 'issuer', 'psp')),
  role                    text NOT NULL CHECK (role IN ('owner', 'staff', 'buyer', 'issuer', 'admin', 'support')),
  merchant_id             text COLLATE "C" REFERENCES merchants (id),
  login                   text NOT NULL,
  login_kind              text NOT NULL CHECK (login_kind IN ('email', 'telegram')),
  email_confirmed_at      timestamptz,
  telegram_id             text,
  telegram_confirmed_at   timestamptz,
  password_hash           text NOT NULL,
  financial_password_hash text,
  totp_secret             text,
  totp_enabled_at         timestamptz,
  recovery_code_hashes    jsonb NOT NULL DEFAULT '[]',
  notify_channel          text NOT NULL DEFAULT 'email',
  locale                  text NOT NULL DEFAULT 'en',
  login_failures          integer NOT NULL DEFAULT 0,
  login_locked_until      timestamptz,
  financial_failures      integer NOT NULL DEFAULT 0,
  financial_locked_until  timestamptz,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  version                 integer NOT NULL,
  CONSTRAINT users_login_key UNIQUE (login),
  CONSTRAINT users_telegram_id_key UNIQUE (telegram_id)
);
CREATE INDEX users_merchant_idx ON users (merchant_id, id);

CREATE TABLE sessions (
  id          text COLLATE "C" PRIMARY KEY,
  user_id     text COLLATE "C" NOT NULL REFERENCES users (id),
  token_hash  text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  ip          text NOT NULL,
  user_agent  text NOT NULL,
  revoked_at  timestamptz,
  CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_idx ON sessions (user_id, id);

CREATE TABLE account_tokens (
  id          text COLLATE "C" PRIMARY KEY,
  purpose     text NOT NULL,
  user_id     text COLLATE "C" NOT NULL REFERENCES users (id),
  token_hash  text NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  CONSTRAINT account_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

CREATE TABLE audit_log (
  id          text COLLATE "C" PRIMARY KEY,
  merchant_id text COLLATE "C",
  user_id     text COLLATE "C",
  type        text NOT NULL,
  ip          text NOT NULL,
  user_agent  text NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL
);
CREATE INDEX audit_log_merchant_idx ON audit_log (merchant_id, id);

ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
`,
};
