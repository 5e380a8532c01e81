import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountsTestApp,
  createAccountsTestApp,
  registeredUser,
  STRONG_PASSWORD,
  tokenFrom,
  uniqueEmail,
} from './helpers';

describe('registration, confirmation and login', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('registers a merchant by email: link by real SMTP, single-use, the account works only after it', async () => {
    const email = uniqueEmail('Owner');
    const b = t.browser();
    const reg = await b.post('/v1/auth/register', {
      login: email.toUpperCase(),
      password: STRONG_PASSWORD,
      account_type: 'merchant',
      merchant_name: 'Corner Shop',
    });
    expect(reg.statusCode).toBe(202);
    expect(reg.body).toEqual({ status: 'pending_confirmation', confirmation: 'email' });

    // Before confirmation the right password gets "not confirmed", never a session.
    const early = await b.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(early.statusCode).toBe(403);
    expect(early.body.error.code).toBe('PAYRAIL_ERR_ACCOUNT_NOT_CONFIRMED');
    expect(b.cookies.size).toBe(0);

    const mail = await t.smtp.waitFor(email.toLowerCase(), /Confirm your Payrail account/);
    expect(mail.body).toContain('https://account.payrail.test/account/confirm-email?token=');
    const token = tokenFrom(mail);
    const confirmed = await b.post('/v1/auth/email/confirm', { token });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body.user).toMatchObject({
      login: email.toLowerCase(),
      role: 'owner',
      account_type: 'merchant',
      email_confirmed: true,
    });
    const merchant = await t.store.merchants.get({ id: confirmed.body.user.merchant_id });
    expect(merchant).toMatchObject({ name: 'Corner Shop', email: email.toLowerCase() });

    const again = await b.post('/v1/auth/email/confirm', { token });
    expect(again.statusCode).toBe(400);
    expect(again.body.error.code).toBe('PAYRAIL_ERR_TOKEN_USED');
    const bogus = await b.post('/v1/auth/email/confirm', { token: 'A'.repeat(43) });
    expect(bogus.body.error.code).toBe('PAYRAIL_ERR_TOKEN_INVALID');

    // Only the hash of the token is stored.
    const stored = await t.store.users.findByLogin({ login: email.toLowerCase() });
    expect(JSON.stringify(stored)).not.toContain(token);

    const login = await b.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(200);
    expect(login.body.user.login).toBe(email.toLowerCase());
    expect(typeof login.body.csrf_token).toBe('string');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(
      /__Host-payrail_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/,
    );
    expect(cookie).not.toMatch(/Domain=/i);
    const me = await b.get('/v1/account/me');
    expect(me.statusCode).toBe(200);
    expect(me.body.id).toBe(login.body.user.id);
    expect(JSON.stringify(me.body)).not.toMatch(/argon2|hash/i);
  });

  it('a confirmation link expires after 24 hours', async () => {
    const email = uniqueEmail('late');
    const b = t.browser();
    await b.post('/v1/auth/register', { login: email, password: STRONG_PASSWORD, account_type: 'buyer' });
    const token = tokenFrom(await t.smtp.waitFor(email, /Confirm/));
    t.clock.advance(24 * 60 * 60 * 1000 + 1);
    const late = await b.post('/v1/auth/email/confirm', { token });
    expect(late.statusCode).toBe(400);
    expect(late.body.error.code).toBe('PAYRAIL_ERR_TOKEN_EXPIRED');
  });

  it.each([
    ['short7A', 'min_length', 'The password must be at least 8 characters long.'],
    [`Aa1${'x'.repeat(126)}`, 'max_length', 'The password must be at most 128 characters long.'],
    ['ALLUPPER123', 'lowercase', 'The password must contain a lower-case letter.'],
    ['alllower123', 'uppercase', 'The password must contain an upper-case letter.'],
    ['NoDigitsHere', 'digit', 'The password must contain a digit.'],
    ['Password1', 'common', 'The password is one of the most common passwords; choose another.'],
    ['Qwerty123', 'common', 'The password is one of the most common passwords; choose another.'],
  ])('refuses %j with the exact rule (%s)', async (password, rule, message) => {
    const r = await t
      .browser()
      .post('/v1/auth/register', { login: uniqueEmail(), password, account_type: 'buyer' });
    expect(r.statusCode).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_PASSWORD_POLICY',
      param: 'password',
      message,
      details: { rule },
    });
  });

  it('refuses a password containing the login', async () => {
    const r = await t.browser().post('/v1/auth/register', {
      login: 'maria.petrova@example.com',
      password: 'Maria.Petrova9',
      account_type: 'buyer',
    });
    expect(r.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_PASSWORD_POLICY',
      details: { rule: 'contains_login' },
    });
    const tg = await t.browser().post('/v1/auth/register', {
      login: '@shop_keeper',
      password: 'xShop_Keeper1',
      account_type: 'merchant',
    });
    expect(tg.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_PASSWORD_POLICY',
      details: { rule: 'contains_login' },
    });
  });

  it('validates the body field by field', async () => {
    const b = t.browser();
    const badLogin = await b.post('/v1/auth/register', {
      login: 'not a login',
      password: STRONG_PASSWORD,
      account_type: 'buyer',
    });
    expect(badLogin.statusCode).toBe(400);
    expect(badLogin.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'login' });
    const badType = await b.post('/v1/auth/register', {
      login: uniqueEmail(),
      password: STRONG_PASSWORD,
      account_type: 'psp',
    });
    expect(badType.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'account_type' });
    const extra = await b.post('/v1/auth/register', {
      login: uniqueEmail(),
      password: STRONG_PASSWORD,
      account_type: 'buyer',
      role: 'admin',
    });
    expect(extra.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
    const malformed = await b.request('POST', '/v1/auth/login', undefined, {
      'content-type': 'application/json',
    });
    expect(malformed.statusCode).toBe(400);
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"login":',
    });
    expect(JSON.parse(notJson.body).error.code).toBe('PAYRAIL_ERR_MALFORMED_JSON');
    const huge = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ login: uniqueEmail(), password: 'x'.repeat(200_000), account_type: 'buyer' }),
    });
    expect(huge.statusCode).toBe(413);
    expect(JSON.parse(huge.body).error.code).toBe('PAYRAIL_ERR_BODY_TOO_LARGE');
  });

  it('registering a taken login answers exactly like a new one and tells the owner by mail', async () => {
    const { email } = await registeredUser(t, { accountType: 'buyer' });
    const fresh = await t
      .browser()
      .post('/v1/auth/register', { login: uniqueEmail(), password: STRONG_PASSWORD, account_type: 'buyer' });
    const taken = await t
      .browser()
      .post('/v1/auth/register', { login: email, password: 'Another-Pass-42', account_type: 'merchant' });
    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(taken.body).toEqual(fresh.body);
    await t.smtp.waitFor(email, /Someone tried to register/);
    // The existing account is untouched: its password still works.
    const login = await t.browser().post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(200);
  });

  it('an unknown login and a wrong password get the same answer', async () => {
    const { email } = await registeredUser(t, { accountType: 'buyer' });
    const unknown = await t
      .browser()
      .post('/v1/auth/login', { login: uniqueEmail('nobody'), password: 'Wrong-Pass-1' });
    const wrong = await t.browser().post('/v1/auth/login', { login: email, password: 'Wrong-Pass-1' });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const strip = (body: { error: Record<string, unknown> }) => ({ ...body.error, request_id: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.body.error.code).toBe('PAYRAIL_ERR_LOGIN_FAILED');
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(wrong.headers).sort());
  });

  it('locks the account after 10 failures, tells the user by email, and the lock ends', async () => {
    const { email } = await registeredUser(t, { accountType: 'buyer' });
    const b = t.browser();
    for (let i = 0; i < 10; i++) {
      const r = await b.post('/v1/auth/login', { login: email, password: `Wrong-Pass-${i}` });
      expect(r.body.error.code).toBe('PAYRAIL_ERR_LOGIN_FAILED');
    }
    const mail = await t.smtp.waitFor(email, /temporarily locked/);
    expect(mail.body).toContain('After 10 failed login attempts');
    // Locked: even the right password fails, with the same answer as any failure.
    const locked = await b.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(locked.statusCode).toBe(401);
    expect(locked.body.error.code).toBe('PAYRAIL_ERR_LOGIN_FAILED');
    t.clock.advance(15 * 60 * 1000 + 1);
    const after = await b.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
    expect(after.statusCode).toBe(200);
    const user = await t.store.users.findByLogin({ login: email });
    const log = await t.store.auditLog.list({ merchantId: user?.merchantId ?? 'none', limit: 10 });
    expect(log.data).toEqual([]); // a buyer has no merchant audit log
  });
});
