import type { Session, SessionRepository } from '@payrail/core';
import type { Collections } from '../collections';
import type { SessionDoc } from '../documents';
import { keyId } from '../keys';

const sessionKey = (tokenHash: string) => keyId('session', tokenHash);
const decode = ({ _id, ...session }: SessionDoc): Session => session;

/** Login sessions, one document each; `_id` from the token hash, so a lookup by token is by `_id`. */
export function sessionRepository({ run, sessions }: Collections): SessionRepository {
  return {
    async insert({ session }) {
      await run(() => sessions.insertOne({ _id: sessionKey(session.tokenHash), ...session }));
    },

    async findActiveByHash({ tokenHash, now }) {
      const doc = await run(() =>
        sessions.findOne({ _id: sessionKey(tokenHash), tokenHash, revokedAt: null, expiresAt: { $gt: now } }),
      );
      return doc ? decode(doc) : null;
    },

    async listActive({ userId, now }) {
      const docs = await run(() =>
        sessions
          .find({ userId, revokedAt: null, expiresAt: { $gt: now } })
          .sort({ id: -1 })
          .limit(100)
          .toArray(),
      );
      return docs.map(decode);
    },

    async revoke({ userId, id, now }) {
      const result = await run(() =>
        sessions.updateOne({ id, userId, revokedAt: null }, { $set: { revokedAt: now } }),
      );
      return result.modifiedCount > 0;
    },

    async revokeAll({ userId, now, exceptId }) {
      const result = await run(() =>
        sessions.updateMany(
          { userId, revokedAt: null, ...(exceptId !== undefined ? { id: { $ne: exceptId } } : {}) },
          { $set: { revokedAt: now } },
        ),
      );
      return result.modifiedCount;
    },
  };
}
