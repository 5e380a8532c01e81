import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/accounts/password-hashing';
import { newUser } from '../../src/accounts/user-record';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  pspStaff,
  registeredUser,
  STRONG_PASSWORD,
} from '../accounts/helpers';
import type { TestMerchant } from '../helpers/test-app';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

/**
 * The same reports as the API, for merchant users in the personal account (`/v1/account/reports/*`, their
 * own merchant, `mode` chosen) and for PSP staff in the back office (any merchant).
 */
describe('reports in the personal account and the back office', () => {
  let t: AccountsTestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let ownerA: Browser;
  let staffA: Browser;
  let ownerB: Browser;

  async function userOf(merchantId: string, role: 'owner' | 'staff'): Promise<Browser> {
    const now = t.clock.now();
    const user = newUser(
      {
        accountType: 'merchant',
        role,
        merchantId,
        login: `${role}.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
        loginKind: 'email',
        passwordHash: await hashPassword(STRONG_PASSWORD),
        locale: 'en',
      },
      now,
    );
    await t.store.users.insert({ user: { ...user, emailConfirmedAt: now } });
    const browser = t.browser();
    const login = await browser.post('/v1/auth/login', { login: user.login, password: STRONG_PASSWORD });
    expect(login.statusCode, login.rawBody).toBe(200);
    return browser;
  }

  beforeAll(async () => {
    t = await createAccountsTestApp();
    a = await t.createMerchant();
    b = await t.createMerchant();
    for (const amount of [1_000, 2_500]) {
      const paid = await a.test.post('/v1/payments', { amount, currency: 'eur', method: 'fake' });
      expect(paid.body.status).toBe('succeeded');
    }
    const live = await a.live.post('/v1/payments', { amount: 700, currency: 'eur', method: 'fake' });
    expect(live.body.status).toBe('succeeded');
    ownerA = await userOf(a.id, 'owner');
    staffA = await userOf(a.id, 'staff');
    ownerB = await userOf(b.id, 'owner');
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const year = () => t.clock.now().getUTCFullYear();

  it('owner and staff get exactly what the API key gets, in the mode they ask for', async () => {
    for (const path of ['/reports/realtime', `/reports/annual?year=${year()}`]) {
      const viaKey = await a.test.get(`/v1${path}`);
      expect(viaKey.statusCode).toBe(200);
      for (const user of [ownerA, staffA]) {
        const viaSession = await user.get(`/v1/account${path}`);
        expect(viaSession.statusCode, viaSession.rawBody).toBe(200);
        expect(viaSession.body).toEqual(viaKey.body);
      }
      const liveViaKey = await a.live.get(`/v1${path}`);
      const sep = path.includes('?') ? '&' : '?';
      const liveViaSession = await ownerA.get(`/v1/account${path}${sep}mode=live`);
      expect(liveViaSession.body).toEqual(liveViaKey.body);
      expect(liveViaSession.body).not.toEqual(viaKey.body);
    }
    const csv = await ownerA.get(`/v1/account/reports/annual?year=${year()}&format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.rawBody).toContain('3500');
    const pdf = await ownerA.get(`/v1/account/reports/annual.pdf?year=${year()}`);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.rawBody.startsWith('%PDF-')).toBe(true);
  });

  it("a merchant's users see only their own figures; a buyer is refused; a bad mode is a field error", async () => {
    const mine = await ownerB.get(`/v1/account/reports/annual?year=${year()}`);
    expect(mine.body).toEqual((await b.test.get(`/v1/reports/annual?year=${year()}`)).body);
    expect(JSON.stringify(mine.body)).not.toContain('3500');
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const refused = await buyer.browser.get('/v1/account/reports/realtime');
    expect(refused.statusCode).toBe(403);
    expect(refused.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
    const bad = await ownerA.get('/v1/account/reports/realtime?mode=sandbox');
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error.param).toBe('mode');
    // The API key implies its mode: the parameter is unknown there.
    expect((await a.test.get('/v1/reports/realtime?mode=live')).statusCode).toBe(400);
  });

  it("PSP staff read any merchant's reports in the back office; merchants cannot", async () => {
    const support = await pspStaff(t, 'support');
    const path = `/reports/annual?year=${year()}`;
    const forA = await support.browser.get(`/v1/backoffice/merchants/${a.id}${path}`);
    expect(forA.statusCode, forA.rawBody).toBe(200);
    expect(forA.body).toEqual((await a.test.get(`/v1${path}`)).body);
    const liveForA = await support.browser.get(`/v1/backoffice/merchants/${a.id}${path}&mode=live`);
    expect(liveForA.body).toEqual((await a.live.get(`/v1${path}`)).body);
    const unknown = await support.browser.get(`/v1/backoffice/merchants/mer_${'0'.repeat(26)}${path}`);
    expect(unknown.statusCode).toBe(404);
    expect((await ownerA.get(`/v1/backoffice/merchants/${a.id}${path}`)).statusCode).toBe(403);
    // The back office's own merchant routes still answer next to the report routes.
    expect((await support.browser.get(`/v1/backoffice/merchants/${a.id}`)).statusCode).toBe(200);
  });
});
