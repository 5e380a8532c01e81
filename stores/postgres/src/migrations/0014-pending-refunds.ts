import type { Migration } from './migration';

// The refunds.sync job looks for refunds still pending (refunds.listPending): a partial index holds only
// those, so the lookup stays cheap however many settled refunds accumulate.
export const pendingRefundsSchema: Migration = {
  version: 14,
  name: 'pending-refunds',
  sql: `CREATE INDEX refunds_pending_idx ON refunds (updated_at, id) WHERE status = 'pending';`,
};
