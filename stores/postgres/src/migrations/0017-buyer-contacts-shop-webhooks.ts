import type { Migration } from './migration';

// Buyer contacts: confirmed email addresses a buyer (e.g. a Telegram-login one) adds to find the payments
// made with them. The address is the primary key: one buyer per confirmed contact address.
// Per-shop webhook endpoints: shop_id null keeps the old behaviour (every event of the merchant).
export const buyerContactsShopWebhooksSchema: Migration = {
  version: 17,
  name: 'buyer-contacts-shop-webhooks',
  sql: `
CREATE TABLE buyer_contacts (
  email        text COLLATE "C" PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL REFERENCES users (id),
  confirmed_at timestamptz NOT NULL
);
CREATE INDEX buyer_contacts_user_idx ON buyer_contacts (user_id, email);

ALTER TABLE webhook_endpoints ADD COLUMN shop_id text COLLATE "C";
`,
};
