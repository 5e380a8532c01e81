import type { Migration } from './migration';

// Consulting tickets (issue 9): a ticket per merchant question, its thread of messages, and attachment
// bytes kept in the database (bytea, at most 2 MiB each — the server checks size and type) so a backup
// of the database is a backup of the tickets.
export const ticketsSchema: Migration = {
  version: 11,
  name: 'tickets',
  sql: `
CREATE TABLE tickets (
  id           text COLLATE "C" PRIMARY KEY,
  merchant_id  text COLLATE "C" NOT NULL REFERENCES merchants (id),
  opened_by    text COLLATE "C" NOT NULL REFERENCES users (id),
  topic        text NOT NULL CHECK (topic IN ('online_shop', 'payment_systems', 'site_integration',
                 'web_pos', 'transaction_tracking', 'security_risk', 'other')),
  subject      text NOT NULL,
  status       text NOT NULL CHECK (status IN ('open', 'waiting_for_merchant', 'waiting_for_support',
                 'resolved', 'closed')),
  assignee_id  text COLLATE "C" REFERENCES users (id),
  payment_ids  jsonb NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  version      integer NOT NULL
);
CREATE INDEX tickets_merchant_idx ON tickets (merchant_id, id);
CREATE INDEX tickets_status_idx ON tickets (status, id);
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, id);

CREATE TABLE ticket_messages (
  id          text COLLATE "C" PRIMARY KEY,
  ticket_id   text COLLATE "C" NOT NULL REFERENCES tickets (id),
  author_id   text COLLATE "C" NOT NULL REFERENCES users (id),
  side        text NOT NULL CHECK (side IN ('merchant', 'support')),
  body        text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, id);

CREATE TABLE ticket_attachments (
  id            text COLLATE "C" PRIMARY KEY,
  ticket_id     text COLLATE "C" NOT NULL REFERENCES tickets (id),
  message_id    text COLLATE "C" NOT NULL REFERENCES ticket_messages (id),
  filename      text NOT NULL,
  content_type  text NOT NULL,
  size          integer NOT NULL CHECK (size >= 0),
  sha256        text NOT NULL,
  data          bytea NOT NULL
);
CREATE INDEX ticket_attachments_message_idx ON ticket_attachments (message_id, id);
`,
};
