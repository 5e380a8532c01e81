import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/accounts/password-hashing';
import { newUser } from '../../src/accounts/user-record';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  registeredUser,
} from '../accounts/helpers';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const SHOP = { name: 'Books', url: 'https://books.example', methods: ['card'] };

describe('shops in the personal account', () => {
  let t: AccountsTestApp;
  let owner: Browser;
  let merchantId: string;
  let otherOwner: Browser;

  beforeAll(async () => {
    t = await createAccountsTestApp();
    const a = await registeredUser(t, { accountType: 'merchant' });
    owner = a.browser;
    merchantId = a.user.merchant_id as string;
    otherOwner = (await registeredUser(t, { accountType: 'merchant' })).browser;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  async function staffOf(merchant: string): Promise<Browser> {
    const now = t.clock.now();
    const staff = newUser(
      {
        accountType: 'merchant',
        role: 'staff',
        merchantId: merchant,
        login: `staff.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
        loginKind: 'email',
        passwordHash: await hashPassword('Staff-Pass-2026'),
        locale: 'en',
      },
      now,
    );
    await t.store.users.insert({ user: { ...staff, emailConfirmedAt: now } });
    const browser = t.browser();
    const login = await browser.post('/v1/auth/login', { login: staff.login, password: 'Staff-Pass-2026' });
    expect(login.statusCode, login.rawBody).toBe(200);
    return browser;
  }

  it('the owner creates, updates, archives and reads shops and their snippet', async () => {
    const created = await owner.post('/v1/account/shops', SHOP);
    expect(created.statusCode, created.rawBody).toBe(201);
    expect(created.body).toMatchObject({ object: 'shop', name: 'Books', methods: ['card'] });
    const id = created.body.id as string;
    // The same shop through the store: it belongs to the owner's merchant.
    expect((await t.store.shops.get({ merchantId, id }))?.name).toBe('Books');

    const updated = await owner.post(`/v1/account/shops/${id}`, { name: 'Books EU' });
    expect(updated.body.name).toBe('Books EU');
    expect((await owner.get('/v1/account/shops')).body.data.map((s: { id: string }) => s.id)).toEqual([id]);
    const snippet = await owner.get(`/v1/account/shops/${id}/integration`);
    expect(snippet.statusCode).toBe(200);
    expect(snippet.body.curl).toContain(id);
    expect(snippet.body.curl).toContain('sk_test_…');

    const archived = await owner.delete(`/v1/account/shops/${id}`);
    expect(archived.body.archived).toBe(true);
    expect((await owner.get('/v1/account/shops')).body.data).toEqual([]);
  });

  it('invalid input is refused with PAYRAIL_ERR_VALIDATION', async () => {
    const res = await owner.post('/v1/account/shops', { ...SHOP, methods: ['no_such_method'] });
    expect(res.statusCode).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'methods.0' });
  });

  it('staff read shops but cannot change them', async () => {
    const id = (await owner.post('/v1/account/shops', SHOP)).body.id as string;
    const staff = await staffOf(merchantId);
    expect((await staff.get(`/v1/account/shops/${id}`)).body.name).toBe('Books');
    expect((await staff.get('/v1/account/shops')).body.data.map((s: { id: string }) => s.id)).toContain(id);
    expect((await staff.get(`/v1/account/shops/${id}/integration`)).statusCode).toBe(200);
    for (const res of [
      await staff.post('/v1/account/shops', SHOP),
      await staff.post(`/v1/account/shops/${id}`, { name: 'Mine now' }),
      await staff.delete(`/v1/account/shops/${id}`),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
    }
    expect(await t.store.shops.get({ merchantId, id })).toMatchObject({ name: 'Books', archived: false });
  });

  it("another merchant's owner gets a 404 on every route of the shop", async () => {
    const id = (await owner.post('/v1/account/shops', SHOP)).body.id as string;
    for (const res of [
      await otherOwner.get(`/v1/account/shops/${id}`),
      await otherOwner.get(`/v1/account/shops/${id}/integration`),
      await otherOwner.post(`/v1/account/shops/${id}`, { name: 'Stolen' }),
      await otherOwner.delete(`/v1/account/shops/${id}`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.body.error.code).toBe('PAYRAIL_ERR_SHOP_NOT_FOUND');
    }
    expect((await otherOwner.get('/v1/account/shops')).body.data).toEqual([]);
    expect(await t.store.shops.get({ merchantId, id })).toMatchObject({ name: 'Books', archived: false });
  });

  it('without a session the shop routes answer 401', async () => {
    const res = await t.browser().get('/v1/account/shops');
    expect(res.statusCode).toBe(401);
  });
});
