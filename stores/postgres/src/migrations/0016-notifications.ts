import type { Migration } from './migration';

// The durable notification queue (accounts issue 6): a message is written here before anything is sent,
// so a process that dies before delivery loses nothing. `dedupe_key` makes a repeated enqueue (an outbox
// dispatcher re-run) a no-op; the partial indexes keep the delivery job's lookups on pending rows only.
export const notificationsSchema: Migration = {
  version: 16,
  name: 'notifications',
  sql: `
CREATE TABLE notifications (
  id              text COLLATE "C" PRIMARY KEY,
  dedupe_key      text COLLATE "C" NOT NULL UNIQUE,
  user_id         text COLLATE "C",
  channel         text NOT NULL CHECK (channel IN ('email', 'telegram')),
  address         text NOT NULL,
  template        text NOT NULL,
  locale          text NOT NULL,
  subject         text NOT NULL,
  body_text       text NOT NULL,
  body_html       text NOT NULL,
  status          text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  lease_until     timestamptz,
  lease_token     text,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  sent_at         timestamptz
);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'queued';
CREATE INDEX notifications_leased_idx ON notifications (lease_until) WHERE status = 'sending';
`,
};
