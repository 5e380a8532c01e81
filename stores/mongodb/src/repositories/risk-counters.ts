import type { RiskCounterRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';

const counterKey = (key: string, bucket: Date) => keyId('riskCounter', key, bucket.toISOString());

/** One document per (key, bucket), `_id` from both: increments are single-document upserts. */
export function riskCounterRepository({ run, riskCounters }: Collections): RiskCounterRepository {
  return {
    async increment({ keys, bucket, expiresAt }) {
      const tally = new Map<string, number>();
      for (const key of keys) tally.set(key, (tally.get(key) ?? 0) + 1);
      await Promise.all(
        [...tally].map(([key, count]) => {
          const upsert = () =>
            riskCounters.updateOne(
              { _id: counterKey(key, bucket) },
              { $inc: { count }, $max: { expiresAt }, $setOnInsert: { key, bucket } },
              { upsert: true },
            );
          // Two first upserts of one counter may race on `_id`; the loser's retry finds it and adds.
          return run(() =>
            upsert().catch((error: unknown) => (isDuplicateKey(error) ? upsert() : Promise.reject(error))),
          );
        }),
      );
    },

    async count({ queries }) {
      if (queries.length === 0) return [];
      // One round trip: every counter of the queried keys since the earliest `since`, summed here.
      const earliest = new Date(Math.min(...queries.map((q) => q.since.getTime())));
      const docs = await run(() =>
        riskCounters
          .find({ key: { $in: [...new Set(queries.map((q) => q.key))] }, bucket: { $gte: earliest } })
          .project<{ key: string; bucket: Date; count: number }>({ _id: 0, key: 1, bucket: 1, count: 1 })
          .toArray(),
      );
      return queries.map((q) =>
        docs
          .filter((doc) => doc.key === q.key && doc.bucket.getTime() >= q.since.getTime())
          .reduce((sum, doc) => sum + doc.count, 0),
      );
    },

    async purgeExpired({ before, limit }) {
      const expired = await run(() =>
        riskCounters
          .find({ expiresAt: { $lte: before } })
          .project<{ _id: unknown }>({ _id: 1 })
          .limit(Math.max(1, Math.trunc(limit)))
          .toArray(),
      );
      if (expired.length === 0) return 0;
      const result = await run(() =>
        riskCounters.deleteMany({
          _id: { $in: expired.map((doc) => doc._id) } as never,
          expiresAt: { $lte: before },
        }),
      );
      return result.deletedCount;
    },
  };
}
