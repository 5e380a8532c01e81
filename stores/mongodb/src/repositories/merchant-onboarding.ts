import type { MerchantOnboardingRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { decodeMerchant, type MerchantDoc } from '../documents';
import { clampLimit } from './pagination';

const decode = (doc: MerchantDoc) => decodeMerchant(doc, doc.id);

/**
 * Onboarding writes on merchant documents: each one conditional `findOneAndUpdate`/`updateOne`, so races
 * and retries are harmless. Documents written before onboarding have no `onboarding` field: those
 * merchants are live (onboardingOf) and never in a trial, which the filters below respect.
 */
export function merchantOnboardingRepository({ run, merchants }: Collections): MerchantOnboardingRepository {
  return {
    async startTrial({ id, startedAt, endsAt }) {
      const doc = await run(() =>
        merchants.findOneAndUpdate(
          { id, onboarding: { $exists: true }, 'onboarding.trialStartedAt': null },
          { $set: { 'onboarding.trialStartedAt': startedAt, 'onboarding.trialEndsAt': endsAt } },
          { returnDocument: 'after' },
        ),
      );
      return doc ? decode(doc) : null;
    },

    async listTrialsDue({ now, limit }) {
      const docs = await run(() =>
        merchants
          .find({ 'onboarding.trialExpiredAt': null, 'onboarding.trialEndsAt': { $lte: now } })
          .sort({ 'onboarding.trialEndsAt': 1, id: 1 })
          .limit(Math.max(1, Math.min(1000, Math.trunc(limit))))
          .toArray(),
      );
      return docs.map(decode);
    },

    async expireTrial({ id, now }) {
      const result = await run(() =>
        merchants.updateOne(
          { id, 'onboarding.trialEndsAt': { $ne: null }, 'onboarding.trialExpiredAt': null },
          { $set: { 'onboarding.trialExpiredAt': now } },
        ),
      );
      return result.modifiedCount > 0;
    },

    async list({ limit, startingAfter }) {
      const size = clampLimit(limit);
      const docs = await run(() =>
        merchants
          .find(startingAfter ? { id: { $lt: startingAfter } } : {})
          .sort({ id: -1 })
          .limit(size + 1)
          .toArray(),
      );
      return { data: docs.slice(0, size).map(decode), hasMore: docs.length > size };
    },
  };
}
