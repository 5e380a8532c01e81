import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountsTestApp,
  createAccountsTestApp,
  registeredUser,
  STRONG_PASSWORD,
  tokenFrom,
  uniqueEmail,
} from './helpers';

describe('sessions, CSRF and password recovery', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('account endpoints need a session; an unknown or revoked cookie is 401', async () => {
    const anonymous = t.browser();
    const r = await anonymous.get('/v1/account/me');
    expect(r.statusCode).toBe(401);
    expect(r.body.error.code).toBe('PAYRAIL_ERR_SESSION_REQUIRED');
    anonymous.cookies.set('__Host-payrail_session', 'forged-token-value');
    expect((await anonymous.get('/v1/account/me')).statusCode).toBe(401);
    // An API key is not a session.
    const merchant = await t.createMerchant();
    expect((await t.client(merchant.testKey).get('/v1/account/me')).statusCode).toBe(401);
  });

  it('rotates the session at login: a cookie planted before login is not promoted', async () => {
    const { email, password, browser: first } = await registeredUser(t);
    const planted = first.cookies.get('__Host-payrail_session');
    const b = t.browser();
    b.cookies.set('__Host-payrail_session', planted as string);
    const login = await b.post('/v1/auth/login', { login: email, password });
    expect(login.statusCode).toBe(200);
    expect(b.cookies.get('__Host-payrail_session')).not.toBe(planted);
    // The old session is gone server-side.
    expect((await first.get('/v1/account/me')).statusCode).toBe(401);
    expect((await b.get('/v1/account/me')).statusCode).toBe(200);
  });

  it('lists sessions and revokes one; the revoked browser is logged out at once', async () => {
    const { email, password, browser: laptop } = await registeredUser(t);
    const phone = t.browser('198.51.100.9');
    await phone.post('/v1/auth/login', { login: email, password });
    const list = await laptop.get('/v1/account/sessions');
    expect(list.statusCode).toBe(200);
    expect(list.body.data).toHaveLength(2);
    const current = list.body.data.find((s: { current: boolean }) => s.current);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect(other.ip).toBe('198.51.100.9');
    expect(other.user_agent).toBe('vitest-browser');
    expect(JSON.stringify(list.body)).not.toMatch(/token|hash/i);

    const revoked = await laptop.delete(`/v1/account/sessions/${other.id}`);
    expect(revoked.statusCode).toBe(200);
    expect((await phone.get('/v1/account/me')).statusCode).toBe(401);
    expect((await laptop.delete(`/v1/account/sessions/${other.id}`)).statusCode).toBe(404);

    // Someone else's session id is a 404 too, and stays active.
    const stranger = await registeredUser(t);
    const theirs = (await stranger.browser.get('/v1/account/sessions')).body.data[0].id;
    expect((await laptop.delete(`/v1/account/sessions/${theirs}`)).statusCode).toBe(404);
    expect((await stranger.browser.get('/v1/account/me')).statusCode).toBe(200);

    const logout = await laptop.post('/v1/account/logout');
    expect(logout.statusCode).toBe(200);
    expect(laptop.cookies.has('__Host-payrail_session')).toBe(false);
    expect(current.id).toBeTruthy();
  });

  it('mutations need the CSRF token of this session', async () => {
    const { browser } = await registeredUser(t);
    const token = browser.csrfToken;
    browser.csrfToken = undefined;
    const missing = await browser.post('/v1/account/settings', { locale: 'ru' });
    expect(missing.statusCode).toBe(403);
    expect(missing.body.error.code).toBe('PAYRAIL_ERR_CSRF_INVALID');
    browser.csrfToken = 'x'.repeat(40);
    expect((await browser.post('/v1/account/settings', { locale: 'ru' })).body.error.code).toBe(
      'PAYRAIL_ERR_CSRF_INVALID',
    );

    // A valid token of another session does not work here.
    const other = await registeredUser(t);
    browser.csrfToken = other.browser.csrfToken;
    expect((await browser.post('/v1/account/settings', { locale: 'ru' })).statusCode).toBe(403);

    browser.csrfToken = token;
    const ok = await browser.post('/v1/account/settings', { locale: 'ru' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body.locale).toBe('ru');
    // GET /csrf hands out a fresh token that works as well.
    const fresh = await browser.get('/v1/account/csrf');
    expect(fresh.statusCode).toBe(200);
    expect((await browser.post('/v1/account/settings', { locale: 'en' })).statusCode).toBe(200);
  });

  it('a session expires after its lifetime', async () => {
    const { browser } = await registeredUser(t);
    t.clock.advance(7 * 24 * 60 * 60 * 1000 + 1);
    expect((await browser.get('/v1/account/me')).statusCode).toBe(401);
  });

  it('password recovery: same answer for unknown logins, single-use 1-hour link, all sessions revoked', async () => {
    const { email, browser } = await registeredUser(t);
    const second = t.browser();
    await second.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });

    const known = await t.browser().post('/v1/auth/password/forgot', { login: email });
    const unknown = await t.browser().post('/v1/auth/password/forgot', { login: uniqueEmail('ghost') });
    const junk = await t.browser().post('/v1/auth/password/forgot', { login: 'not-a-login' });
    for (const r of [known, unknown, junk]) {
      expect(r.statusCode).toBe(202);
      expect(r.body).toEqual({ status: 'sent_if_exists' });
    }
    const mail = await t.smtp.waitFor(email, /Reset your Payrail password/);
    const token = tokenFrom(mail);
    expect(mail.body).toContain('https://account.payrail.test/account/reset-password?token=');

    const weak = await t.browser().post('/v1/auth/password/reset', { token, new_password: 'weakpass' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body.error).toMatchObject({ code: 'PAYRAIL_ERR_PASSWORD_POLICY', param: 'new_password' });
    // A rejected new password burnt the link: ask again.
    expect(
      (await t.browser().post('/v1/auth/password/reset', { token, new_password: 'New-Secret-2026' })).body
        .error.code,
    ).toBe('PAYRAIL_ERR_TOKEN_USED');
    await t.browser().post('/v1/auth/password/forgot', { login: email });
    await t.notifier.idle();
    const second_mail = t.smtp.mails.filter((m) => m.to.includes(email) && /Reset/.test(m.subject)).at(-1);
    const token2 = tokenFrom(second_mail!);
    const reset = await t
      .browser()
      .post('/v1/auth/password/reset', { token: token2, new_password: 'New-Secret-2026' });
    expect(reset.statusCode).toBe(200);
    expect((await browser.get('/v1/account/me')).statusCode).toBe(401);
    expect((await second.get('/v1/account/me')).statusCode).toBe(401);
    expect(
      (await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD })).statusCode,
    ).toBe(401);
    expect(
      (await t.browser().post('/v1/auth/login', { login: email, password: 'New-Secret-2026' })).statusCode,
    ).toBe(200);
    await t.smtp.waitFor(email, /password was changed/);
  });

  it('a reset link expires after one hour', async () => {
    const { email } = await registeredUser(t);
    await t.browser().post('/v1/auth/password/forgot', { login: email });
    const token = tokenFrom(await t.smtp.waitFor(email, /Reset your Payrail password/));
    t.clock.advance(60 * 60 * 1000 + 1);
    const r = await t.browser().post('/v1/auth/password/reset', { token, new_password: 'New-Secret-2026' });
    expect(r.body.error.code).toBe('PAYRAIL_ERR_TOKEN_EXPIRED');
  });

  it('changing the password keeps this session and ends the others', async () => {
    const { email, browser } = await registeredUser(t);
    const other = t.browser();
    await other.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    const wrong = await browser.post('/v1/account/password', {
      current_password: 'Nope-12345',
      new_password: 'Brand-New-Pass-9',
    });
    expect(wrong.body.error.code).toBe('PAYRAIL_ERR_PASSWORD_INCORRECT');
    const ok = await browser.post('/v1/account/password', {
      current_password: STRONG_PASSWORD,
      new_password: 'Brand-New-Pass-9',
    });
    expect(ok.statusCode).toBe(200);
    expect((await browser.get('/v1/account/me')).statusCode).toBe(200);
    expect((await other.get('/v1/account/me')).statusCode).toBe(401);
  });
});

describe('rate limits on /v1/auth', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp({ rateLimitPerIp: 5, rateLimitPerLogin: 3 });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('limits login attempts per login across IPs, and requests per IP', async () => {
    const login = uniqueEmail('target');
    const codes: number[] = [];
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) {
      const r = await t.browser(ip).post('/v1/auth/login', { login, password: 'Wrong-Pass-1' });
      codes.push(r.statusCode);
      if (r.statusCode === 429) expect(r.body.error.code).toBe('PAYRAIL_ERR_RATE_LIMITED');
    }
    expect(codes).toEqual([401, 401, 401, 429]);

    const ip = t.browser('192.0.2.50');
    const perIp: number[] = [];
    for (let i = 0; i < 6; i++)
      perIp.push((await ip.post('/v1/auth/password/forgot', { login: uniqueEmail() })).statusCode);
    expect(perIp).toEqual([202, 202, 202, 202, 202, 429]);
    // Another IP is not affected.
    expect(
      (await t.browser('192.0.2.51').post('/v1/auth/password/forgot', { login: uniqueEmail() })).statusCode,
    ).toBe(202);
  });
});
