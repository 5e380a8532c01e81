import type { FailureKind, User, UserRepository } from '@payrail/core';
import type { Collections } from '../collections';
import type { UserDoc } from '../documents';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';

const userKey = (id: string) => keyId('user', id);
const claimKey = (kind: ClaimKind, value: string) => keyId(`user.${kind}`, value);
type ClaimKind = 'login' | 'telegramId';
/** A claim whose user never showed the value for this long was left by a write that failed or died. */
const ABANDONED_CLAIM_MS = 30_000;

const COUNTERS: Record<
  FailureKind,
  {
    failures: 'loginFailures' | 'financialFailures';
    lockedUntil: 'loginLockedUntil' | 'financialLockedUntil';
  }
> = {
  login: { failures: 'loginFailures', lockedUntil: 'loginLockedUntil' },
  financial: { failures: 'financialFailures', lockedUntil: 'financialLockedUntil' },
};

const decode = ({ _id, ...user }: UserDoc): User => user;

/**
 * Users, one document each (`_id` from the user id). Logins and Telegram ids are unique through claim
 * documents in `user_claims` whose `_id` derives from the value, written before the user document.
 * Failure counters change only through `recordFailure`/`clearFailures` ($inc and compare-and-set), so a
 * concurrent profile `update` cannot reset them.
 */
export function userRepository({ run, users, userClaims }: Collections): UserRepository {
  /** Claims `value` for `userId`; false when another user holds it. */
  async function claim(kind: ClaimKind, value: string, userId: string): Promise<boolean> {
    const _id = claimKey(kind, value);
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await run(async () => {
        try {
          await userClaims.insertOne({ _id, kind, value, userId, claimedAt: new Date() });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      });
      if (inserted) return true;
      const holder = await run(() => userClaims.findOne({ _id }));
      if (!holder) continue;
      if (holder.userId === userId) return true;
      const holderUser = await run(() => users.findOne({ _id: userKey(holder.userId) }));
      const holds = holderUser !== null && holderUser[kind] === value;
      if (holds || Date.now() - holder.claimedAt.getTime() < ABANDONED_CLAIM_MS) return false;
      await run(() =>
        userClaims.updateOne({ _id, userId: holder.userId }, { $set: { userId, claimedAt: new Date() } }),
      );
    }
    return false;
  }
  const release = (kind: ClaimKind, value: string, userId: string) =>
    run(() => userClaims.deleteOne({ _id: claimKey(kind, value), userId }));

  const one = async (filter: Parameters<typeof users.findOne>[0]) => {
    const doc = await run(() => users.findOne(filter));
    return doc ? decode(doc) : null;
  };

  return {
    async insert({ user }) {
      if (!(await claim('login', user.login, user.id))) return { ok: false, reason: 'login_taken' };
      if (user.telegramId !== null && !(await claim('telegramId', user.telegramId, user.id))) {
        await release('login', user.login, user.id);
        return { ok: false, reason: 'login_taken' };
      }
      await run(() => users.insertOne({ _id: userKey(user.id), ...user }));
      return { ok: true };
    },

    get: ({ id }) => one({ _id: userKey(id), id }),
    findByLogin: ({ login }) => one({ login }),
    findByTelegramId: ({ telegramId }) => one({ telegramId }),

    async listByMerchant({ merchantId }) {
      const docs = await run(() => users.find({ merchantId }).sort({ id: 1 }).toArray());
      return docs.map(decode);
    },

    async update({ user, expectedVersion }) {
      const before = await one({ _id: userKey(user.id), id: user.id });
      if (!before || before.version !== expectedVersion) return { ok: false, reason: 'version_conflict' };
      if (user.telegramId !== null && user.telegramId !== before.telegramId) {
        if (!(await claim('telegramId', user.telegramId, user.id)))
          return { ok: false, reason: 'telegram_id_taken' };
      }
      if (user.login !== before.login && !(await claim('login', user.login, user.id))) {
        throw new Error(`login ${user.login} is taken`);
      }
      const { loginFailures, loginLockedUntil, financialFailures, financialLockedUntil, version, ...fields } =
        user;
      const updated = await run(() =>
        users.findOneAndUpdate(
          { _id: userKey(user.id), id: user.id, version: expectedVersion },
          { $set: fields, $inc: { version: 1 } },
          { returnDocument: 'after' },
        ),
      );
      if (!updated) return { ok: false, reason: 'version_conflict' };
      // The values given up are free for others now (a failed update keeps its new claims: see claim()).
      if (before.telegramId !== null && before.telegramId !== user.telegramId) {
        await release('telegramId', before.telegramId, user.id);
      }
      if (before.login !== user.login) await release('login', before.login, user.id);
      return { ok: true, user: decode(updated) };
    },

    async recordFailure({ id, kind, maxFailures, lockUntil }) {
      const { failures, lockedUntil } = COUNTERS[kind];
      const counted = await run(() =>
        users.findOneAndUpdate(
          { _id: userKey(id), id },
          { $inc: { [failures]: 1 } },
          { returnDocument: 'after' },
        ),
      );
      if (!counted) return null;
      if (counted[failures] < maxFailures) {
        return { failures: counted[failures], lockedUntil: counted[lockedUntil], lockedNow: false };
      }
      // At the limit: lock and restart the count, once (compare-and-set on the count reaching the limit).
      const locked = await run(() =>
        users.updateOne(
          { _id: userKey(id), id, [failures]: { $gte: maxFailures } },
          { $set: { [failures]: 0, [lockedUntil]: lockUntil } },
        ),
      );
      if (locked.modifiedCount > 0) return { failures: maxFailures, lockedUntil: lockUntil, lockedNow: true };
      const now = await one({ _id: userKey(id), id });
      return now ? { failures: now[failures], lockedUntil: now[lockedUntil], lockedNow: false } : null;
    },

    async clearFailures({ id, kind }) {
      const { failures, lockedUntil } = COUNTERS[kind];
      await run(() =>
        users.updateOne({ _id: userKey(id), id }, { $set: { [failures]: 0, [lockedUntil]: null } }),
      );
    },

    async consumeRecoveryCode({ id, codeHash }) {
      const result = await run(() =>
        users.updateOne(
          { _id: userKey(id), id, recoveryCodeHashes: codeHash },
          { $pull: { recoveryCodeHashes: codeHash } },
        ),
      );
      return result.modifiedCount > 0;
    },
  };
}
