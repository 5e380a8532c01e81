import type { ApplicationRepository, MerchantApplication } from '@payrail/core';
import type { Collections } from '../collections';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';
import type { ApplicationDoc } from '../onboarding-documents';
import { clampLimit } from './pagination';

const applicationKey = (merchantId: string) => keyId('application', merchantId);
const decode = ({ _id, ...application }: ApplicationDoc): MerchantApplication => application;

/**
 * Live-account applications, one document per merchant. Approval writes the application (compare-and-set
 * on `version`) and then the merchant's live mode: without a transaction, in that order, so a lost race
 * never opens live mode. A crash between them leaves an approved application with live mode still closed
 * (the merchant's live keys keep getting 403): the one known gap next to PostgreSQL's transaction.
 * Merchants without an `onboarding` field (operator-created, live already) only get the tariff.
 */
export function applicationRepository({ run, applications, merchants }: Collections): ApplicationRepository {
  const one = async (filter: Parameters<typeof applications.findOne>[0]) => {
    const doc = await run(() => applications.findOne(filter));
    return doc ? decode(doc) : null;
  };

  return {
    async insert({ application }) {
      // The duplicate-key check runs inside `run`, before errors are translated (errors.ts).
      const inserted = await run(async () => {
        try {
          await applications.insertOne({ _id: applicationKey(application.merchantId), ...application });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      });
      return inserted ? { ok: true } : { ok: false, reason: 'exists' };
    },

    get: ({ id }) => one({ id }),
    getByMerchant: ({ merchantId }) => one({ _id: applicationKey(merchantId), merchantId }),

    async update({ application, expectedVersion, grant }) {
      const { id, merchantId, version, ...fields } = application;
      const updated = await run(() =>
        applications.findOneAndUpdate(
          { _id: applicationKey(merchantId), id, version: expectedVersion },
          { $set: fields, $inc: { version: 1 } },
          { returnDocument: 'after' },
        ),
      );
      if (!updated) return { ok: false, reason: 'version_conflict' };
      if (grant) {
        const { merchantId: mid, liveEnabledAt, tariff, connectionFee } = grant;
        await run(() =>
          merchants.updateOne(
            { id: mid, onboarding: { $exists: true } },
            { $set: { tariff, 'onboarding.connectionFee': connectionFee } },
          ),
        );
        await run(() =>
          merchants.updateOne(
            { id: mid, onboarding: { $exists: true }, 'onboarding.liveEnabledAt': null },
            { $set: { 'onboarding.liveEnabledAt': liveEnabledAt } },
          ),
        );
      }
      return { ok: true, application: decode(updated) };
    },

    async list({ status, limit, startingAfter }) {
      const size = clampLimit(limit);
      const filter: Record<string, unknown> = {};
      if (status) filter.status = status;
      if (startingAfter) filter.id = { $gt: startingAfter };
      const docs = await run(() =>
        applications
          .find(filter)
          .sort({ id: 1 })
          .limit(size + 1)
          .toArray(),
      );
      return { data: docs.slice(0, size).map(decode), hasMore: docs.length > size };
    },
  };
}
