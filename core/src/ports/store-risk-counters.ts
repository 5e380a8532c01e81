/**
 * Velocity counters for antifraud: one counter per (key, time bucket). Writers add to the bucket of "now";
 * readers sum the buckets of a window. Rows are small and indexed by key, so a velocity feature costs one
 * index range scan instead of a scan over payments, and counts survive restarts and are shared by every
 * server process on the same database.
 *
 * Keys are opaque to the store (the antifraud plugin hashes dimension, event and value into them).
 */
export interface RiskCounterRepository {
  /**
   * Adds one to each key's counter in the bucket starting at `bucket` (a key given twice adds two),
   * creating missing counters. Each counter is updated atomically; there is no atomicity across keys.
   * `expiresAt` is when the counter may be purged (a later value wins when the counter exists).
   */
  increment(args: { keys: readonly string[]; bucket: Date; expiresAt: Date }): Promise<void>;
  /**
   * For each query, the sum of the key's counters whose bucket starts at or after `since`. One number per
   * query, in the order given; 0 for an unknown key. One round trip for all queries.
   */
  count(args: { queries: readonly { key: string; since: Date }[] }): Promise<number[]>;
  /** Deletes up to `limit` counters whose `expiresAt` is at or before `before`; returns how many. */
  purgeExpired(args: { before: Date; limit: number }): Promise<number>;
}
