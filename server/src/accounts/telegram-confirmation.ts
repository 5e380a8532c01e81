import { PayrailError } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from './audit';
import type { AccountsDeps } from './deps';
import { verifyCredentials } from './login';
import { type TelegramAuthData, verifyTelegramLogin } from './telegram-login';
import { updateUser } from './user-record';

/**
 * Confirms a Telegram `@username` login: the registrant proves the password, Telegram proves (by the
 * Login Widget hash) who the Telegram user is, and the usernames must match. The numeric Telegram id is
 * what gets bound — usernames can change hands.
 */
export async function confirmTelegram(
  deps: AccountsDeps,
  request: FastifyRequest,
  input: { login: string; password: string; telegram: TelegramAuthData },
) {
  const { store, clock, options } = deps;
  if (!options.telegramBotToken) {
    throw new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: 'Telegram logins cannot be confirmed: PAYRAIL_TELEGRAM_BOT_TOKEN is not set.',
    });
  }
  const now = clock.now();
  const verified = verifyTelegramLogin(input.telegram, options.telegramBotToken, now);
  const user = await verifyCredentials(deps, request, input.login, input.password).catch((error: unknown) => {
    // An unconfirmed account is exactly what this endpoint confirms.
    if (error instanceof PayrailError && error.code === 'PAYRAIL_ERR_ACCOUNT_NOT_CONFIRMED') return null;
    throw error;
  });
  const account = user ?? (await store.users.findByLogin({ login: input.login.trim().toLowerCase() }));
  if (account?.loginKind !== 'telegram') throw new PayrailError('PAYRAIL_ERR_LOGIN_FAILED');
  if (verified.username === null || `@${verified.username.toLowerCase()}` !== account.login) {
    throw new PayrailError('PAYRAIL_ERR_TELEGRAM_AUTH_INVALID', {
      param: 'telegram.username',
      message: `The Telegram data is for another user than ${account.login}.`,
    });
  }
  if (account.telegramId !== null && account.telegramId !== verified.telegramId) {
    throw new PayrailError('PAYRAIL_ERR_TELEGRAM_AUTH_INVALID', {
      param: 'telegram.id',
      message: 'This login is already bound to another Telegram account.',
    });
  }
  const updated = await updateUser(
    store,
    account.id,
    (u) => ({ telegramId: verified.telegramId, telegramConfirmedAt: u.telegramConfirmedAt ?? now }),
    now,
  );
  await audit(store, request, now, updated, 'user.confirmed', { channel: 'telegram' });
  return updated;
}
