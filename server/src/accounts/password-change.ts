import { PayrailError, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { hashPassword, verifyPassword } from './password-hashing';
import { assertPasswordAllowed } from './password-policy';
import { updateUser } from './user-record';

/** Sensitive account changes ask for the current login password again. */
export async function assertCurrentPassword(user: User, password: string): Promise<void> {
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new PayrailError('PAYRAIL_ERR_PASSWORD_INCORRECT', { param: 'current_password' });
  }
}

/** Changes the login password; every other session of the user is logged out. */
export async function changePassword(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  sessionId: string,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const { store, clock, options } = deps;
  await assertCurrentPassword(user, currentPassword);
  assertPasswordAllowed(options.passwordPolicy, newPassword, user.login, 'new_password');
  const passwordHash = await hashPassword(newPassword);
  const now = clock.now();
  const updated = await updateUser(store, user.id, () => ({ passwordHash }), now);
  await store.sessions.revokeAll({ userId: user.id, now, exceptId: sessionId });
  await audit(store, request, now, updated, 'password.changed');
  options.notifier.notifyUser(updated, 'password_changed', { login: updated.login });
}
