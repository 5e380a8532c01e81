import type { Migration } from './migration';

// Shops (issue 9): a merchant's sites, each with its methods, provider routes and return URLs. Payments
// name their shop in `shop_id` (nullable: payments made without one, and every payment made before).
export const shopsSchema: Migration = {
  version: 10,
  name: 'shops',
  sql: `
CREATE TABLE shops (
  id              text COLLATE "C" PRIMARY KEY,
  merchant_id     text COLLATE "C" NOT NULL REFERENCES merchants (id),
  name            text NOT NULL,
  url             text NOT NULL,
  methods         jsonb NOT NULL,
  provider_routes jsonb NOT NULL,
  success_url     text,
  fail_url        text,
  archived        boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX shops_merchant_idx ON shops (merchant_id, id);

-- No foreign key to shops: the store checks the shop when the payment is created, and payments stay
-- insertable in one statement without a lookup.
ALTER TABLE payments ADD COLUMN shop_id text COLLATE "C";

-- The payment list of one shop, newest first (GET /v1/payments?shop_id=).
CREATE INDEX payments_shop_list_idx ON payments (merchant_id, mode, shop_id, id DESC)
  WHERE shop_id IS NOT NULL;
-- Reports of one shop: the merchant's rows of that shop in the period, index-only, like 0006's index.
CREATE INDEX payments_shop_report_idx
  ON payments (merchant_id, mode, shop_id, created_at) INCLUDE (currency, status, method, amount);
-- Reports grouped by shop read shop_id too: 0006's covering index, with shop_id included, replaces it.
CREATE INDEX payments_report_by_shop_idx
  ON payments (merchant_id, mode, created_at) INCLUDE (currency, status, method, amount, shop_id);
DROP INDEX payments_report_idx;
`,
};
