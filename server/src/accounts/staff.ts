import { PayrailError, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { parseLogin } from './login-name';
import { issueToken } from './one-time-tokens';
import { hashPassword } from './password-hashing';
import { randomToken } from './secrets';
import { newUser, updateUser } from './user-record';

/**
 * An owner adds a staff member by email. The new user gets a random, unknown password and a link to
 * set one (a password-reset token, 24 hours); setting it also confirms the email. The answer is the
 * same when the login already has an account, which is left untouched.
 */
export async function inviteStaff(
  deps: AccountsDeps,
  request: FastifyRequest,
  owner: User,
  input: { login: string; locale: string },
): Promise<void> {
  const { store, clock, options } = deps;
  const parsed = parseLogin(input.login);
  if (parsed?.kind !== 'email' || !owner.merchantId) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'login',
      message: 'Invite staff by email address.',
    });
  }
  const now = clock.now();
  const staff = newUser(
    {
      accountType: 'merchant',
      role: 'staff',
      merchantId: owner.merchantId,
      login: parsed.login,
      loginKind: 'email',
      passwordHash: await hashPassword(randomToken()),
      locale: input.locale,
    },
    now,
  );
  const inserted = await store.users.insert({ user: staff });
  if (!inserted.ok) return;
  await audit(store, request, now, owner, 'role.changed', {
    user_id: staff.id,
    role: 'staff',
    invited: true,
  });
  const { token } = await issueToken(store, {
    purpose: 'password_reset',
    userId: staff.id,
    now,
    ttlMs: options.emailConfirmationTtlMs,
  });
  const merchant = await store.merchants.get({ id: owner.merchantId });
  options.notifier.notifyUser(staff, 'staff_invite', {
    merchant: merchant?.name ?? '',
    role: 'staff',
    link: `${options.accountUrl}/account/reset-password?token=${encodeURIComponent(token)}`,
  });
}

/** Changes the role of another user of the owner's merchant (owner ↔ staff); 404 for anyone else. */
export async function changeRole(
  deps: AccountsDeps,
  request: FastifyRequest,
  owner: User,
  input: { userId: string; role: 'owner' | 'staff' },
): Promise<User> {
  const target = await deps.store.users.get({ id: input.userId });
  if (!target || target.merchantId === null || target.merchantId !== owner.merchantId) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'id',
      message: `No user ${input.userId.slice(0, 64)}.`,
    });
  }
  if (target.id === owner.id) {
    throw new PayrailError('PAYRAIL_ERR_FORBIDDEN', { message: 'You cannot change your own role.' });
  }
  const now = deps.clock.now();
  const updated = await updateUser(deps.store, target.id, () => ({ role: input.role }), now);
  await audit(deps.store, request, now, owner, 'role.changed', {
    user_id: target.id,
    from: target.role,
    to: input.role,
  });
  return updated;
}

/**
 * Removes a user from the owner's merchant: the record stays (the login remains taken and the audit log
 * keeps naming it) but loses its merchant, so every merchant permission is gone, and all its sessions
 * are revoked at once. Nobody removes themselves, so the acting owner always remains.
 */
export async function removeMerchantUser(
  deps: AccountsDeps,
  request: FastifyRequest,
  owner: User,
  input: { userId: string },
): Promise<void> {
  const { store, clock } = deps;
  const target = await store.users.get({ id: input.userId });
  if (!target || target.merchantId === null || target.merchantId !== owner.merchantId) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'id',
      message: `No user ${input.userId.slice(0, 64)}.`,
    });
  }
  if (target.id === owner.id) {
    throw new PayrailError('PAYRAIL_ERR_FORBIDDEN', {
      message: 'You cannot remove yourself; another owner of the merchant can.',
    });
  }
  const now = clock.now();
  await updateUser(store, target.id, () => ({ merchantId: null, role: 'staff' }), now);
  await store.sessions.revokeAll({ userId: target.id, now });
  await audit(store, request, now, owner, 'user.removed', { user_id: target.id, role: target.role });
}
