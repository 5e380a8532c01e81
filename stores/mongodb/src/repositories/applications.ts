import type { ApplicationRepository, LiveModeGrant, MerchantApplication } from '@payrail/core';
import type { Collections } from '../collections';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';
import type { ApplicationDoc } from '../onboarding-documents';
import { clampLimit } from './pagination';

const applicationKey = (merchantId: string) => keyId('application', merchantId);
const decode = ({ _id, pendingGrant: _pending, ...application }: ApplicationDoc): MerchantApplication =>
  application;

/**
 * Live-account applications, one document per merchant. Without a transaction, approval is made
 * recoverable: the application's compare-and-set write (on `version`) also stores the merchant change as
 * `pendingGrant`; then the merchant gets its tariff, connection fee and live mode (conditional writes,
 * harmless to repeat); then `pendingGrant` is removed. A lost race never opens live mode (the application
 * is written first), and a crash in between leaves a `pendingGrant` that `resumeGrants` (run by the
 * `onboarding.expire_trials` job) completes. Merchants without an `onboarding` field (operator-created,
 * live already) only get the tariff.
 */
export function applicationRepository({ run, applications, merchants }: Collections): ApplicationRepository {
  /** Writes the grant on the merchant; each write is conditional or idempotent, so repeats are harmless. */
  const applyGrant = async ({ merchantId, liveEnabledAt, tariff, connectionFee }: LiveModeGrant) => {
    await run(() =>
      merchants.updateOne(
        { id: merchantId, onboarding: { $exists: true } },
        { $set: { tariff, 'onboarding.connectionFee': connectionFee } },
      ),
    );
    await run(() =>
      merchants.updateOne(
        { id: merchantId, onboarding: { $exists: true }, 'onboarding.liveEnabledAt': null },
        { $set: { 'onboarding.liveEnabledAt': liveEnabledAt } },
      ),
    );
  };
  /** Removes the marker; true for the one caller that removed it. */
  const settle = async (merchantId: string) => {
    const result = await run(() =>
      applications.updateOne(
        { _id: applicationKey(merchantId), pendingGrant: { $exists: true } },
        { $unset: { pendingGrant: '' } },
      ),
    );
    return result.modifiedCount > 0;
  };

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
          { $set: grant ? { ...fields, pendingGrant: grant } : fields, $inc: { version: 1 } },
          { returnDocument: 'after' },
        ),
      );
      if (!updated) return { ok: false, reason: 'version_conflict' };
      if (grant) {
        await applyGrant(grant);
        await settle(merchantId);
      }
      return { ok: true, application: decode(updated) };
    },

    async resumeGrants({ approvedBefore, limit }) {
      const docs = await run(() =>
        applications
          .find({ pendingGrant: { $exists: true }, 'pendingGrant.liveEnabledAt': { $lte: approvedBefore } })
          .sort({ 'pendingGrant.liveEnabledAt': 1 })
          .limit(Math.max(1, Math.min(1000, Math.trunc(limit))))
          .toArray(),
      );
      const resumed: MerchantApplication[] = [];
      for (const doc of docs) {
        if (!doc.pendingGrant) continue;
        await applyGrant(doc.pendingGrant);
        if (await settle(doc.merchantId)) resumed.push(decode(doc));
      }
      return resumed;
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
