import type { JobRepository, ReconciliationRun } from '@payrail/core';
import type { Collections } from '../collections';
import { decodePayment, PAYMENT_ONLY } from '../documents';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';

const jobKey = (key: string) => keyId('job', key);

/**
 * Job claims, one document per key (`_id` from the key): the first claim is an insert, a later one a
 * conditional update on `nextAt <= now`, so of two concurrent claimers exactly one gets the claim.
 */
export function jobRepository({ run, jobClaims, reconciliations, payments }: Collections): JobRepository {
  return {
    async claim({ key, now, until }) {
      const _id = jobKey(key);
      // Two tries: between a refused insert and the update, the holder may `release` (delete) the key.
      for (let attempt = 0; attempt < 2; attempt++) {
        const inserted = await run(async () => {
          try {
            await jobClaims.insertOne({ _id, key, attempts: 1, nextAt: until, updatedAt: now });
            return true;
          } catch (error) {
            if (isDuplicateKey(error)) return false;
            throw error;
          }
        });
        if (inserted) return { key, attempts: 1 };
        const taken = await run(() =>
          jobClaims.findOneAndUpdate(
            { _id, key, nextAt: { $lte: now } },
            { $inc: { attempts: 1 }, $set: { nextAt: until, updatedAt: now } },
            { returnDocument: 'after' },
          ),
        );
        if (taken) return { key, attempts: taken.attempts };
        if ((await run(() => jobClaims.countDocuments({ _id }, { limit: 1 }))) > 0) return null;
      }
      return null;
    },

    async reschedule({ key, nextAt }) {
      await run(() =>
        jobClaims.updateOne({ _id: jobKey(key), key }, { $set: { nextAt, updatedAt: new Date() } }),
      );
    },

    async release({ key }) {
      await run(() => jobClaims.deleteOne({ _id: jobKey(key), key }));
    },

    async findPayments({ statuses, updatedBefore, limit, afterId, withProviderRef }) {
      const docs = await run(() =>
        payments
          .find(
            {
              status: { $in: [...statuses] },
              updatedAt: { $lt: updatedBefore },
              ...(afterId !== undefined ? { id: { $gt: afterId } } : {}),
              ...(withProviderRef ? { 'provider.paymentRef': { $type: 'string' } } : {}),
            },
            { projection: PAYMENT_ONLY },
          )
          .sort({ id: 1 })
          .limit(Math.max(1, Math.min(Math.trunc(limit), 1000)))
          .toArray(),
      );
      return docs.map((doc) => decodePayment(doc));
    },

    async recordReconciliation({ run: reconciliation }) {
      await run(() =>
        reconciliations.insertOne({ _id: keyId('reconciliation', reconciliation.id), ...reconciliation }),
      );
    },

    async listReconciliations({ limit }) {
      const docs = await run(() =>
        reconciliations
          .find({})
          .sort({ id: -1 })
          .limit(Math.max(1, Math.min(Math.trunc(limit), 100)))
          .toArray(),
      );
      return docs.map(({ _id, ...reconciliation }): ReconciliationRun => reconciliation);
    },
  };
}
