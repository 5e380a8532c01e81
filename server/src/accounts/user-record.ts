import { newId, PayrailError, type Store, type User } from '@payrail/core';

/** A fresh user record with every counter at zero. */
export function newUser(
  fields: Pick<
    User,
    'accountType' | 'role' | 'merchantId' | 'login' | 'loginKind' | 'passwordHash' | 'locale'
  >,
  now: Date,
): User {
  return {
    id: newId('user', now.getTime()),
    ...fields,
    emailConfirmedAt: null,
    telegramId: null,
    telegramConfirmedAt: null,
    financialPasswordHash: null,
    totpSecret: null,
    totpEnabledAt: null,
    recoveryCodeHashes: [],
    notifyChannel: fields.loginKind === 'telegram' ? 'telegram' : 'email',
    loginFailures: 0,
    loginLockedUntil: null,
    financialFailures: 0,
    financialLockedUntil: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

export const isConfirmed = (user: User): boolean =>
  user.loginKind === 'email' ? user.emailConfirmedAt !== null : user.telegramConfirmedAt !== null;

/**
 * Applies `change` to the latest record and saves it, re-reading on a concurrent change (optimistic
 * concurrency on one document, as the MongoDB store can do too).
 */
export async function updateUser(
  store: Store,
  id: string,
  change: (user: User) => Partial<User>,
  now: Date,
): Promise<User> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.users.get({ id });
    if (!current) throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', { message: 'No such user.' });
    const result = await store.users.update({
      user: { ...current, ...change(current), updatedAt: now },
      expectedVersion: current.version,
    });
    if (result.ok) return result.user;
    if (result.reason === 'telegram_id_taken') {
      throw new PayrailError('PAYRAIL_ERR_TELEGRAM_AUTH_INVALID', {
        param: 'telegram.id',
        message: 'This Telegram account is already bound to another Payrail user.',
      });
    }
  }
  throw new PayrailError('PAYRAIL_ERR_VERSION_CONFLICT');
}
