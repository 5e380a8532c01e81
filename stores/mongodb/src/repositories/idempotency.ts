import type { IdempotencyBeginResult, IdempotencyRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { type IdempotencyDoc, idempotencyKey } from '../documents';
import { isDuplicateKey, keyCollision } from '../errors';

/**
 * A key is one document whose `_id` derives from (merchant, mode, key), so concurrent claims race on
 * the `_id` and exactly one wins:
 * - no document: the insert succeeds → started;
 * - a document past `expiresAt` counts as absent → taken over, whatever its request;
 * - an in-flight document whose lock expired (its process died) → taken over by the same request only:
 *   a different request with that key is still a mismatch, since the first one may have had effects.
 * Each takeover is one conditional update, atomic on the document, so two takeovers cannot both win.
 * Taking over a dead claim keeps its `resourceUlid`: the dead attempt may have created that object. An
 * abandoned claim (a 5xx/409/429 answer) has its lock released at once (`lockedUntil` = epoch): the same.
 */
export function idempotencyRepository({ run, idempotency }: Collections): IdempotencyRepository {
  return {
    async begin({ merchantId, mode, key, requestHash, now, expiresAt, lockedUntil, resourceUlid }) {
      const _id = idempotencyKey(merchantId, mode, key);
      const fresh: IdempotencyDoc = {
        _id,
        merchantId,
        mode,
        key,
        requestHash,
        state: 'in_flight',
        resourceUlid,
        lockedUntil,
        expiresAt,
        createdAt: now,
        updatedAt: now,
      };
      // Two tries: between a refused claim and the read, the document may be gone (the TTL index removes
      // expired ones; `abandon` no longer deletes, it only releases the lock): then claim again.
      for (let attempt = 0; attempt < 2; attempt++) {
        const inserted = await run(async () => {
          try {
            await idempotency.insertOne(fresh);
            return true;
          } catch (error) {
            if (isDuplicateKey(error)) return false;
            throw error;
          }
        });
        if (inserted) return { state: 'started', resourceUlid, resumed: false };

        const { _id: _, ...replacement } = fresh;
        const unsetResponse = { responseStatus: '', responseBody: '' } as const;
        const expiredTakeover = await run(() =>
          idempotency.updateOne(
            { _id, merchantId, mode, key, expiresAt: { $lt: now } },
            { $set: replacement, $unset: unsetResponse },
          ),
        );
        if (expiredTakeover.modifiedCount > 0) return { state: 'started', resourceUlid, resumed: false };

        const { resourceUlid: _proposed, ...keepingUlid } = replacement;
        const deadClaim = await run(() =>
          idempotency.findOneAndUpdate(
            { _id, merchantId, mode, key, state: 'in_flight', lockedUntil: { $lt: now }, requestHash },
            { $set: keepingUlid, $unset: unsetResponse },
            { returnDocument: 'before' },
          ),
        );
        if (deadClaim) {
          if (deadClaim.resourceUlid) {
            return { state: 'started', resourceUlid: deadClaim.resourceUlid, resumed: true };
          }
          // A claim from before ULIDs were kept: nothing to resume by; reserve one now.
          await run(() => idempotency.updateOne({ _id }, { $set: { resourceUlid } }));
          return { state: 'started', resourceUlid, resumed: false };
        }

        const doc = await run(() => idempotency.findOne({ _id }));
        if (doc) {
          if (doc.merchantId !== merchantId || doc.mode !== mode || doc.key !== key) {
            throw keyCollision('idempotency key', key);
          }
          return existing(doc, requestHash);
        }
      }
      // The key keeps being claimed and released under us: report it busy; the client retries later.
      return { state: 'in_flight' };
    },

    async complete({ merchantId, mode, key, response }) {
      // Only an in-flight record takes a response. If it is not (expired and reclaimed by another request),
      // the work is done anyway and failing the caller's request now would help nobody: nothing to do.
      await run(() =>
        idempotency.updateOne(
          { _id: idempotencyKey(merchantId, mode, key), merchantId, mode, key, state: 'in_flight' },
          {
            $set: {
              state: 'completed',
              responseStatus: response.statusCode,
              responseBody: JSON.stringify(response.body ?? null),
              lockedUntil: null,
              updatedAt: new Date(),
            },
          },
        ),
      );
    },

    async abandon({ merchantId, mode, key }) {
      // Releases the lock only: the document keeps its request hash and reserved ULID, so a retry of the
      // same request takes it over at once (as a dead claim) with that ULID; another request is a mismatch.
      await run(() =>
        idempotency.updateOne(
          { _id: idempotencyKey(merchantId, mode, key), merchantId, mode, key, state: 'in_flight' },
          { $set: { lockedUntil: new Date(0), updatedAt: new Date() } },
        ),
      );
    },
  };
}

function existing(doc: IdempotencyDoc, requestHash: string): IdempotencyBeginResult {
  if (doc.requestHash !== requestHash) return { state: 'mismatch' };
  if (doc.state === 'completed') {
    return {
      state: 'completed',
      response: {
        statusCode: doc.responseStatus ?? 200,
        body: doc.responseBody === undefined ? null : JSON.parse(doc.responseBody),
      },
    };
  }
  return { state: 'in_flight' };
}
