import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { parseLogin } from './login-name';
import { recipientOf } from './notifications/notifier';
import { consumeToken, issueToken } from './one-time-tokens';
import { hashPassword } from './password-hashing';
import { assertPasswordAllowed } from './password-policy';
import { updateUser } from './user-record';

/**
 * Starts a password reset: mails (or, for a Telegram login, sends through the bot) a single-use link
 * valid for one hour. The answer never says whether the account exists; the message is sent in the
 * background so the answer time does not either.
 */
export async function forgotPassword(
  deps: AccountsDeps,
  request: FastifyRequest,
  login: string,
): Promise<void> {
  const { store, clock, options } = deps;
  const parsed = parseLogin(login);
  const user = parsed ? await store.users.findByLogin({ login: parsed.login }) : null;
  if (!user || recipientOf(user) === null) return;
  const now = clock.now();
  const { token } = await issueToken(store, {
    purpose: 'password_reset',
    userId: user.id,
    now,
    ttlMs: options.passwordResetTtlMs,
  });
  await audit(store, request, now, user, 'password.reset_requested');
  const link = `${options.accountUrl}/account/reset-password?token=${encodeURIComponent(token)}`;
  options.notifier.notifyUser(user, 'password_reset', { link });
}

/**
 * Sets a new password with a reset token. Every session is revoked and every other reset link dies; an
 * email login counts as confirmed (the link proved the mailbox) and a lockout is lifted.
 */
export async function resetPassword(
  deps: AccountsDeps,
  request: FastifyRequest,
  token: string,
  newPassword: string,
): Promise<void> {
  const { store, clock, options } = deps;
  const now = clock.now();
  const record = await consumeToken(store, { purpose: 'password_reset', token, now, param: 'token' });
  const current = await store.users.get({ id: record.userId });
  if (!current) return;
  assertPasswordAllowed(options.passwordPolicy, newPassword, current.login, 'new_password');
  const passwordHash = await hashPassword(newPassword);
  const user = await updateUser(
    store,
    current.id,
    (u) => ({
      passwordHash,
      emailConfirmedAt: u.loginKind === 'email' ? (u.emailConfirmedAt ?? now) : u.emailConfirmedAt,
    }),
    now,
  );
  await store.users.clearFailures({ id: user.id, kind: 'login' });
  await store.sessions.revokeAll({ userId: user.id, now });
  await store.accountTokens.invalidateAll({ userId: user.id, purpose: 'password_reset', now });
  await audit(store, request, now, user, 'password.reset');
  options.notifier.notifyUser(user, 'password_changed', { login: user.login });
}
