import { PayrailError, type Store, type User } from '@payrail/core';
import { parseLogin } from './login-name';
import { issueToken } from './one-time-tokens';
import { hashPassword } from './password-hashing';
import { randomToken } from './secrets';
import { newUser } from './user-record';

/** How long the password-set link of a new staff member works. */
export const PSP_INVITE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a PSP staff member (admin or support) for `payrail psp-user create`. Staff never self-register:
 * the operator creates them with a random password nobody knows and hands over a one-time link to set
 * one (a password-reset token; the reset endpoint then works as for anyone). The email counts as
 * confirmed since the operator vouches for it.
 */
export async function createPspUser(
  store: Store,
  args: { login: string; role: 'admin' | 'support'; accountUrl: string; now: Date; locale?: string },
): Promise<{ user: User; link: string; expiresAt: Date }> {
  const parsed = parseLogin(args.login);
  if (parsed?.kind !== 'email') {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'login',
      message: '--login must be an email address.',
    });
  }
  const user: User = {
    ...newUser(
      {
        accountType: 'psp',
        role: args.role,
        merchantId: null,
        login: parsed.login,
        loginKind: 'email',
        passwordHash: await hashPassword(randomToken()),
        locale: args.locale ?? 'en',
      },
      args.now,
    ),
    emailConfirmedAt: args.now,
  };
  const inserted = await store.users.insert({ user });
  if (!inserted.ok) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'login',
      message: `${parsed.login} already has an account; choose another login.`,
    });
  }
  const { token, expiresAt } = await issueToken(store, {
    purpose: 'password_reset',
    userId: user.id,
    now: args.now,
    ttlMs: PSP_INVITE_TTL_MS,
  });
  const link = `${args.accountUrl}/account/reset-password?token=${encodeURIComponent(token)}`;
  return { user, link, expiresAt };
}
