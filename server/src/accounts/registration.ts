import { type AccountType, DEFAULT_TARIFF, newId, PayrailError } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { parseLogin } from './login-name';
import { consumeToken, issueToken } from './one-time-tokens';
import { hashPassword } from './password-hashing';
import { assertPasswordAllowed } from './password-policy';
import { newUser, updateUser } from './user-record';

export interface RegisterInput {
  login: string;
  password: string;
  accountType: Extract<AccountType, 'merchant' | 'buyer'>;
  merchantName?: string;
  locale: string;
}

/**
 * Registers a merchant owner (with a new merchant record) or a buyer. The answer is the same whether
 * the login was free or taken — the owner of a taken email login is told by mail instead — so the
 * endpoint cannot be used to find out who has an account. The account works only after confirmation.
 */
export async function register(deps: AccountsDeps, request: FastifyRequest, input: RegisterInput) {
  const { store, clock, options } = deps;
  const parsed = parseLogin(input.login);
  if (!parsed) throw new PayrailError('PAYRAIL_ERR_VALIDATION', { param: 'login' });
  assertPasswordAllowed(options.passwordPolicy, input.password, parsed.login);
  // Hash before looking the login up, so both branches do the same expensive work.
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();

  const existing = await store.users.findByLogin({ login: parsed.login });
  if (existing) {
    if (parsed.kind === 'email')
      options.notifier.notifyUser(existing, 'already_registered', { login: parsed.login });
    return { confirmation: parsed.kind };
  }

  let merchantId: string | null = null;
  if (input.accountType === 'merchant') {
    // The merchant comes first (users reference it). If a concurrent registration wins the login, this
    // merchant stays without users or keys: inert, and cheaper than a cross-document transaction.
    merchantId = newId('merchant', now.getTime());
    await store.merchants.create({
      merchant: {
        id: merchantId,
        name: input.merchantName ?? parsed.login,
        email: parsed.kind === 'email' ? parsed.login : '',
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: now,
        // Self-registered: test mode only until the PSP approves a live-account application (onboarding).
        onboarding: {
          liveEnabledAt: null,
          trialStartedAt: null,
          trialEndsAt: null,
          trialExpiredAt: null,
          connectionFee: null,
        },
      },
      apiKeys: [],
    });
  }
  const user = newUser(
    {
      accountType: input.accountType,
      role: input.accountType === 'merchant' ? 'owner' : 'buyer',
      merchantId,
      login: parsed.login,
      loginKind: parsed.kind,
      passwordHash,
      locale: input.locale,
    },
    now,
  );
  const inserted = await store.users.insert({ user });
  if (!inserted.ok) return { confirmation: parsed.kind };
  await audit(store, request, now, user, 'user.registered', { account_type: user.accountType });

  if (parsed.kind === 'email') {
    const { token } = await issueToken(store, {
      purpose: 'email_confirmation',
      userId: user.id,
      now,
      ttlMs: options.emailConfirmationTtlMs,
    });
    const link = `${options.accountUrl}/account/confirm-email?token=${encodeURIComponent(token)}`;
    options.notifier.notifyUser(user, 'email_confirmation', { login: user.login, link });
  }
  return { confirmation: parsed.kind };
}

/** Confirms an email login with the token from its link (single-use, expiring). */
export async function confirmEmail(deps: AccountsDeps, request: FastifyRequest, token: string) {
  const now = deps.clock.now();
  const record = await consumeToken(deps.store, {
    purpose: 'email_confirmation',
    token,
    now,
    param: 'token',
  });
  const user = await updateUser(
    deps.store,
    record.userId,
    (u) => ({ emailConfirmedAt: u.emailConfirmedAt ?? now }),
    now,
  );
  await audit(deps.store, request, now, user, 'user.confirmed', { channel: 'email' });
  return user;
}
