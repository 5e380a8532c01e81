import { randomBytes } from 'node:crypto';
import { PayrailError, silentLogger } from '@payrail/core';
import type { PostgresStore } from '@payrail/store-postgres';
import { generate, generateSecret } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_DEFAULTS } from '../../src/accounts/accounts-options';
import { startTotpEnrolment } from '../../src/accounts/totp';
import { openTotpSecret, sealTotpSecret } from '../../src/accounts/totp-secret-seal';
import { updateUser } from '../../src/accounts/user-record';
import { createSecretBox } from '../../src/webhooks/secret-box';
import { type AccountsTestApp, createAccountsTestApp, registeredUser, STRONG_PASSWORD } from './helpers';

describe('TOTP secrets sealed at rest', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const epoch = () => Math.floor(t.clock.now().getTime() / 1000);
  /** Every row of the users table as text: what a database dump would show. */
  const usersDump = async () => {
    const { rows } = await (t.store as unknown as PostgresStore).pool.query('SELECT * FROM users');
    return JSON.stringify(rows);
  };
  const loginWithCode = async (login: string, secret: string) => {
    const step1 = await t.browser().post('/v1/auth/login', { login, password: STRONG_PASSWORD });
    expect(step1.body).toMatchObject({ mfa_required: true });
    return t.browser().post('/v1/auth/login/mfa', {
      mfa_token: step1.body.mfa_token,
      code: await generate({ secret, epoch: epoch() }),
    });
  };

  it('enrolment stores the secret sealed (not in a dump); logging in with a code works', async () => {
    const { browser, email } = await registeredUser(t, { accountType: 'buyer' });
    const start = await browser.post('/v1/account/mfa/totp', { current_password: STRONG_PASSWORD });
    expect(start.statusCode).toBe(200);
    const secret: string = start.body.secret;
    const stored = (await t.store.users.findByLogin({ login: email }))?.totpSecret;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(secret);
    expect(await usersDump()).not.toContain(secret);

    const confirm = await browser.post('/v1/account/mfa/totp/confirm', {
      code: await generate({ secret, epoch: epoch() }),
    });
    expect(confirm.statusCode).toBe(200);
    expect(await usersDump()).not.toContain(secret);
    const login = await loginWithCode(email, secret);
    expect(login.statusCode).toBe(200);
    expect(login.body.user.login).toBe(email);
  });

  it('a legacy plaintext secret still verifies and is sealed on its first use', async () => {
    const { email, user } = await registeredUser(t, { accountType: 'merchant' });
    const secret = generateSecret();
    await updateUser(
      t.store,
      user.id,
      () => ({ totpSecret: secret, totpEnabledAt: t.clock.now() }),
      t.clock.now(),
    );
    expect(await usersDump()).toContain(secret);

    const login = await loginWithCode(email, secret);
    expect(login.statusCode).toBe(200);
    const resealed = (await t.store.users.get({ id: user.id }))?.totpSecret ?? '';
    expect(resealed).toMatch(/^v1\./);
    expect(await usersDump()).not.toContain(secret);

    t.clock.advance(60_000); // a fresh code for the second login
    expect((await loginWithCode(email, secret)).statusCode).toBe(200);
  });

  it('a sealed secret is bound to its user: copied onto another user it does not open', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = sealTotpSecret(box, 'usr_a', 'JBSWY3DPEHPK3PXP');
    expect(openTotpSecret(box, 'usr_a', sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(() => openTotpSecret(box, 'usr_b', sealed)).toThrow(PayrailError);
  });

  it('without a server secrets key, enrolment is refused with PAYRAIL_ERR_CONFIG', async () => {
    const { user } = await registeredUser(t, { accountType: 'buyer' });
    const record = await t.store.users.get({ id: user.id });
    if (!record) throw new Error('no user');
    const options = {
      ...ACCOUNT_DEFAULTS,
      accountUrl: 'https://account.payrail.test',
      cookieSecret: 'test-cookie-secret-0123456789abcdef0123456789',
      notifier: t.notifier,
    };
    // No `secretBox`: what a PostgreSQL server without PAYRAIL_WEBHOOK_SECRETS_KEY builds.
    const deps = { store: t.store, clock: t.clock, logger: silentLogger, options };
    const error = await startTotpEnrolment(deps, record, STRONG_PASSWORD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayrailError);
    expect((error as PayrailError).code).toBe('PAYRAIL_ERR_CONFIG');
    expect((error as PayrailError).message).toContain('PAYRAIL_WEBHOOK_SECRETS_KEY');
    expect((await t.store.users.get({ id: user.id }))?.totpSecret).toBeNull();
  });
});
