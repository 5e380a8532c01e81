import type { AcquiringBank, AcquiringBankRepository } from '@payrail/core';
import type { Collections } from '../collections';
import { keyId } from '../keys';
import type { AcquiringBankDoc } from '../onboarding-documents';

const bankKey = (id: string) => keyId('acquiringBank', id);
const decode = ({ _id, ...bank }: AcquiringBankDoc): AcquiringBank => bank;

/** The acquiring banks the PSP offers, one document each. */
export function acquiringBankRepository({ run, acquiringBanks }: Collections): AcquiringBankRepository {
  return {
    async insert({ bank }) {
      await run(() => acquiringBanks.insertOne({ _id: bankKey(bank.id), ...bank }));
    },

    async get({ id }) {
      const doc = await run(() => acquiringBanks.findOne({ _id: bankKey(id), id }));
      return doc ? decode(doc) : null;
    },

    async list({ activeOnly }) {
      const docs = await run(() =>
        acquiringBanks
          .find(activeOnly ? { active: true } : {})
          .sort({ id: 1 })
          .toArray(),
      );
      return docs.map(decode);
    },

    async update({ id, name, active, now }) {
      const doc = await run(() =>
        acquiringBanks.findOneAndUpdate(
          { _id: bankKey(id), id },
          { $set: { name, active, updatedAt: now } },
          { returnDocument: 'after' },
        ),
      );
      return doc ? decode(doc) : null;
    },
  };
}
