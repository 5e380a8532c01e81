import type { Migration } from './migration';

// The ULID an idempotent request reserves for the object it creates. A retry that takes over the claim of
// a request whose process died gets the same ULID back, so it finds the payment or refund the first
// attempt may have written instead of creating a second one (see IdempotencyBeginResult).
export const idempotencyResourceSchema: Migration = {
  version: 7,
  name: 'idempotency-resource',
  sql: `ALTER TABLE idempotency_keys ADD COLUMN resource_ulid text;`,
};
