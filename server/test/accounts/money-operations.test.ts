import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/accounts/password-hashing';
import { newUser } from '../../src/accounts/user-record';
import { createSecretBox } from '../../src/webhooks/secret-box';
import { cardPayload, inject, type StoreKind } from '../helpers/test-app';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  pspStaff,
  registeredUser,
  STRONG_PASSWORD,
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
  return { ...owner, merchantId: owner.user.merchant_id as string, api: t.client(key.body.secret) };
}

/** An authorized (capture_method "manual") payment of 1000 EUR cents. */
async function authorizedPayment(t: AccountsTestApp, api: ReturnType<AccountsTestApp['client']>) {
  const created = await api.post('/v1/payments', {
    amount: 1000,
    currency: 'EUR',
    method: 'card',
    capture_method: 'manual',
  });
  await t.anonymous.post(`/pay/${created.body.id}`, cardPayload());
  const payment = await api.get(`/v1/payments/${created.body.id}`);
  if (payment.body.status !== 'authorized') throw new Error(payment.rawBody);
  return created.body.id as string;
}

/** A logged-in staff member (role staff) of the merchant, inserted directly like an accepted invitation. */
async function staffOf(t: AccountsTestApp, merchantId: string): Promise<Browser> {
  const now = t.clock.now();
  const staff = newUser(
    {
      accountType: 'merchant',
      role: 'staff',
      merchantId,
      login: `staff.${randomBytes(6).toString('hex')}@example.com`,
      loginKind: 'email',
      passwordHash: await hashPassword('Staff-Pass-2026'),
      locale: 'en',
    },
    now,
  );
  await t.store.users.insert({ user: { ...staff, emailConfirmedAt: now } });
  const browser = t.browser();
  const login = await browser.post('/v1/auth/login', { login: staff.login, password: 'Staff-Pass-2026' });
  if (login.statusCode !== 200) throw new Error(login.rawBody);
  return browser;
}

async function auditTypes(browser: Browser): Promise<string[]> {
  const log = await browser.get('/v1/account/audit_log?limit=100');
  return log.body.data.map((e: { type: string }) => e.type);
}

describe.each<StoreKind>(['pglite', 'postgres', 'mongodb'])('money-moving operations on %s', (storeKind) => {
  let t: AccountsTestApp;
  let a: Awaited<ReturnType<typeof merchantOwner>>;
  let b: Awaited<ReturnType<typeof merchantOwner>>;

  beforeAll(async () => {
    t = await createAccountsTestApp({}, undefined, storeKind);
    t.services.webhookSecrets = createSecretBox(randomBytes(32));
    a = await merchantOwner(t);
    b = await merchantOwner(t);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  describe('capture from the personal account', () => {
    it('the whole authorized amount needs only the session, and goes through the orchestrator', async () => {
      const paymentId = await authorizedPayment(t, a.api);
      const captured = await a.browser.post(`/v1/account/payments/${paymentId}/capture`, {});
      expect(captured.statusCode).toBe(200);
      expect(captured.body).toMatchObject({ id: paymentId, status: 'succeeded', amount_captured: 1000 });
      // The merchant API sees the same captured payment.
      expect((await a.api.get(`/v1/payments/${paymentId}`)).body).toMatchObject({
        status: 'succeeded',
        amount_captured: 1000,
      });

      // Naming exactly the capturable amount is the whole amount too.
      const exact = await authorizedPayment(t, a.api);
      const whole = await a.browser.post(`/v1/account/payments/${exact}/capture`, { amount: 1000 });
      expect(whole.statusCode).toBe(200);
      expect(whole.body.amount_captured).toBe(1000);
      expect(await auditTypes(a.browser)).toContain('payment.captured');
    });

    it('another amount needs the financial password, or a step-up token for exactly that amount', async () => {
      const paymentId = await authorizedPayment(t, a.api);
      const url = `/v1/account/payments/${paymentId}/capture`;

      const none = await a.browser.post(url, { amount: 600 });
      expect(none.statusCode).toBe(403);
      expect(none.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
      const wrong = await a.browser.post(url, { amount: 600, financial_password: 'Not-The-One-1' });
      expect(wrong.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID');

      // A token bound to 500 does not capture 600 (and is spent by the try).
      const for500 = await a.browser.post('/v1/account/step_up', {
        financial_password: FIN,
        operation: 'payment.capture',
        object_id: paymentId,
        amount: 500,
      });
      expect(for500.statusCode).toBe(200);
      const mismatch = await a.browser.post(url, { amount: 600, step_up_token: for500.body.step_up_token });
      expect(mismatch.statusCode).toBe(403);
      expect(mismatch.body.error).toMatchObject({
        code: 'PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID',
        param: 'step_up_token',
      });
      // A refund token for the same amount is another operation.
      const refundToken = await a.browser.post('/v1/account/step_up', {
        financial_password: FIN,
        operation: 'payment.refund',
        object_id: paymentId,
        amount: 600,
      });
      const otherOperation = await a.browser.post(url, {
        amount: 600,
        step_up_token: refundToken.body.step_up_token,
      });
      expect(otherOperation.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID');
      expect((await a.api.get(`/v1/payments/${paymentId}`)).body.status).toBe('authorized');

      const captured = await a.browser.post(url, { amount: 600, financial_password: FIN });
      expect(captured.statusCode).toBe(200);
      expect(captured.body).toMatchObject({ status: 'succeeded', amount_captured: 600 });
      expect((await a.api.get(`/v1/payments/${paymentId}`)).body.amount_captured).toBe(600);

      // With a token bound to the right operation, payment and amount.
      const second = await authorizedPayment(t, a.api);
      const token = await a.browser.post('/v1/account/step_up', {
        financial_password: FIN,
        operation: 'payment.capture',
        object_id: second,
        amount: 250,
      });
      const viaToken = await a.browser.post(`/v1/account/payments/${second}/capture`, {
        amount: 250,
        step_up_token: token.body.step_up_token,
      });
      expect(viaToken.statusCode).toBe(200);
      expect(viaToken.body.amount_captured).toBe(250);
    });

    it("another merchant's payment is not found; staff may capture; more than authorized is refused", async () => {
      const paymentId = await authorizedPayment(t, a.api);
      const foreign = await b.browser.post(`/v1/account/payments/${paymentId}/capture`, {
        amount: 100,
        financial_password: FIN,
      });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
      expect((await b.browser.post(`/v1/account/payments/${paymentId}/capture`, {})).statusCode).toBe(404);

      const tooMuch = await a.browser.post(`/v1/account/payments/${paymentId}/capture`, {
        amount: 1001,
        financial_password: FIN,
      });
      expect(tooMuch.statusCode).toBe(422);
      expect(tooMuch.body.error.code).toBe('PAYRAIL_ERR_CAPTURE_AMOUNT');

      // Staff hold payments:write: the whole amount with their session.
      const staff = await staffOf(t, a.merchantId);
      const byStaff = await staff.post(`/v1/account/payments/${paymentId}/capture`, {});
      expect(byStaff.statusCode).toBe(200);
      expect(byStaff.body.amount_captured).toBe(1000);
      // Captured already: the orchestrator's state check answers.
      const again = await a.browser.post(`/v1/account/payments/${paymentId}/capture`, {});
      expect(again.body.error.code).toBe('PAYRAIL_ERR_INVALID_STATE_TRANSITION');
    });
  });

  describe('webhook settings from the personal account', () => {
    it('creating needs the financial password; the secret is shown once; the merchant API sees the endpoint', async () => {
      const body = { url: 'http://shop.example/hooks', event_types: ['payment.succeeded'] };
      const none = await a.browser.post('/v1/account/webhook_endpoints', body);
      expect(none.statusCode).toBe(403);
      expect(none.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');

      const created = await a.browser.post('/v1/account/webhook_endpoints', {
        ...body,
        financial_password: FIN,
      });
      expect(created.statusCode).toBe(201);
      expect(created.body).toMatchObject({
        object: 'webhook_endpoint',
        livemode: false,
        url: body.url,
        event_types: ['payment.succeeded'],
        status: 'enabled',
      });
      const secret: string = created.body.secret;
      expect(secret).toMatch(/^whsec_/);
      // Stored sealed: the box opens it to the secret shown, bound to the endpoint id.
      const stored = await t.store.webhooks.getEndpoint({
        merchantId: a.merchantId,
        mode: 'test',
        id: created.body.id,
      });
      expect(stored?.sealedSecret).not.toContain(secret);
      expect(t.services.webhookSecrets?.open(stored?.sealedSecret ?? '', created.body.id)).toBe(secret);

      const listed = await a.browser.get('/v1/account/webhook_endpoints');
      const mine = listed.body.data.find((e: { id: string }) => e.id === created.body.id);
      expect(mine).toMatchObject({ url: body.url });
      expect(mine).not.toHaveProperty('secret');
      const viaApi = await a.api.get(`/v1/webhook_endpoints/${created.body.id}`);
      expect(viaApi.statusCode).toBe(200);
      expect(viaApi.body).not.toHaveProperty('secret');
      expect((await a.browser.get('/v1/account/webhook_endpoints?mode=live')).body.data).toEqual([]);

      // Live endpoints need https, as in the merchant API.
      const plainLive = await a.browser.post('/v1/account/webhook_endpoints', {
        ...body,
        mode: 'live',
        financial_password: FIN,
      });
      expect(plainLive.statusCode).toBe(400);
      expect(plainLive.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'url' });
      expect(await auditTypes(a.browser)).toContain('webhook_endpoint.created');
    });

    it('updating and deleting need the financial password or a token bound to that endpoint', async () => {
      const created = await a.browser.post('/v1/account/webhook_endpoints', {
        url: 'http://shop.example/one',
        event_types: ['*'],
        financial_password: FIN,
      });
      const other = await a.browser.post('/v1/account/webhook_endpoints', {
        url: 'http://shop.example/two',
        event_types: ['*'],
        financial_password: FIN,
      });
      const id: string = created.body.id;
      const url = `/v1/account/webhook_endpoints/${id}`;

      const none = await a.browser.post(url, { url: 'http://evil.example/steal' });
      expect(none.statusCode).toBe(403);
      expect(none.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
      const tokenForOther = await a.browser.post('/v1/account/step_up', {
        financial_password: FIN,
        operation: 'webhook_settings.change',
        object_id: other.body.id,
      });
      const mismatch = await a.browser.post(url, {
        url: 'http://evil.example/steal',
        step_up_token: tokenForOther.body.step_up_token,
      });
      expect(mismatch.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_INVALID');
      expect((await a.api.get(`/v1/webhook_endpoints/${id}`)).body.url).toBe('http://shop.example/one');

      const updated = await a.browser.post(url, {
        url: 'http://shop.example/new',
        event_types: ['refund.succeeded', 'refund.succeeded'],
        enabled: false,
        financial_password: FIN,
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.body).toMatchObject({
        id,
        url: 'http://shop.example/new',
        event_types: ['refund.succeeded'],
        status: 'disabled',
      });
      expect(updated.body).not.toHaveProperty('secret');
      expect((await a.api.get(`/v1/webhook_endpoints/${id}`)).body.status).toBe('disabled');

      const token = await a.browser.post('/v1/account/step_up', {
        financial_password: FIN,
        operation: 'webhook_settings.change',
        object_id: id,
      });
      const enabled = await a.browser.post(url, { enabled: true, step_up_token: token.body.step_up_token });
      expect(enabled.body).toMatchObject({ status: 'enabled', url: 'http://shop.example/new' });

      const empty = await a.browser.post(url, { financial_password: FIN });
      expect(empty.statusCode).toBe(400);
      expect(empty.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');

      const noProof = await a.browser.request('DELETE', url, {});
      expect(noProof.statusCode).toBe(403);
      expect(noProof.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
      const bare = await a.browser.delete(url);
      expect(bare.body.error.code).toBe('PAYRAIL_ERR_FINANCIAL_PASSWORD_REQUIRED');
      const deleted = await a.browser.request('DELETE', url, { financial_password: FIN });
      expect(deleted.statusCode).toBe(200);
      expect(deleted.body).toEqual({ id, object: 'webhook_endpoint', deleted: true });
      expect((await a.api.get(`/v1/webhook_endpoints/${id}`)).body.status).toBe('deleted');
      const ids = (await a.browser.get('/v1/account/webhook_endpoints')).body.data.map(
        (e: { id: string }) => e.id,
      );
      expect(ids).not.toContain(id);
      expect(ids).toContain(other.body.id);
      // A deleted endpoint cannot be changed any more.
      expect((await a.browser.post(url, { enabled: true, financial_password: FIN })).statusCode).toBe(404);

      const types = await auditTypes(a.browser);
      expect(types).toContain('webhook_endpoint.updated');
      expect(types).toContain('webhook_endpoint.deleted');
    });

    it("another merchant's endpoint is not found; staff may not touch webhook settings", async () => {
      const created = await a.browser.post('/v1/account/webhook_endpoints', {
        url: 'http://shop.example/a',
        event_types: ['*'],
        financial_password: FIN,
      });
      const url = `/v1/account/webhook_endpoints/${created.body.id}`;
      const foreignUpdate = await b.browser.post(url, { enabled: false, financial_password: FIN });
      expect(foreignUpdate.statusCode).toBe(404);
      expect(foreignUpdate.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
      expect((await b.browser.request('DELETE', url, { financial_password: FIN })).statusCode).toBe(404);
      const bIds = (await b.browser.get('/v1/account/webhook_endpoints')).body.data.map(
        (e: { id: string }) => e.id,
      );
      expect(bIds).not.toContain(created.body.id);
      expect((await a.api.get(`/v1/webhook_endpoints/${created.body.id}`)).body.status).toBe('enabled');

      const staff = await staffOf(t, a.merchantId);
      for (const response of [
        await staff.get('/v1/account/webhook_endpoints'),
        await staff.post('/v1/account/webhook_endpoints', {
          url: 'http://staff.example',
          event_types: ['*'],
          financial_password: FIN,
        }),
        await staff.post(url, { enabled: false, financial_password: FIN }),
        await staff.request('DELETE', url, { financial_password: FIN }),
      ]) {
        expect(response.statusCode).toBe(403);
        expect(response.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
      }
    });
  });

  describe('issuer keys in the back office', () => {
    const issuerGet = (key: string) =>
      inject(t.app, { method: 'GET', url: '/v1/issuer/ranges', headers: { authorization: `Bearer ${key}` } });

    it('a new key works beside the old one; a revoked key is refused on the next request', async () => {
      const admin = await pspStaff(t, 'admin');
      const created = await admin.browser.post('/v1/backoffice/issuers', { name: 'Rotating Bank' });
      expect(created.statusCode).toBe(201);
      const issuerId: string = created.body.issuer.id;
      const oldKey: string = created.body.keys.test;
      expect((await issuerGet(oldKey)).statusCode).toBe(200);

      const rotated = await admin.browser.post(`/v1/backoffice/issuers/${issuerId}/keys`, { mode: 'test' });
      expect(rotated.statusCode).toBe(201);
      const newKey: string = rotated.body.secret;
      expect(newKey).toMatch(/^ik_test_[0-9A-Za-z]{32}$/);
      expect(rotated.body).toMatchObject({ object: 'issuer_api_key', mode: 'test', revoked_at: null });
      expect(rotated.body.prefix).toBe(`${newKey.slice(0, 12)}…`);
      // Both work until the old one is revoked.
      expect((await issuerGet(oldKey)).statusCode).toBe(200);
      expect((await issuerGet(newKey)).statusCode).toBe(200);

      const list = await admin.browser.get('/v1/backoffice/issuers');
      expect(list.statusCode).toBe(200);
      const listed = list.body.data.find((i: { id: string }) => i.id === issuerId);
      expect(listed).toMatchObject({ name: 'Rotating Bank', object: 'issuer' });
      expect(listed.keys).toHaveLength(3);
      expect(JSON.stringify(list.body)).not.toContain(newKey);
      const oldRecord = listed.keys.find(
        (k: { mode: string; id: string }) => k.mode === 'test' && k.id !== rotated.body.id,
      );
      expect(oldRecord.prefix).toBe(`${oldKey.slice(0, 12)}…`);

      const revoked = await admin.browser.delete(`/v1/backoffice/issuers/${issuerId}/keys/${oldRecord.id}`);
      expect(revoked.statusCode).toBe(200);
      expect(revoked.body.revoked_at).not.toBeNull();
      const refused = await issuerGet(oldKey);
      expect(refused.statusCode).toBe(401);
      expect((await issuerGet(newKey)).statusCode).toBe(200);
      const after = (await admin.browser.get('/v1/backoffice/issuers')).body.data.find(
        (i: { id: string }) => i.id === issuerId,
      );
      expect(after.keys.find((k: { id: string }) => k.id === oldRecord.id).revoked_at).not.toBeNull();
    });

    it('only admins manage keys; unknown issuers and other issuers’ keys are not found', async () => {
      const admin = await pspStaff(t, 'admin');
      const one = await admin.browser.post('/v1/backoffice/issuers', { name: 'One Bank' });
      const two = await admin.browser.post('/v1/backoffice/issuers', { name: 'Two Bank' });
      const twoKeys = (await admin.browser.get('/v1/backoffice/issuers')).body.data.find(
        (i: { id: string }) => i.id === two.body.issuer.id,
      ).keys;

      // One's id with Two's key id: not One's key, and Two's key keeps working.
      const crossed = await admin.browser.delete(
        `/v1/backoffice/issuers/${one.body.issuer.id}/keys/${twoKeys[0].id}`,
      );
      expect(crossed.statusCode).toBe(404);
      expect((await issuerGet(two.body.keys.test)).statusCode).toBe(200);
      expect(
        (await admin.browser.post('/v1/backoffice/issuers/iss_unknown/keys', { mode: 'live' })).statusCode,
      ).toBe(404);
      const badMode = await admin.browser.post(`/v1/backoffice/issuers/${one.body.issuer.id}/keys`, {
        mode: 'prod',
      });
      expect(badMode.statusCode).toBe(400);

      const support = await pspStaff(t, 'support');
      expect((await support.browser.get('/v1/backoffice/issuers')).statusCode).toBe(403);
      expect(
        (await support.browser.post(`/v1/backoffice/issuers/${one.body.issuer.id}/keys`, { mode: 'test' }))
          .statusCode,
      ).toBe(403);
      expect(
        (await support.browser.delete(`/v1/backoffice/issuers/${two.body.issuer.id}/keys/${twoKeys[0].id}`))
          .statusCode,
      ).toBe(403);
      // A merchant owner is no PSP staff at all.
      expect((await a.browser.get('/v1/backoffice/issuers')).statusCode).toBe(403);
      expect((await issuerGet(two.body.keys.test)).statusCode).toBe(200);
    });
  });
});
