import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/password-hashing';
import { newUser } from '../../src/accounts/user-record';
import { cardPayload } from '../helpers/test-app';
import { grantLiveMode } from '../onboarding/helpers';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  registeredUser,
  STRONG_PASSWORD,
  tokenFrom,
  uniqueEmail,
} from './helpers';

const FIN = 'Vault-Door-2026!';

/** A confirmed merchant owner with a financial password and a test API key. */
async function merchantOwner(t: AccountsTestApp) {
  const owner = await registeredUser(t, { accountType: 'merchant' });
  const set = await owner.browser.post('/v1/account/financial_password', {
    current_password: STRONG_PASSWORD,
    financial_password: FIN,
  });
  if (set.statusCode !== 200) throw new Error(set.rawBody);
  const key = await owner.browser.post('/v1/account/api_keys', { mode: 'test', financial_password: FIN });
  if (key.statusCode !== 201) throw new Error(key.rawBody);
  return {
    ...owner,
    merchantId: owner.user.merchant_id as string,
    api: t.client(key.body.secret),
    keyId: key.body.id as string,
  };
}

async function paidPayment(
  t: AccountsTestApp,
  api: ReturnType<AccountsTestApp['client']>,
  capture: 'automatic' | 'manual' = 'automatic',
) {
  const created = await api.post('/v1/payments', {
    amount: 1000,
    currency: 'EUR',
    method: 'card',
    capture_method: capture,
  });
  await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
  return created.body.id as string;
}

describe('financial password, API keys and audit log', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the financial password must differ from the login password and follow the rules', async () => {
    const { browser } = await registeredUser(t);
    const same = await browser.post('/v1/account/financial_password', {
      current_password: STRONG_PASSWORD,
      financial_password: STRONG_PASSWORD,
    });
    expect(same.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_PASSWORD_POLICY',
      details: { rule: 'same_as_login_password' },
    });
    const weak = await browser.post('/v1/account/financial_password', {
      current_password: STRONG_PASSWORD,
      financial_password: 'short',
    });
    expect(weak.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_PASSWORD_POLICY',
      param: 'financial_password',
    });
    const wrongCurrent = await browser.post('/v1/account/financial_password', {
      current_password: 'Wrong-123x',
      financial_password: FIN,
    });
    expect(wrongCurrent.body.error.code).toBe('PAYRAIL_ERR_PASSWORD_INCORRECT');
    // No financial password yet: creating a key says so.
    const noFin = await browser.post('/v1/account/api_keys', { mode: 'test' });
    expect(noFin.statusCode).toBe(403);
    expect(noFin.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
  });

  it('refunds from the personal account need the financial password and use the same orchestrator path as /v1', async () => {
    const owner = await merchantOwner(t);
    const paymentId = await paidPayment(t, owner.api);

    const none = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, { amount: 100 });
    expect(none.statusCode).toBe(403);
    expect(none.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
    const wrong = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 100,
      financial_password: 'Not-The-One-1',
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID');
    const loginPassword = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 100,
      financial_password: STRONG_PASSWORD,
    });
    expect(loginPassword.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID');

    const refund = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 100,
      financial_password: FIN,
    });
    expect(refund.statusCode).toBe(201);
    expect(refund.body).toMatchObject({
      object: 'refund',
      amount: 100,
      status: 'succeeded',
      payment_id: paymentId,
    });
    // The merchant API sees exactly that refund.
    const viaApi = await owner.api.get(`/v1/payments/${paymentId}/refunds`);
    expect(viaApi.body.data.map((r: { id: string }) => r.id)).toEqual([refund.body.id]);
    expect((await owner.api.get(`/v1/payments/${paymentId}`)).body.amount_refunded).toBe(100);
    // Over-refunding fails the same way as on /v1.
    const tooMuch = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 5000,
      financial_password: FIN,
    });
    expect(tooMuch.body.error.code).toBe(
      (await owner.api.post(`/v1/payments/${paymentId}/refunds`, { amount: 5000 })).body.error.code,
    );
  });

  it('a step-up token is bound to its operation, payment and amount, single-use and short-lived', async () => {
    const owner = await merchantOwner(t);
    const paymentId = await paidPayment(t, owner.api);
    const stepUp = (body: Record<string, unknown>) =>
      owner.browser.post('/v1/account/step_up', { financial_password: FIN, ...body });

    const forRefund100 = (await stepUp({ operation: 'payment.refund', object_id: paymentId, amount: 100 }))
      .body.step_up_token;
    const other = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 200,
      step_up_token: forRefund100,
    });
    expect(other.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID');

    const token = (await stepUp({ operation: 'payment.refund', object_id: paymentId, amount: 100 })).body
      .step_up_token;
    const ok = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 100,
      step_up_token: token,
    });
    expect(ok.statusCode).toBe(201);
    const reused = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 100,
      step_up_token: token,
    });
    expect(reused.body.error.code).toBe('PAYRAIL_ERR_TOKEN_USED');

    const late = (await stepUp({ operation: 'payment.refund', object_id: paymentId, amount: 100 })).body
      .step_up_token;
    t.clock.advance(5 * 60 * 1000 + 1);
    const expired = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 100,
      step_up_token: late,
    });
    expect(expired.body.error.code).toBe('PAYRAIL_ERR_TOKEN_EXPIRED');

    // Cancel of an authorization, with a token for exactly that.
    const authorized = await paidPayment(t, owner.api, 'manual');
    const cancelToken = (await stepUp({ operation: 'payment.cancel', object_id: authorized })).body
      .step_up_token;
    const cancelled = await owner.browser.post(`/v1/account/payments/${authorized}/cancel`, {
      step_up_token: cancelToken,
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body.status).toBe((await owner.api.get(`/v1/payments/${authorized}`)).body.status);
    expect(['canceled', 'cancelled']).toContain(cancelled.body.status);
  });

  it('wrong financial passwords are throttled separately from logins: 5 wrong lock it', async () => {
    const owner = await merchantOwner(t);
    const paymentId = await paidPayment(t, owner.api);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await owner.browser.post('/v1/account/step_up', {
        financial_password: `Wrong-Fin-${i}`,
        operation: 'payment.refund',
        object_id: paymentId,
        amount: 1,
      });
      codes.push(r.body.error.code);
    }
    expect(codes).toEqual([
      ...Array(4).fill('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID'),
      'PAYRAIL_ERR_FINANCIAL_PASSWORD_LOCKED',
    ]);
    const locked = await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 1,
      financial_password: FIN,
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_LOCKED');
    // The login itself is not locked.
    expect(
      (await t.browser().post('/v1/auth/login', { login: owner.email, password: STRONG_PASSWORD }))
        .statusCode,
    ).toBe(200);
    t.clock.advance(15 * 60 * 1000 + 1);
    expect(
      (
        await owner.browser.post(`/v1/account/payments/${paymentId}/refunds`, {
          amount: 1,
          financial_password: FIN,
        })
      ).statusCode,
    ).toBe(201);
  });

  it('API keys: secret shown once, hashed, prefix and last use listed, revocation and expiry effective at once', async () => {
    const owner = await merchantOwner(t);
    // A self-registered merchant's live keys work once the PSP approved it (onboarding).
    await grantLiveMode(t.store, owner.merchantId);
    const created = await owner.browser.post('/v1/account/api_keys', {
      mode: 'live',
      financial_password: FIN,
      expires_at: new Date(t.clock.now().getTime() + 60 * 60 * 1000).toISOString(),
    });
    expect(created.statusCode).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^sk_live_[0-9A-Za-z]{32}$/);
    expect(created.body.prefix).toBe(`${secret.slice(0, 12)}…`);

    const live = t.client(secret);
    expect((await live.get('/v1/payments')).statusCode).toBe(200);
    const list = await owner.browser.get('/v1/account/api_keys');
    const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ mode: 'live', prefix: created.body.prefix, revoked_at: null });
    expect(listed.last_used_at).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toMatch(/secret/);

    t.clock.advance(60 * 60 * 1000 + 1);
    const expired = await live.get('/v1/payments');
    expect(expired.statusCode).toBe(401);

    const revoke = await owner.browser.delete(`/v1/account/api_keys/${owner.keyId}`);
    expect(revoke.statusCode).toBe(200);
    expect(revoke.body.revoked_at).not.toBeNull();
    expect((await owner.api.get('/v1/payments')).statusCode).toBe(401);
  });

  it('the owner reads the audit log with IP and user agent', async () => {
    const owner = await merchantOwner(t);
    const log = await owner.browser.get('/v1/account/audit_log?limit=50');
    expect(log.statusCode).toBe(200);
    const types = log.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'user.registered',
        'user.confirmed',
        'login.succeeded',
        'financial_password.set',
        'financial_password.used',
        'api_key.created',
      ]),
    );
    expect(log.body.data[0]).toMatchObject({ ip: '127.0.0.1', user_agent: 'vitest-browser' });
  });
});

describe('roles and tenancy: a user of another merchant never sees data', () => {
  let t: AccountsTestApp;
  let a: Awaited<ReturnType<typeof merchantOwner>>;
  let b: Awaited<ReturnType<typeof merchantOwner>>;
  let paymentId: string;
  let authorizedId: string;

  beforeAll(async () => {
    t = await createAccountsTestApp();
    a = await merchantOwner(t);
    b = await merchantOwner(t);
    paymentId = await paidPayment(t, a.api);
    authorizedId = await paidPayment(t, a.api, 'manual');
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Every session endpoint that takes an object id, called with merchant A's ids. */
  const foreignCalls = () =>
    [
      ['GET', `/v1/account/payments/${paymentId}`, undefined],
      ['POST', `/v1/account/payments/${paymentId}/refunds`, { amount: 1, financial_password: FIN }],
      ['POST', `/v1/account/payments/${authorizedId}/cancel`, { financial_password: FIN }],
      ['DELETE', `/v1/account/api_keys/${a.keyId}`, undefined],
      ['POST', `/v1/account/users/${a.user.id}/role`, { role: 'staff' }],
      ['DELETE', `/v1/account/users/${a.user.id}`, undefined],
      ['DELETE', `/v1/account/sessions/${'ses_'}${'0'.repeat(26)}`, undefined],
    ] as const;

  it("merchant B gets 404 for every one of merchant A's objects, and nothing changes", async () => {
    const before = JSON.stringify(await t.store.payments.getById({ id: paymentId }));
    for (const [method, url, body] of foreignCalls()) {
      const r = await b.browser.request(method, url, body);
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
    }
    expect(JSON.stringify(await t.store.payments.getById({ id: paymentId }))).toBe(before);
    expect((await a.api.get('/v1/payments')).statusCode).toBe(200); // A's key was not revoked
    // Lists show only B's own data.
    expect((await b.browser.get('/v1/account/payments?mode=test')).body.data).toEqual([]);
    const keys = (await b.browser.get('/v1/account/api_keys')).body.data.map((k: { id: string }) => k.id);
    expect(keys).toEqual([b.keyId]);
    const audit = (await b.browser.get('/v1/account/audit_log?limit=100')).body.data;
    expect(audit.every((e: { user_id: string | null }) => e.user_id === b.user.id)).toBe(true);
    const users = (await b.browser.get('/v1/account/users')).body.data.map((u: { id: string }) => u.id);
    expect(users).toEqual([b.user.id]);
    // A sees its own payment.
    expect((await a.browser.get(`/v1/account/payments/${paymentId}`)).statusCode).toBe(200);
  });

  it('a buyer is refused every merchant endpoint (403), and sees no data', async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const calls = [
      ...foreignCalls(),
      ['GET', '/v1/account/payments', undefined],
      ['GET', '/v1/account/api_keys', undefined],
      ['POST', '/v1/account/api_keys', { mode: 'test', financial_password: FIN }],
      ['GET', '/v1/account/audit_log', undefined],
      ['GET', '/v1/account/users', undefined],
    ] as const;
    for (const [method, url, body] of calls) {
      if (url.includes('/sessions/')) continue; // own-session endpoint: a 404 for anyone else's id
      const r = await buyer.browser.request(method, url, body);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
      expect(r.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
      expect(JSON.stringify(r.body)).not.toContain(paymentId);
    }
  });

  it('staff of merchant A read and refund payments but cannot manage keys or read the audit log', async () => {
    const now = t.clock.now();
    const staff = newUser(
      {
        accountType: 'merchant',
        role: 'staff',
        merchantId: a.merchantId,
        login: `staff.${Date.now()}@example.com`,
        loginKind: 'email',
        passwordHash: await hashPassword('Staff-Pass-2026'),
        locale: 'en',
      },
      now,
    );
    await t.store.users.insert({ user: { ...staff, emailConfirmedAt: now } });
    const browser: Browser = t.browser();
    expect(
      (await browser.post('/v1/auth/login', { login: staff.login, password: 'Staff-Pass-2026' })).statusCode,
    ).toBe(200);
    expect((await browser.get(`/v1/account/payments/${paymentId}`)).statusCode).toBe(200);
    expect((await browser.get('/v1/account/api_keys')).statusCode).toBe(403);
    expect((await browser.get('/v1/account/audit_log')).statusCode).toBe(403);
    // Staff have their own financial password; the owner's does not work for them.
    const r = await browser.post(`/v1/account/payments/${paymentId}/refunds`, {
      amount: 1,
      financial_password: FIN,
    });
    expect(r.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
  });

  it('an owner invites staff by email; the staff member sets a password from the link; roles can change', async () => {
    const email = uniqueEmail('staff');
    const invite = await a.browser.post('/v1/account/users', { login: email });
    expect(invite.statusCode).toBe(202);
    const mail = await t.smtp.waitFor(email, /You are invited to/);
    const set = await t
      .browser()
      .post('/v1/auth/password/reset', { token: tokenFrom(mail), new_password: 'Staff-Chosen-77' });
    expect(set.statusCode).toBe(200);
    const staff = t.browser();
    const login = await staff.post('/v1/auth/login', { login: email, password: 'Staff-Chosen-77' });
    expect(login.body.user).toMatchObject({
      role: 'staff',
      merchant_id: a.merchantId,
      email_confirmed: true,
    });
    expect((await staff.get('/v1/account/api_keys')).statusCode).toBe(403);
    expect((await staff.post('/v1/account/users', { login: uniqueEmail() })).statusCode).toBe(403);

    // Merchant B cannot touch A's staff; A's owner can promote them.
    expect(
      (await b.browser.post(`/v1/account/users/${login.body.user.id}/role`, { role: 'owner' })).statusCode,
    ).toBe(404);
    const promoted = await a.browser.post(`/v1/account/users/${login.body.user.id}/role`, { role: 'owner' });
    expect(promoted.body.role).toBe('owner');
    expect((await staff.get('/v1/account/api_keys')).statusCode).toBe(200);
    expect((await a.browser.post(`/v1/account/users/${a.user.id}/role`, { role: 'staff' })).statusCode).toBe(
      403,
    );
    const audit = (await a.browser.get('/v1/account/audit_log?limit=100')).body.data.map(
      (e: { type: string }) => e.type,
    );
    expect(audit.filter((type: string) => type === 'role.changed')).toHaveLength(2);
  });

  it('an owner removes a user: their session ends at once and their login gives no merchant access', async () => {
    const email = uniqueEmail('leaver');
    await a.browser.post('/v1/account/users', { login: email });
    const mail = await t.smtp.waitFor(email, /You are invited to/);
    await t
      .browser()
      .post('/v1/auth/password/reset', { token: tokenFrom(mail), new_password: 'Leaver-Pass-77' });
    const leaver = t.browser();
    const login = await leaver.post('/v1/auth/login', { login: email, password: 'Leaver-Pass-77' });
    const leaverId = login.body.user.id as string;
    expect((await leaver.get(`/v1/account/payments/${paymentId}`)).statusCode).toBe(200);

    // Staff cannot remove anyone, another merchant gets 404, nobody removes themselves.
    expect((await leaver.delete(`/v1/account/users/${a.user.id}`)).statusCode).toBe(403);
    expect((await b.browser.delete(`/v1/account/users/${leaverId}`)).statusCode).toBe(404);
    expect((await a.browser.delete(`/v1/account/users/${a.user.id}`)).statusCode).toBe(403);

    const removed = await a.browser.delete(`/v1/account/users/${leaverId}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.body).toMatchObject({ id: leaverId, deleted: true });
    const stale = await leaver.get(`/v1/account/payments/${paymentId}`);
    expect(stale.body.error.code).toBe('PAYRAIL_ERR_SESSION_REQUIRED');
    const again = t.browser();
    expect(
      (await again.post('/v1/auth/login', { login: email, password: 'Leaver-Pass-77' })).statusCode,
    ).toBe(200);
    expect((await again.get(`/v1/account/payments/${paymentId}`)).statusCode).toBe(403);
    const users = (await a.browser.get('/v1/account/users')).body.data.map((u: { id: string }) => u.id);
    expect(users).not.toContain(leaverId);
    const audit = (await a.browser.get('/v1/account/audit_log?limit=100')).body.data;
    expect(audit.find((e: { type: string }) => e.type === 'user.removed')?.data).toMatchObject({
      user_id: leaverId,
    });
  });

  it('the audit log pages with next_cursor', async () => {
    const first = await a.browser.get('/v1/account/audit_log?limit=2');
    expect(first.body.has_more).toBe(true);
    expect(first.body.next_cursor).toBe(first.body.data[1].id);
    const second = await a.browser.get(
      `/v1/account/audit_log?limit=2&starting_after=${first.body.next_cursor}`,
    );
    expect(second.body.data[0].id < first.body.data[1].id).toBe(true);
  });
});
