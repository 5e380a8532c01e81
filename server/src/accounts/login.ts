import { PayrailError, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { parseLogin } from './login-name';
import { issueToken } from './one-time-tokens';
import { dummyPasswordHash, verifyPassword } from './password-hashing';
import { isConfirmed } from './user-record';

const loginFailed = () => new PayrailError('PAYRAIL_ERR_LOGIN_FAILED');

/**
 * Checks a login and password. Unknown login, wrong password and a locked account all do one argon2
 * verification and end in the same PAYRAIL_ERR_LOGIN_FAILED, so neither the answer nor its time tells
 * them apart. Failures count per account; the 10th locks it for a while and tells the owner.
 */
export async function verifyCredentials(
  deps: AccountsDeps,
  request: FastifyRequest,
  login: string,
  password: string,
): Promise<User> {
  const { store, clock, options } = deps;
  const parsed = parseLogin(login);
  const user = parsed ? await store.users.findByLogin({ login: parsed.login }) : null;
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  const now = clock.now();
  // Every failing path does the same store round trips as a counted failure (a counter update that
  // matches no row, and an audit entry), so the database work does not tell them apart either.
  const noCount = () =>
    store.users.recordFailure({ id: 'usr_none', kind: 'login', maxFailures: 1, lockUntil: now });
  if (!user) {
    await noCount();
    await audit(store, request, now, null, 'login.failed', { reason: 'unknown_login' });
    throw loginFailed();
  }

  const locked = user.loginLockedUntil !== null && user.loginLockedUntil > now;
  if (locked) {
    await noCount();
    await audit(store, request, now, user, 'login.failed', { reason: 'locked' });
    throw loginFailed();
  }
  if (!valid) {
    const counted = await store.users.recordFailure({
      id: user.id,
      kind: 'login',
      maxFailures: options.maxLoginFailures,
      lockUntil: new Date(now.getTime() + options.lockoutMs),
    });
    await audit(store, request, now, user, 'login.failed', { reason: 'password' });
    if (counted?.lockedNow && counted.lockedUntil) {
      await audit(store, request, now, user, 'login.locked', { until: counted.lockedUntil.toISOString() });
      options.notifier.notifyUser(user, 'lockout', {
        failures: options.maxLoginFailures,
        until: counted.lockedUntil.toISOString().replace('T', ' ').slice(0, 16),
      });
    }
    throw loginFailed();
  }
  if (user.loginFailures > 0) await store.users.clearFailures({ id: user.id, kind: 'login' });
  if (!isConfirmed(user)) throw new PayrailError('PAYRAIL_ERR_ACCOUNT_NOT_CONFIRMED');
  return user;
}

export type LoginResult =
  | { kind: 'session'; user: User }
  | { kind: 'mfa'; mfaToken: string; expiresAt: Date };

/** Password step of a login: a session right away, or a short-lived token for the 2FA step. */
export async function passwordLogin(
  deps: AccountsDeps,
  request: FastifyRequest,
  login: string,
  password: string,
): Promise<LoginResult> {
  const user = await verifyCredentials(deps, request, login, password);
  if (user.totpEnabledAt) {
    const { token, expiresAt } = await issueToken(deps.store, {
      purpose: 'mfa_login',
      userId: user.id,
      now: deps.clock.now(),
      ttlMs: deps.options.stepUpTtlMs,
    });
    return { kind: 'mfa', mfaToken: token, expiresAt };
  }
  return { kind: 'session', user };
}
