import type { ApiKeyRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { apiKeyKey, decodeApiKey, encodeApiKey } from '../documents';

export function apiKeyRepository({ run, apiKeys }: Collections): ApiKeyRepository {
  return {
    async findActiveByHash({ secretHash }) {
      // `revokedAt: null` matches a null or a missing field.
      const doc = await run(() =>
        apiKeys.findOne({ _id: apiKeyKey(secretHash), secretHash, revokedAt: null }),
      );
      return doc ? decodeApiKey(doc) : null;
    },

    async list({ merchantId }) {
      const docs = await run(() => apiKeys.find({ merchantId }).sort({ id: 1 }).toArray());
      return docs.map(decodeApiKey);
    },

    async insert({ apiKey }) {
      await run(() => apiKeys.insertOne(encodeApiKey(apiKey)));
    },

    async revoke({ merchantId, id, now }) {
      // The first revocation time stays: revoke only what is still active, then read what is there.
      const revoked = await run(() =>
        apiKeys.findOneAndUpdate(
          { id, merchantId, revokedAt: null },
          { $set: { revokedAt: now } },
          { returnDocument: 'after' },
        ),
      );
      if (revoked) return decodeApiKey(revoked);
      const existing = await run(() => apiKeys.findOne({ id, merchantId }));
      return existing ? decodeApiKey(existing) : null;
    },

    async touch({ id, now, ifOlderThan }) {
      await run(() =>
        apiKeys.updateOne(
          { id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: ifOlderThan } }] },
          { $set: { lastUsedAt: now } },
        ),
      );
    },
  };
}
