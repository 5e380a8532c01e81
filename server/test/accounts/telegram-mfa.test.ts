import { createHash, createHmac } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTelegramLogin } from '../../src/accounts/telegram-login';
import {
  type AccountsTestApp,
  BOT_TOKEN,
  createAccountsTestApp,
  registeredUser,
  STRONG_PASSWORD,
  signedTelegramData,
} from './helpers';

/** Telegram's documented algorithm, written out independently of the code under test. */
function telegramHash(fields: Record<string, string | number>, token: string): string {
  const check = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('\n');
  return createHmac('sha256', createHash('sha256').update(token).digest()).update(check).digest('hex');
}

describe('Telegram Login Widget verification (pure HMAC)', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const authDate = Math.floor(now.getTime() / 1000) - 60;
  const fields = { id: 424242, first_name: 'Ivan', username: 'ivan_shop', auth_date: authDate };

  it('accepts data signed with the bot token and returns the numeric id', () => {
    const data = { ...fields, hash: telegramHash(fields, BOT_TOKEN) };
    expect(verifyTelegramLogin(data, BOT_TOKEN, now)).toEqual({
      telegramId: '424242',
      username: 'ivan_shop',
    });
  });

  it('refuses a changed field, another bot, and data older than a day', () => {
    const hash = telegramHash(fields, BOT_TOKEN);
    expect(() => verifyTelegramLogin({ ...fields, id: 424243, hash }, BOT_TOKEN, now)).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_TELEGRAM_AUTH_INVALID' }),
    );
    expect(() =>
      verifyTelegramLogin(
        { ...fields, hash: telegramHash(fields, '1:other-bot-token-xxxxxxxxxxxx') },
        BOT_TOKEN,
        now,
      ),
    ).toThrow(expect.objectContaining({ code: 'PAYRAIL_ERR_TELEGRAM_AUTH_INVALID' }));
    const old = { ...fields, auth_date: authDate - 24 * 60 * 60 };
    expect(() => verifyTelegramLogin({ ...old, hash: telegramHash(old, BOT_TOKEN) }, BOT_TOKEN, now)).toThrow(
      expect.objectContaining({ code: 'PAYRAIL_ERR_TELEGRAM_AUTH_EXPIRED' }),
    );
  });
});

describe('Telegram logins and TOTP over HTTP', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a Telegram @username account is confirmed by widget data of that user, binds the numeric id, and gets messages via the bot', async () => {
    const username = `shop_${Date.now().toString(36)}`;
    const login = `@${username}`;
    const b = t.browser();
    const reg = await b.post('/v1/auth/register', {
      login,
      password: STRONG_PASSWORD,
      account_type: 'merchant',
    });
    expect(reg.statusCode).toBe(202);
    expect(reg.body.confirmation).toBe('telegram');
    expect((await b.post('/v1/auth/login', { login, password: STRONG_PASSWORD })).body.error.code).toBe(
      'PAYRAIL_ERR_ACCOUNT_NOT_CONFIRMED',
    );

    const authDate = Math.floor(t.clock.now().getTime() / 1000);
    const impostor = signedTelegramData({ id: 1001, username: 'someone_else', auth_date: authDate });
    const wrongUser = await b.post('/v1/auth/telegram/confirm', {
      login,
      password: STRONG_PASSWORD,
      telegram: impostor,
    });
    expect(wrongUser.statusCode).toBe(401);
    expect(wrongUser.body.error.code).toBe('PAYRAIL_ERR_TELEGRAM_AUTH_INVALID');

    const forged = {
      ...signedTelegramData({ id: 1002, username, auth_date: authDate }),
      hash: 'a'.repeat(64),
    };
    expect(
      (await b.post('/v1/auth/telegram/confirm', { login, password: STRONG_PASSWORD, telegram: forged })).body
        .error.code,
    ).toBe('PAYRAIL_ERR_TELEGRAM_AUTH_INVALID');
    const stale = signedTelegramData({ id: 1002, username, auth_date: authDate - 2 * 24 * 60 * 60 });
    expect(
      (await b.post('/v1/auth/telegram/confirm', { login, password: STRONG_PASSWORD, telegram: stale })).body
        .error.code,
    ).toBe('PAYRAIL_ERR_TELEGRAM_AUTH_EXPIRED');
    const good = signedTelegramData({ id: 777000123, username, first_name: 'Shop', auth_date: authDate });
    const wrongPassword = await b.post('/v1/auth/telegram/confirm', {
      login,
      password: 'Wrong-Pass-77',
      telegram: good,
    });
    expect(wrongPassword.body.error.code).toBe('PAYRAIL_ERR_LOGIN_FAILED');

    const ok = await b.post('/v1/auth/telegram/confirm', {
      login,
      password: STRONG_PASSWORD,
      telegram: good,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body.user).toMatchObject({ login, telegram_linked: true, notify_channel: 'telegram' });
    expect((await t.store.users.findByLogin({ login }))?.telegramId).toBe('777000123');
    expect((await b.post('/v1/auth/login', { login, password: STRONG_PASSWORD })).statusCode).toBe(200);

    // Password recovery for a Telegram login is answered through the bot (sendMessage to the bound id).
    t.telegram.requests.length = 0;
    expect((await t.browser().post('/v1/auth/password/forgot', { login })).statusCode).toBe(202);
    await t.notifier.idle();
    const sent = t.telegram.requests.find((r) => r.url === `/bot${BOT_TOKEN}/sendMessage`);
    expect(sent).toBeDefined();
    const body = JSON.parse(sent!.body);
    expect(body.chat_id).toBe('777000123');
    expect(body.text).toContain('https://account.payrail.test/account/reset-password?token=');
  });

  it('TOTP: enrol with a code, log in with a code or a single-use recovery code, disable', async () => {
    const { browser, email } = await registeredUser(t, { accountType: 'buyer' });
    const start = await browser.post('/v1/account/mfa/totp', { current_password: STRONG_PASSWORD });
    expect(start.statusCode).toBe(200);
    const secret: string = start.body.secret;
    expect(start.body.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Payrail:/);
    const epoch = () => Math.floor(t.clock.now().getTime() / 1000);

    const badConfirm = await browser.post('/v1/account/mfa/totp/confirm', {
      code: '000000' === (await generate({ secret, epoch: epoch() })) ? '111111' : '000000',
    });
    expect(badConfirm.body.error.code).toBe('PAYRAIL_ERR_MFA_CODE_INVALID');
    const confirm = await browser.post('/v1/account/mfa/totp/confirm', {
      code: await generate({ secret, epoch: epoch() }),
    });
    expect(confirm.statusCode).toBe(200);
    const recovery: string[] = confirm.body.recovery_codes;
    expect(recovery).toHaveLength(10);
    expect(JSON.stringify(await t.store.users.findByLogin({ login: email }))).not.toContain(recovery[0]);

    // Password alone no longer opens a session.
    const step1 = await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(step1.body).toMatchObject({ mfa_required: true });
    expect(step1.headers['set-cookie']).toBeUndefined();
    const b2 = t.browser();
    const bad = await b2.post('/v1/auth/login/mfa', { mfa_token: step1.body.mfa_token, code: '12345678' });
    expect(bad.body.error.code).toBe('PAYRAIL_ERR_MFA_CODE_INVALID');

    const step1b = await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    const withCode = await b2.post('/v1/auth/login/mfa', {
      mfa_token: step1b.body.mfa_token,
      code: await generate({ secret, epoch: epoch() }),
    });
    expect(withCode.statusCode).toBe(200);
    expect((await b2.get('/v1/account/me')).body.mfa_enabled).toBe(true);
    // The 2FA step token is single-use.
    expect(
      (
        await t.browser().post('/v1/auth/login/mfa', {
          mfa_token: step1b.body.mfa_token,
          code: await generate({ secret, epoch: epoch() }),
        })
      ).body.error.code,
    ).toBe('PAYRAIL_ERR_TOKEN_USED');

    const step1c = await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(
      (await t.browser().post('/v1/auth/login/mfa', { mfa_token: step1c.body.mfa_token, code: recovery[0] }))
        .statusCode,
    ).toBe(200);
    const step1d = await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(
      (await t.browser().post('/v1/auth/login/mfa', { mfa_token: step1d.body.mfa_token, code: recovery[0] }))
        .body.error.code,
    ).toBe('PAYRAIL_ERR_MFA_CODE_INVALID');

    const off = await browser.post('/v1/account/mfa/totp/disable', {
      current_password: STRONG_PASSWORD,
      code: recovery[1],
    });
    expect(off.statusCode).toBe(200);
    expect(off.body.mfa_enabled).toBe(false);
    expect(
      (await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD })).body.user,
    ).toBeDefined();
  });
});
