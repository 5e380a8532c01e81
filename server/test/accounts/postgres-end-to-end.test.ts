import { silentLogger } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPayload } from '../helpers/test-app';
import { type AccountsTestApp, createAccountsTestApp, registeredUser, STRONG_PASSWORD } from './helpers';

/** The main account flow once more on a real PostgreSQL server (the other files run on PGlite). */
describe('accounts on PostgreSQL', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp({}, silentLogger, 'postgres');
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('register → confirm → login → financial password → key → refund → lockout → recovery', async () => {
    const owner = await registeredUser(t, { accountType: 'merchant' });
    const fin = 'Vault-Door-2026!';
    expect(
      (
        await owner.browser.post('/v1/account/financial_password', {
          current_password: STRONG_PASSWORD,
          financial_password: fin,
        })
      ).statusCode,
    ).toBe(200);
    const key = await owner.browser.post('/v1/account/api_keys', { mode: 'test', financial_password: fin });
    const api = t.client(key.body.secret);
    const payment = await api.post('/v1/payments', { amount: 700, currency: 'USD', method: 'card' });
    await t.anonymous.post(`/pay/${payment.body.id}`, cardPayload());
    const refund = await owner.browser.post(`/v1/account/payments/${payment.body.id}/refunds`, {
      financial_password: fin,
    });
    expect(refund.statusCode).toBe(201);
    expect(refund.body.amount).toBe(700);

    // Ten concurrent wrong passwords still lock the account exactly once.
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.browser().post('/v1/auth/login', { login: owner.email, password: `Wrong-${i}-Pass` }),
      ),
    );
    expect(attempts.every((r) => r.body.error.code === 'PAYRAIL_ERR_LOGIN_FAILED')).toBe(true);
    await t.smtp.waitFor(owner.email, /temporarily locked/);
    expect(
      (await t.browser().post('/v1/auth/login', { login: owner.email, password: STRONG_PASSWORD }))
        .statusCode,
    ).toBe(401);
    const log = (await owner.browser.get('/v1/account/audit_log?limit=100')).body.data.map(
      (e: { type: string }) => e.type,
    );
    expect(log.filter((type: string) => type === 'login.locked')).toHaveLength(1);

    await t.browser().post('/v1/auth/password/forgot', { login: owner.email });
    const mail = await t.smtp.waitFor(owner.email, /Reset your Payrail password/);
    const token = /token=([A-Za-z0-9_-]{20,})/.exec(mail.body)?.[1];
    expect(
      (await t.browser().post('/v1/auth/password/reset', { token, new_password: 'Fresh-Start-2027' }))
        .statusCode,
    ).toBe(200);
    // The reset lifts the lock and ends every session.
    expect((await owner.browser.get('/v1/account/me')).statusCode).toBe(401);
    expect(
      (await t.browser().post('/v1/auth/login', { login: owner.email, password: 'Fresh-Start-2027' }))
        .statusCode,
    ).toBe(200);
  });
});
