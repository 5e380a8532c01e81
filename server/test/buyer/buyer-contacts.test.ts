import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  type ReceivedMail,
  registeredUser,
  tokenFrom,
  uniqueEmail,
} from '../accounts/helpers';
import type { TestMerchant } from '../helpers/test-app';
import { telegramBuyer, withCsrf } from './buyer-helpers';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

/** Buyer contacts (issue 9): a Telegram-login buyer confirms an email by its mailed link and sees its payments. */
describe.each(['pglite', 'postgres', 'mongodb'] as const)('buyer contact emails (%s)', (kind) => {
  let t: AccountsTestApp;
  let m: TestMerchant;
  beforeAll(async () => {
    t = await createAccountsTestApp({}, undefined, kind);
    m = await t.createMerchant();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  async function livePayment(email: string) {
    const created = await m.live.post('/v1/payments', {
      amount: 4200,
      currency: 'EUR',
      method: 'card',
      customer: { email },
    });
    expect(created.statusCode, created.rawBody).toBe(201);
    return (created.body as { id: string }).id;
  }

  /** Asks for `email` as a contact and returns the token mailed to that address. */
  async function requestContact(browser: Browser, email: string) {
    const before = t.smtp.mails.length;
    const asked = await browser.post('/v1/account/buyer/contacts', { email: email.toUpperCase() });
    expect(asked.statusCode, asked.rawBody).toBe(202);
    expect(asked.body).toMatchObject({ object: 'buyer_contact_confirmation', email });
    // This request's mail (an address may have had one before, for another buyer).
    const isIt = (m: ReceivedMail) =>
      m.to.includes(email) && /Confirm your email for Payrail/.test(m.subject);
    let mail = t.smtp.mails.slice(before).find(isIt);
    while (!mail) {
      await t.smtp.waitFor(email, /Confirm your email for Payrail/);
      await new Promise((resolve) => setTimeout(resolve, 10));
      mail = t.smtp.mails.slice(before).find(isIt);
    }
    expect(mail.body).toContain('https://account.payrail.test/account/confirm-contact?token=');
    return tokenFrom(mail);
  }

  const paymentIds = async (browser: Browser) =>
    ((await browser.get('/v1/account/buyer/payments')).body.data as { id: string }[]).map((p) => p.id);

  it('a Telegram-login buyer confirms a contact email and then sees, and can stop seeing, its payments', async () => {
    const buyer = (await telegramBuyer(t)).browser;
    const email = uniqueEmail('tgpayer');
    const paid = await livePayment(email.toUpperCase());
    await livePayment(uniqueEmail('stranger'));
    expect(await paymentIds(buyer)).toEqual([]);
    expect((await buyer.get(`/v1/account/buyer/payments/${paid}`)).statusCode).toBe(404);

    const token = await requestContact(buyer, email);
    // Asking alone shows nothing: the address is not confirmed yet.
    expect((await buyer.get('/v1/account/buyer/contacts')).body.data).toEqual([]);
    expect(await paymentIds(buyer)).toEqual([]);

    // The link works without a session (the mailbox may be opened in another browser), once.
    const confirmed = await t.browser().post('/v1/auth/contact/confirm', { token });
    expect(confirmed.statusCode, confirmed.rawBody).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'confirmed',
      contact: { object: 'buyer_contact', email },
    });
    const again = await t.browser().post('/v1/auth/contact/confirm', { token });
    expect(again.statusCode).toBe(400);
    expect(again.body.error.code).toBe('PAYRAIL_ERR_TOKEN_USED');

    expect((await buyer.get('/v1/account/buyer/contacts')).body.data).toEqual([
      { object: 'buyer_contact', email, confirmed_at: expect.any(String) },
    ]);
    expect(await paymentIds(buyer)).toEqual([paid]);
    const one = await buyer.get(`/v1/account/buyer/payments/${paid}`);
    expect(one.statusCode, one.rawBody).toBe(200);
    expect(one.body).toMatchObject({ id: paid, amount: 4200, currency: 'EUR' });

    const removed = await buyer.delete(`/v1/account/buyer/contacts/${encodeURIComponent(email)}`);
    expect(removed.statusCode, removed.rawBody).toBe(200);
    expect(removed.body).toMatchObject({ email, deleted: true });
    expect(await paymentIds(buyer)).toEqual([]);
    expect((await buyer.get(`/v1/account/buyer/payments/${paid}`)).statusCode).toBe(404);
    const twice = await buyer.delete(`/v1/account/buyer/contacts/${encodeURIComponent(email)}`);
    expect(twice.statusCode).toBe(404);
    expect(twice.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
  });

  it("gives an address to one buyer only: a second buyer, or another buyer's login, gets 409 PAYRAIL_ERR_CONTACT_TAKEN", async () => {
    const first = (await telegramBuyer(t)).browser;
    const second = (await telegramBuyer(t)).browser;
    const email = uniqueEmail('shared');
    const paid = await livePayment(email);
    const firstToken = await requestContact(first, email);
    expect((await t.browser().post('/v1/auth/contact/confirm', { token: firstToken })).statusCode).toBe(200);

    const secondToken = await requestContact(second, email);
    const taken = await t.browser().post('/v1/auth/contact/confirm', { token: secondToken });
    expect(taken.statusCode, taken.rawBody).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'PAYRAIL_ERR_CONTACT_TAKEN', param: 'token' });
    expect(await paymentIds(second)).toEqual([]);
    expect(await paymentIds(first)).toEqual([paid]);

    // Another buyer's confirmed email login is theirs already.
    const emailBuyer = await registeredUser(t, { accountType: 'buyer' });
    const loginToken = await requestContact(second, emailBuyer.email);
    const login = await t.browser().post('/v1/auth/contact/confirm', { token: loginToken });
    expect(login.statusCode).toBe(409);
    expect(login.body.error.code).toBe('PAYRAIL_ERR_CONTACT_TAKEN');

    // The email-login buyer may add a second address, but not the login itself.
    await withCsrf(emailBuyer.browser);
    const own = await emailBuyer.browser.post('/v1/account/buyer/contacts', { email: emailBuyer.email });
    expect(own.statusCode).toBe(400);
    expect(own.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'email' });
    const extra = uniqueEmail('extra');
    const extraPaid = await livePayment(extra);
    const onLogin = await livePayment(emailBuyer.email);
    const extraToken = await requestContact(emailBuyer.browser, extra);
    expect((await t.browser().post('/v1/auth/contact/confirm', { token: extraToken })).statusCode).toBe(200);
    expect((await paymentIds(emailBuyer.browser)).sort()).toEqual([extraPaid, onLogin].sort());
  });

  it('refuses bad input and non-buyers', async () => {
    const buyer = (await telegramBuyer(t)).browser;
    const bad = await buyer.post('/v1/account/buyer/contacts', { email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error.code).toBe('PAYRAIL_ERR_VALIDATION');
    const unknown = await t.browser().post('/v1/auth/contact/confirm', { token: 'x'.repeat(43) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.error.code).toBe('PAYRAIL_ERR_TOKEN_INVALID');
    const merchant = await registeredUser(t, { accountType: 'merchant' });
    await withCsrf(merchant.browser);
    const forbidden = await merchant.browser.post('/v1/account/buyer/contacts', { email: uniqueEmail('m') });
    expect(forbidden.statusCode).toBe(403);
  });
});
