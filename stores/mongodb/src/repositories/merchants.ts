import type { MerchantRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { decodeMerchant, encodeApiKey, encodeMerchant, merchantKey } from '../documents';
import { merchantOnboardingRepository } from './merchant-onboarding';

export function merchantRepository(all: Collections): MerchantRepository {
  const { run, merchants, apiKeys } = all;
  return {
    ...merchantOnboardingRepository(all),

    /**
     * Two ordered writes with cleanup instead of a transaction (which would need a replica set):
     * 1. the keys (each `_id` derives from its secret hash, so a clash fails here), then
     * 2. the merchant (its `_id` derives from its id).
     * If either fails, the keys written in step 1 are deleted and the error is rethrown. A merchant is
     * never visible without its keys. A crash between the steps can leave keys of a merchant that does
     * not exist: harmless, since their secrets were never shown to anyone (creation did not return) and
     * authentication resolves the merchant after the key.
     */
    async create({ merchant, apiKeys: keys }) {
      const keyDocs = keys.map(encodeApiKey);
      const undoKeys = () =>
        apiKeys
          .deleteMany({
            _id: { $in: keyDocs.map((doc) => doc._id) },
            id: { $in: keyDocs.map((doc) => doc.id) },
            merchantId: merchant.id,
          })
          .catch(() => undefined);
      await run(async () => {
        try {
          if (keyDocs.length > 0) await apiKeys.insertMany(keyDocs, { ordered: true });
          await merchants.insertOne(encodeMerchant(merchant));
        } catch (error) {
          await undoKeys();
          throw error;
        }
      });
    },

    async get({ id }) {
      const doc = await run(() => merchants.findOne({ _id: merchantKey(id) }));
      return doc ? decodeMerchant(doc, id) : null;
    },

    async count() {
      return run(() => merchants.countDocuments({}));
    },
  };
}
