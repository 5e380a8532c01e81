import { setTimeout as sleep } from 'node:timers/promises';
import {
  type IinRangeRecord,
  type Issuer,
  type IssuerApiKey,
  type IssuerEnrolment,
  type IssuerRepository,
  iinRangesOverlap,
  type Mode,
  PayrailError,
  panInIinRange,
} from '@payrail/core';
import type { ObjectId } from 'mongodb';
import type { Collections } from '../collections';
import { isDuplicateKey, keyCollision } from '../errors';
import { keyId } from '../keys';

export type IssuerDoc = Issuer & { _id: ObjectId };
/** `_id` from the secret hash: the key's uniqueness and its lookup both rest on `_id`. */
export type IssuerApiKeyDoc = IssuerApiKey & { _id: ObjectId };
/**
 * Every IIN range of one mode in one document (`_id` from the mode), changed by compare-and-set on
 * `version`: the overlap check across issuers and the write are then one atomic step without a
 * transaction. Range registrations are rare and ranges few (a document holds tens of thousands).
 */
export interface IinRangeSetDoc {
  _id: ObjectId;
  mode: Mode;
  version: number;
  ranges: IinRangeRecord[];
}
export type IssuerEnrolmentDoc = IssuerEnrolment & { _id: ObjectId };
/** The live enrolment of (issuer, mode, fingerprint): the `_id` makes the dedup atomic. */
export interface EnrolmentClaimDoc {
  _id: ObjectId;
  enrolmentId: string;
  claimedAt: Date;
}
export interface IssuerStatisticsDoc {
  _id: ObjectId;
  issuerId: string;
  mode: Mode;
  challenges: number;
  successes: number;
  failures: number;
}

const issuerKey = (id: string) => keyId('issuer', id);
const apiKeyKey = (secretHash: string) => keyId('issuerApiKey', secretHash);
const rangeSetKey = (mode: Mode) => keyId('iinRangeSet', mode);
const enrolmentKey = (id: string) => keyId('issuerEnrolment', id);
const claimKey = (e: Pick<IssuerEnrolment, 'issuerId' | 'mode' | 'fingerprint'>) =>
  keyId('issuerEnrolmentClaim', e.issuerId, e.mode, e.fingerprint);
const statisticsKey = (issuerId: string, mode: Mode) => keyId('issuerStatistics', issuerId, mode);
/** A claim whose enrolment never appeared for this long belongs to a process that died between writes. */
const ABANDONED_CLAIM_MS = 30_000;

function strip<T extends { _id: ObjectId }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}

const busy = (what: string) =>
  new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', {
    message: `${what} raced with other changes for too long; retry.`,
  });

export function issuerRepository({
  run,
  issuers,
  issuerApiKeys,
  iinRangeSets,
  issuerEnrolments,
  issuerEnrolmentClaims,
  issuerStatistics,
}: Collections): IssuerRepository {
  const readEnrolment = async (id: string): Promise<IssuerEnrolment | null> => {
    const doc = await run(() => issuerEnrolments.findOne({ _id: enrolmentKey(id) }));
    if (!doc) return null;
    if (doc.id !== id) throw keyCollision('issuer enrolment', id);
    return strip(doc);
  };

  const insertEnrolment = (enrolment: IssuerEnrolment) =>
    run(async () => {
      try {
        await issuerEnrolments.insertOne({ _id: enrolmentKey(enrolment.id), ...enrolment });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    });

  const liveClaimHolder = async (
    scope: Pick<IssuerEnrolment, 'issuerId' | 'mode' | 'fingerprint'>,
  ): Promise<IssuerEnrolment | null> => {
    const claim = await run(() => issuerEnrolmentClaims.findOne({ _id: claimKey(scope) }));
    if (!claim) return null;
    const holder = await readEnrolment(claim.enrolmentId);
    return holder && holder.unenrolledAt === null ? holder : null;
  };

  return {
    /** Keys first, then the issuer; keys are removed again if either write fails (as for merchants). */
    async create({ issuer, apiKeys }) {
      const keyDocs = apiKeys.map((k) => ({ _id: apiKeyKey(k.secretHash), ...k }));
      await run(async () => {
        try {
          if (keyDocs.length > 0) await issuerApiKeys.insertMany(keyDocs, { ordered: true });
          await issuers.insertOne({ _id: issuerKey(issuer.id), ...issuer });
        } catch (error) {
          await issuerApiKeys
            .deleteMany({ _id: { $in: keyDocs.map((d) => d._id) }, issuerId: issuer.id })
            .catch(() => undefined);
          throw error;
        }
      });
    },

    async get({ id }) {
      const doc = await run(() => issuers.findOne({ _id: issuerKey(id) }));
      if (!doc) return null;
      if (doc.id !== id) throw keyCollision('issuer', id);
      return strip(doc);
    },

    async list() {
      const docs = await run(() => issuers.find({}).sort({ id: 1 }).toArray());
      return docs.map(strip);
    },

    async listKeys({ issuerId }) {
      const docs = await run(() => issuerApiKeys.find({ issuerId }).sort({ id: 1 }).toArray());
      return docs.map(strip);
    },

    async addKey({ apiKey }) {
      await run(() => issuerApiKeys.insertOne({ _id: apiKeyKey(apiKey.secretHash), ...apiKey }));
    },

    async revokeKey({ issuerId, id, now }) {
      // Two conditional single-document steps: set `revokedAt` only if unset, then read the key back.
      await run(() =>
        issuerApiKeys.updateOne({ issuerId, id, revokedAt: null }, { $set: { revokedAt: now } }),
      );
      const doc = await run(() => issuerApiKeys.findOne({ issuerId, id }));
      return doc ? strip(doc) : null;
    },

    async findActiveKeyByHash({ secretHash }) {
      const doc = await run(() => issuerApiKeys.findOne({ _id: apiKeyKey(secretHash), secretHash }));
      return doc && doc.revokedAt === null ? strip(doc) : null;
    },

    async addRange({ range }) {
      const _id = rangeSetKey(range.mode);
      for (let attempt = 0; attempt < 50; attempt++) {
        const set = await run(() => iinRangeSets.findOne({ _id }));
        const conflict = (set?.ranges ?? []).find(
          (r) => r.issuerId !== range.issuerId && iinRangesOverlap(r, range),
        );
        if (conflict) return { ok: false, conflict };
        const written = await run(async () => {
          if (!set) {
            try {
              await iinRangeSets.insertOne({ _id, mode: range.mode, version: 1, ranges: [range] });
              return true;
            } catch (error) {
              if (isDuplicateKey(error)) return false;
              throw error;
            }
          }
          const result = await iinRangeSets.updateOne(
            { _id, version: set.version },
            { $push: { ranges: range }, $inc: { version: 1 } },
          );
          return result.modifiedCount > 0;
        });
        if (written) return { ok: true, range };
        await sleep(attempt);
      }
      throw busy('Registering the IIN range');
    },

    async listRanges({ issuerId, mode }) {
      const set = await run(() => iinRangeSets.findOne({ _id: rangeSetKey(mode) }));
      return (set?.ranges ?? [])
        .filter((r) => r.issuerId === issuerId)
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    async deleteRange({ issuerId, mode, id }) {
      const result = await run(() =>
        iinRangeSets.updateOne(
          { _id: rangeSetKey(mode), ranges: { $elemMatch: { id, issuerId } } },
          { $pull: { ranges: { id, issuerId } }, $inc: { version: 1 } },
        ),
      );
      return result.modifiedCount > 0;
    },

    async rangesCovering({ pan, mode }) {
      const set = await run(() => iinRangeSets.findOne({ _id: rangeSetKey(mode) }));
      return (set?.ranges ?? [])
        .filter((r) => panInIinRange(pan, r))
        .sort((a, b) => b.first.length - a.first.length || (a.id < b.id ? -1 : 1));
    },

    /** The claim (from issuer, mode and fingerprint) first, then the enrolment; as stored cards do. */
    async enrol({ enrolment }) {
      const _id = claimKey(enrolment);
      for (let attempt = 0; attempt < 20; attempt++) {
        const claimed = await run(async () => {
          try {
            await issuerEnrolmentClaims.insertOne({ _id, enrolmentId: enrolment.id, claimedAt: new Date() });
            return true;
          } catch (error) {
            if (isDuplicateKey(error)) return false;
            throw error;
          }
        });
        if (claimed) {
          await insertEnrolment(enrolment);
          return { ok: true, enrolment };
        }
        const claim = await run(() => issuerEnrolmentClaims.findOne({ _id }));
        if (!claim) continue;
        const holder = await readEnrolment(claim.enrolmentId);
        if (holder && holder.unenrolledAt === null) return { ok: false, existing: holder };
        const abandoned = holder !== null || Date.now() - claim.claimedAt.getTime() > ABANDONED_CLAIM_MS;
        if (abandoned) {
          const taken = await run(() =>
            issuerEnrolmentClaims.updateOne(
              { _id, enrolmentId: claim.enrolmentId },
              { $set: { enrolmentId: enrolment.id, claimedAt: new Date() } },
            ),
          );
          if (taken.modifiedCount > 0) {
            await insertEnrolment(enrolment);
            return { ok: true, enrolment };
          }
          continue;
        }
        // Another enrolment of the card claimed it a moment ago and is writing it: wait for it.
        await sleep(5 * (attempt + 1));
      }
      throw busy('Enrolling the card');
    },

    async getEnrolment({ issuerId, mode, id }) {
      const doc = await run(() =>
        issuerEnrolments.findOne({ _id: enrolmentKey(id), id, issuerId, mode, unenrolledAt: null }),
      );
      return doc ? strip(doc) : null;
    },

    findEnrolment: ({ issuerId, mode, fingerprint }) => liveClaimHolder({ issuerId, mode, fingerprint }),

    async resetCode({ issuerId, mode, id, codeHash, now }) {
      const doc = await run(() =>
        issuerEnrolments.findOneAndUpdate(
          { _id: enrolmentKey(id), id, issuerId, mode, unenrolledAt: null },
          { $set: { codeHash, updatedAt: now } },
          { returnDocument: 'after' },
        ),
      );
      return doc ? strip(doc) : null;
    },

    async unenrol({ issuerId, mode, id, now }) {
      // Crypto-shredding: the ciphertext is erased in the same update that unenrols the card.
      const result = await run(() =>
        issuerEnrolments.updateOne(
          { _id: enrolmentKey(id), id, issuerId, mode, unenrolledAt: null },
          { $set: { unenrolledAt: now, updatedAt: now, panCiphertext: '' } },
        ),
      );
      return result.modifiedCount > 0;
    },

    async listSealedWithOtherKey({ keyId: current, limit, startingAfter }) {
      const docs = await run(() =>
        issuerEnrolments
          .find({
            keyId: { $ne: current },
            unenrolledAt: null,
            ...(startingAfter !== undefined ? { id: { $gt: startingAfter } } : {}),
          })
          .sort({ id: 1 })
          .limit(Math.max(1, Math.trunc(limit)))
          .toArray(),
      );
      return docs.map(strip);
    },

    async reseal({ id, expectedKeyId, keyId: newKeyId, panCiphertext }) {
      const result = await run(() =>
        issuerEnrolments.updateOne(
          { _id: enrolmentKey(id), id, keyId: expectedKeyId, unenrolledAt: null },
          { $set: { keyId: newKeyId, panCiphertext } },
        ),
      );
      return result.modifiedCount > 0;
    },

    async incrementStatistic({ issuerId, mode, statistic }) {
      const increment = () =>
        issuerStatistics.updateOne(
          { _id: statisticsKey(issuerId, mode) },
          { $inc: { [statistic]: 1 }, $setOnInsert: { issuerId, mode } },
          { upsert: true },
        );
      await run(async () => {
        try {
          await increment();
        } catch (error) {
          // Two first counts raced on the upsert: the document exists now, so this one is an update.
          if (!isDuplicateKey(error)) throw error;
          await increment();
        }
      });
    },

    async statistics({ issuerId, mode }) {
      const doc = await run(() => issuerStatistics.findOne({ _id: statisticsKey(issuerId, mode) }));
      return {
        challenges: doc?.challenges ?? 0,
        successes: doc?.successes ?? 0,
        failures: doc?.failures ?? 0,
      };
    },
  };
}
