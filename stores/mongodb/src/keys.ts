import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';

/**
 * The `_id` of a document whose identity is a string key (a payment id, an idempotency scope, …): the
 * first 12 bytes of SHA-256 over the kind and the key parts, as an ObjectId.
 *
 * Why not the string itself: uniqueness in this store rests on `_id` alone (the one index every
 * MongoDB-compatible server enforces, and the shard-key-friendly one), and the in-process test server
 * (CongoDB) only accepts ObjectId `_id`s. Deriving the ObjectId keeps ONE data model for production and
 * tests. The readable key is stored next to it and checked on every read by `_id` (`sameKey`), so a
 * 96-bit digest collision — about 1 in 10^11 at a billion documents of one kind — fails loudly instead
 * of returning another object.
 */
export function keyId(kind: string, ...parts: string[]): ObjectId {
  // JSON framing keeps ("a:b","c") and ("a","b:c") apart.
  const digest = createHash('sha256')
    .update(JSON.stringify([kind, ...parts]))
    .digest();
  return new ObjectId(digest.subarray(0, 12));
}
