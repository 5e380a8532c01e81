import type { IdempotencyBeginResult, IdempotencyRepository } from '@payrail/core';
import type { Db } from '../db';
import { jsonParam } from '../mapping/sql';

interface IdempotencyRow {
  request_hash: string;
  state: 'in_flight' | 'completed';
  response_status: number | null;
  response_body: unknown;
}

/**
 * Claims the key in ONE statement, so concurrent requests with the same key race inside PostgreSQL's
 * unique index and exactly one wins:
 * - no row: inserted → started;
 * - a row past `expires_at` counts as absent → taken over, whatever its request;
 * - an in-flight row whose lock expired (its process died) → taken over by the same request only:
 *   a different request with that key is still a mismatch, since the first one may have had effects.
 * ON CONFLICT DO UPDATE locks the conflicting row and evaluates the WHERE on its latest version, so two
 * concurrent takeovers cannot both succeed. A takeover of a dead claim keeps its `resource_ulid`: the
 * dead attempt may already have created the object with that id. An abandoned claim (a 5xx/409/429
 * answer) is one whose lock was released at once (`locked_until = -infinity`): taken over the same way.
 */
const CLAIM_SQL = `
INSERT INTO idempotency_keys AS k
  (merchant_id, mode, key, request_hash, state, locked_until, expires_at, created_at, updated_at, resource_ulid)
VALUES ($1, $2, $3, $4, 'in_flight', $5, $6, $7, $7, $8)
ON CONFLICT (merchant_id, mode, key) DO UPDATE SET
  request_hash = excluded.request_hash,
  state = 'in_flight',
  response_status = NULL,
  response_body = NULL,
  locked_until = excluded.locked_until,
  expires_at = excluded.expires_at,
  created_at = excluded.created_at,
  updated_at = excluded.updated_at,
  resource_ulid = CASE WHEN k.expires_at < excluded.created_at OR k.resource_ulid IS NULL
                       THEN excluded.resource_ulid ELSE k.resource_ulid END
WHERE k.expires_at < excluded.created_at
   OR (k.state = 'in_flight' AND k.locked_until < excluded.created_at AND k.request_hash = excluded.request_hash)
RETURNING resource_ulid`;

export function idempotencyRepository(db: Db): IdempotencyRepository {
  return {
    async begin({ merchantId, mode, key, requestHash, now, expiresAt, lockedUntil, resourceUlid }) {
      // Two tries: a refused claim means a row exists, and rows are not deleted (`abandon` only releases
      // the lock), so the read finds it; should it not, claim again rather than guess.
      for (let attempt = 0; attempt < 2; attempt++) {
        const claimed = await db.queryPrepared<{ resource_ulid: string }>(CLAIM_SQL, [
          merchantId,
          mode,
          key,
          requestHash,
          lockedUntil,
          expiresAt,
          now,
          resourceUlid,
        ]);
        const claim = claimed[0];
        if (claim) {
          return {
            state: 'started',
            resourceUlid: claim.resource_ulid,
            resumed: claim.resource_ulid !== resourceUlid,
          };
        }
        const rows = await db.queryPrepared<IdempotencyRow>(
          `SELECT request_hash, state, response_status, response_body
             FROM idempotency_keys WHERE merchant_id = $1 AND mode = $2 AND key = $3`,
          [merchantId, mode, key],
        );
        const row = rows[0];
        if (row) return existing(row, requestHash);
      }
      // The key keeps being claimed and released under us: report it busy; the client retries later.
      return { state: 'in_flight' };
    },

    async complete({ merchantId, mode, key, response }) {
      // Only an in-flight record takes a response. If it is not (expired and reclaimed by another request),
      // the work is done anyway and failing the caller's request now would help nobody: nothing to do.
      await db.queryPrepared(
        `UPDATE idempotency_keys
            SET state = 'completed', response_status = $4, response_body = $5::json,
                locked_until = NULL, updated_at = now()
          WHERE merchant_id = $1 AND mode = $2 AND key = $3 AND state = 'in_flight'`,
        [merchantId, mode, key, response.statusCode, jsonParam(response.body ?? null)],
      );
    },

    async abandon({ merchantId, mode, key }) {
      // Releases the lock only: the row keeps its request hash and reserved ULID, so a retry of the same
      // request takes it over at once (as a dead claim) with that ULID, and another request is a mismatch.
      await db.queryPrepared(
        `UPDATE idempotency_keys SET locked_until = '-infinity', updated_at = now()
          WHERE merchant_id = $1 AND mode = $2 AND key = $3 AND state = 'in_flight'`,
        [merchantId, mode, key],
      );
    },
  };
}

function existing(row: IdempotencyRow, requestHash: string): IdempotencyBeginResult {
  if (row.request_hash !== requestHash) return { state: 'mismatch' };
  if (row.state === 'completed') {
    return {
      state: 'completed',
      response: { statusCode: row.response_status ?? 200, body: row.response_body },
    };
  }
  return { state: 'in_flight' };
}
