import type { AccountToken, AccountTokenRepository } from '@payrail/core';
import type { Collections } from '../collections';
import type { AccountTokenDoc } from '../documents';
import { keyId } from '../keys';

const tokenKey = (tokenHash: string) => keyId('accountToken', tokenHash);
const decode = ({ _id, data, ...token }: AccountTokenDoc): AccountToken => ({
  ...token,
  data: JSON.parse(data) as AccountToken['data'],
});

export function accountTokenRepository({ run, accountTokens }: Collections): AccountTokenRepository {
  return {
    async insert({ token }) {
      await run(() =>
        accountTokens.insertOne({
          _id: tokenKey(token.tokenHash),
          ...token,
          data: JSON.stringify(token.data),
        }),
      );
    },

    async consume({ tokenHash, purpose, now }) {
      // The conditional update is the single-use guarantee: of two concurrent consumers one matches.
      const used = await run(() =>
        accountTokens.findOneAndUpdate(
          { _id: tokenKey(tokenHash), tokenHash, purpose, usedAt: null, expiresAt: { $gt: now } },
          { $set: { usedAt: now } },
          { returnDocument: 'after' },
        ),
      );
      if (used) return { ok: true, token: decode(used) };
      const doc = await run(() => accountTokens.findOne({ _id: tokenKey(tokenHash), tokenHash, purpose }));
      if (!doc) return { ok: false, reason: 'unknown' };
      return { ok: false, reason: doc.usedAt ? 'used' : 'expired' };
    },

    async invalidateAll({ userId, purpose, now }) {
      await run(() => accountTokens.updateMany({ userId, purpose, usedAt: null }, { $set: { usedAt: now } }));
    },
  };
}
