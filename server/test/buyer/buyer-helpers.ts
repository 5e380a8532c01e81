import { expect } from 'vitest';
import { type AccountsTestApp, type Browser, STRONG_PASSWORD, signedTelegramData } from '../accounts/helpers';

/** Gives the browser a CSRF token for its session (POST, PUT and DELETE under /v1/account need one). */
export async function withCsrf(browser: Browser): Promise<Browser> {
  await browser.get('/v1/account/csrf');
  return browser;
}

/** A buyer registered with a Telegram @username, confirmed by signed Login Widget data, and logged in. */
export async function telegramBuyer(t: AccountsTestApp): Promise<{ browser: Browser; id: string }> {
  const username = `tg_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const browser = t.browser();
  await browser.post('/v1/auth/register', {
    login: `@${username}`,
    password: STRONG_PASSWORD,
    account_type: 'buyer',
  });
  const confirmed = await browser.post('/v1/auth/telegram/confirm', {
    login: `@${username}`,
    password: STRONG_PASSWORD,
    telegram: signedTelegramData({
      id: 700000000 + Math.floor(Math.random() * 1e8),
      username,
      auth_date: Math.floor(t.clock.now().getTime() / 1000),
    }),
  });
  expect(confirmed.statusCode, confirmed.rawBody).toBe(200);
  const login = await browser.post('/v1/auth/login', { login: `@${username}`, password: STRONG_PASSWORD });
  expect(login.statusCode, login.rawBody).toBe(200);
  return { browser: await withCsrf(browser), id: (login.body.user as { id: string }).id };
}
