import { BUYER_DECLINE_MESSAGE } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyForEvent } from '../../src/accounts/notifications/payment-notifications';
import {
  type AccountsTestApp,
  createAccountsTestApp,
  registeredUser,
  STRONG_PASSWORD,
  signedTelegramData,
  uniqueEmail,
} from '../accounts/helpers';
import { CARD, cardPayload, type TestMerchant } from '../helpers/test-app';
import { withCsrf } from './buyer-helpers';

/** The buyer account (issue 9) over HTTP: payments across merchants, history, refunds, saved cards. */
describe('buyer account', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  async function livePayment(m: TestMerchant, customer: Record<string, string>, extra = {}) {
    const created = await m.live.post('/v1/payments', {
      amount: 2500,
      currency: 'EUR',
      method: 'card',
      customer,
      metadata: { internal_note: 'vip' },
      ...extra,
    });
    expect(created.statusCode, created.rawBody).toBe(201);
    return created.body as { id: string };
  }
  const pay = (id: string, body: Record<string, unknown>) => t.anonymous.post(`/pay/${id}`, body);

  /** Runs the notifications of these live payments' events, oldest first, as the outbox job does. */
  async function notifyPayments(merchantId: string, paymentIds: string[]) {
    for (const objectId of paymentIds) {
      const events = await t.store.events.list({ merchantId, mode: 'live', objectId, limit: 100 });
      for (const event of [...events.data].reverse()) {
        await notifyForEvent({ store: t.store, notifier: t.notifier, event });
      }
    }
    await t.notifier.idle();
  }

  it('shows payments made with the confirmed email at two merchants, nothing else, and nothing merchant-only', async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const [m1, m2] = [await t.createMerchant(), await t.createMerchant()];
    const paid = await livePayment(m1, { email: buyer.email.toUpperCase() });
    expect((await pay(paid.id, cardPayload())).body.status).toBe('succeeded');
    const declined = await livePayment(m2, { email: buyer.email, phone: '+15550100' });
    expect((await pay(declined.id, cardPayload(CARD.declined))).body.status).toBe('failed');
    await livePayment(m1, { email: uniqueEmail('someone') });
    const rehearsal = await m1.test.post('/v1/payments', {
      amount: 100,
      currency: 'EUR',
      method: 'card',
      customer: { email: buyer.email },
    });
    expect(rehearsal.statusCode).toBe(201);

    const list = await buyer.browser.get('/v1/account/buyer/payments');
    expect(list.statusCode, list.rawBody).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([declined.id, paid.id]);
    const [d, s] = list.body.data;
    expect(s).toEqual({
      id: paid.id,
      object: 'buyer_payment',
      merchant_name: `Shop ${m1.id.slice(-6)}`,
      shop_name: null,
      amount: 2500,
      currency: 'EUR',
      status: 'succeeded',
      amount_refunded: 0,
      method: 'card',
      card: { brand: 'visa', last4: '4242' },
      decline_message: null,
      created_at: expect.any(String),
    });
    expect(d).toMatchObject({ merchant_name: `Shop ${m2.id.slice(-6)}`, status: 'failed' });
    expect(d.decline_message).toBe(BUYER_DECLINE_MESSAGE);
    expect(list.rawBody).not.toContain('internal_note');
    expect(list.rawBody).not.toContain('fingerprint');
    expect(list.rawBody).not.toContain('risk');

    // Cursor pages.
    const first = await buyer.browser.get('/v1/account/buyer/payments?limit=1');
    expect(first.body).toMatchObject({ has_more: true, next_cursor: declined.id });
    const second = await buyer.browser.get(
      `/v1/account/buyer/payments?limit=1&starting_after=${first.body.next_cursor}`,
    );
    expect(second.body).toMatchObject({ has_more: false, data: [{ id: paid.id }] });

    // Another buyer sees none of them, and a detail of one is a 404.
    const other = await registeredUser(t, { accountType: 'buyer' });
    expect((await other.browser.get('/v1/account/buyer/payments')).body.data).toEqual([]);
    const foreign = await other.browser.get(`/v1/account/buyer/payments/${paid.id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body.error.code).toBe('PAYRAIL_ERR_NOT_FOUND');
    expect((await other.browser.get('/v1/account/buyer/payments/not-an-id')).statusCode).toBe(404);
  });

  it("names the merchant's shop a payment was made at", async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const m = await t.createMerchant();
    const shop = await m.live.post('/v1/shops', {
      name: 'Tea Corner',
      url: 'https://tea.example.com',
      methods: ['card'],
    });
    expect(shop.statusCode, shop.rawBody).toBe(201);
    const p = await livePayment(m, { email: buyer.email }, { shop_id: shop.body.id });
    const detail = await buyer.browser.get(`/v1/account/buyer/payments/${p.id}`);
    expect(detail.body).toMatchObject({ merchant_name: `Shop ${m.id.slice(-6)}`, shop_name: 'Tea Corner' });
  });

  it('a payment detail has its status history and refunds', async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const m = await t.createMerchant();
    const payment = await livePayment(m, { email: buyer.email });
    await pay(payment.id, cardPayload());
    const refund = await m.live.post(`/v1/payments/${payment.id}/refunds`, { amount: 500 });
    expect(refund.statusCode, refund.rawBody).toBe(201);

    const detail = await buyer.browser.get(`/v1/account/buyer/payments/${payment.id}`);
    expect(detail.statusCode, detail.rawBody).toBe(200);
    expect(detail.body).toMatchObject({ id: payment.id, status: 'partially_refunded', amount_refunded: 500 });
    expect(detail.body.status_history.map((h: { status: string }) => h.status)).toEqual([
      'requires_payment_method',
      'processing',
      'succeeded',
      'partially_refunded',
    ]);
    expect(detail.body.refunds).toEqual([
      {
        id: refund.body.id,
        object: 'buyer_refund',
        amount: 500,
        currency: 'EUR',
        status: 'succeeded',
        created_at: expect.any(String),
      },
    ]);
    expect(detail.rawBody).not.toContain('internal_note');
  });

  it('only buyer accounts may use the buyer routes', async () => {
    const owner = await registeredUser(t, { accountType: 'merchant' });
    await withCsrf(owner.browser);
    for (const response of [
      await owner.browser.get('/v1/account/buyer/payments'),
      await owner.browser.get('/v1/account/buyer/saved-cards'),
      await owner.browser.delete('/v1/account/buyer/saved-cards/pm_x'),
      await owner.browser.put('/v1/account/buyer/notifications', { payment_succeeded: 'none' }),
    ]) {
      expect(response.statusCode, response.rawBody).toBe(403);
      expect(response.body.error.code).toBe('PAYRAIL_ERR_FORBIDDEN');
    }
    expect((await t.browser().get('/v1/account/buyer/payments')).statusCode).toBe(401);
  });

  it('a buyer without a confirmed email sees nothing and is never notified', async () => {
    const m = await t.createMerchant();
    // Registered, never confirmed: cannot log in, and payments with that email notify nobody.
    const unconfirmed = uniqueEmail('unconfirmed');
    const b = t.browser();
    expect(
      (
        await b.post('/v1/auth/register', {
          login: unconfirmed,
          password: STRONG_PASSWORD,
          account_type: 'buyer',
        })
      ).statusCode,
    ).toBe(202);
    expect(
      (await b.post('/v1/auth/login', { login: unconfirmed, password: STRONG_PASSWORD })).body.error.code,
    ).toBe('PAYRAIL_ERR_ACCOUNT_NOT_CONFIRMED');
    const p = await livePayment(m, { email: unconfirmed });
    await pay(p.id, cardPayload());
    await notifyPayments(m.id, [p.id]);
    expect(
      t.smtp.mails.filter((mail) => mail.to.includes(unconfirmed) && /Payment of/.test(mail.subject)),
    ).toEqual([]);

    // A Telegram-login buyer has no confirmed email: no payment matches, not even by phone.
    const username = `buyer_${Date.now().toString(36)}`;
    const tg = t.browser();
    await tg.post('/v1/auth/register', {
      login: `@${username}`,
      password: STRONG_PASSWORD,
      account_type: 'buyer',
    });
    const confirmed = await tg.post('/v1/auth/telegram/confirm', {
      login: `@${username}`,
      password: STRONG_PASSWORD,
      telegram: signedTelegramData({
        id: 880000000 + Math.floor(Math.random() * 1000),
        username,
        auth_date: Math.floor(t.clock.now().getTime() / 1000),
      }),
    });
    expect(confirmed.statusCode, confirmed.rawBody).toBe(200);
    expect(
      (await tg.post('/v1/auth/login', { login: `@${username}`, password: STRONG_PASSWORD })).statusCode,
    ).toBe(200);
    await livePayment(m, { email: `${username}@example.com`, phone: '+15550111' });
    expect((await tg.get('/v1/account/buyer/payments')).body).toEqual({
      object: 'list',
      data: [],
      has_more: false,
    });
    const prefs = await tg.get('/v1/account/buyer/notifications');
    expect(prefs.body).toMatchObject({ email: null, telegram_linked: true, payment_succeeded: 'telegram' });
    const noEmail = await tg.put('/v1/account/buyer/notifications', { payment_declined: 'email' });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'payment_declined' });
  });

  it('notification preferences decide what the buyer is sent, and on which channel', async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    await withCsrf(buyer.browser);
    const m = await t.createMerchant();

    const defaults = await buyer.browser.get('/v1/account/buyer/notifications');
    expect(defaults.body).toEqual({
      object: 'buyer_notifications',
      payment_succeeded: 'email',
      payment_declined: 'email',
      payment_refunded: 'email',
      email: buyer.email,
      telegram_linked: false,
    });
    const noTelegram = await buyer.browser.put('/v1/account/buyer/notifications', {
      payment_declined: 'telegram',
    });
    expect(noTelegram.statusCode).toBe(400);
    expect(noTelegram.body.error).toMatchObject({
      code: 'PAYRAIL_ERR_VALIDATION',
      param: 'payment_declined',
    });
    const empty = await buyer.browser.put('/v1/account/buyer/notifications', {});
    expect(empty.statusCode).toBe(400);
    const bad = await buyer.browser.put('/v1/account/buyer/notifications', { payment_succeeded: 'sms' });
    expect(bad.statusCode).toBe(400);

    // Success: off. Decline: email (unchanged).
    const off = await buyer.browser.put('/v1/account/buyer/notifications', { payment_succeeded: 'none' });
    expect(off.statusCode, off.rawBody).toBe(200);
    expect(off.body).toMatchObject({ payment_succeeded: 'none', payment_declined: 'email' });
    const ok1 = await livePayment(m, { email: buyer.email });
    await pay(ok1.id, cardPayload());
    const no1 = await livePayment(m, { email: buyer.email });
    await pay(no1.id, cardPayload(CARD.declined));
    await notifyPayments(m.id, [ok1.id, no1.id]);
    const declinedMail = await t.smtp.waitFor(buyer.email, /was declined/);
    expect(declinedMail.body).toContain(no1.id);
    expect(declinedMail.body).toContain(BUYER_DECLINE_MESSAGE.replace(/\.$/, ''));
    expect(
      t.smtp.mails.filter((mail) => mail.to.includes(buyer.email) && /succeeded/.test(mail.subject)),
    ).toEqual([]);

    // Bind a Telegram id (as the widget would) and send declines there, successes back to email.
    const user = await t.store.users.findByLogin({ login: buyer.email });
    if (!user) throw new Error('buyer missing');
    const bound = await t.store.users.update({
      user: { ...user, telegramId: '990000123', telegramConfirmedAt: new Date() },
      expectedVersion: user.version,
    });
    expect(bound.ok).toBe(true);
    const switched = await buyer.browser.put('/v1/account/buyer/notifications', {
      payment_succeeded: 'email',
      payment_declined: 'telegram',
    });
    expect(switched.body).toMatchObject({ payment_succeeded: 'email', payment_declined: 'telegram' });
    const ok2 = await livePayment(m, { email: buyer.email });
    await pay(ok2.id, cardPayload());
    const no2 = await livePayment(m, { email: buyer.email });
    await pay(no2.id, cardPayload(CARD.declined));
    t.telegram.requests.length = 0;
    const mailsBefore = t.smtp.mails.length;
    await notifyPayments(m.id, [ok2.id, no2.id]);
    const success = await t.smtp.waitFor(buyer.email, /succeeded/);
    expect(success.body).toContain(ok2.id);
    const newMails = t.smtp.mails.slice(mailsBefore).filter((mail) => mail.to.includes(buyer.email));
    // Only the success came by email; the decline went to Telegram.
    expect(newMails.map((mail) => mail.subject)).toEqual(['Payment of 25.00 EUR succeeded']);
    const telegramTexts = t.telegram.requests.map((r) => JSON.stringify(r.body ?? ''));
    expect(telegramTexts.some((text) => text.includes(no2.id))).toBe(true);
  });

  it('lists saved cards of the buyer at any merchant and removes one: one-click then fails', async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    await withCsrf(buyer.browser);
    const m = await t.createMerchant();
    const p = await livePayment(m, { id: 'cus_buyer_1', email: buyer.email });
    const paid = await pay(p.id, cardPayload(CARD.visa, { save_card: true }));
    expect(paid.body.status).toBe('succeeded');
    // A card saved for someone else's customer id at the same merchant is not the buyer's.
    const other = await livePayment(m, { id: 'cus_other', email: uniqueEmail('other') });
    await pay(other.id, cardPayload('5555555555554444', { save_card: true }));

    const cards = await buyer.browser.get('/v1/account/buyer/saved-cards');
    expect(cards.statusCode, cards.rawBody).toBe(200);
    expect(cards.body.data).toEqual([
      {
        id: expect.stringMatching(/^pm_/),
        object: 'buyer_saved_card',
        merchant_name: `Shop ${m.id.slice(-6)}`,
        brand: 'visa',
        last4: '4242',
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        created_at: expect.any(String),
      },
    ]);
    const pm = cards.body.data[0].id as string;

    // Someone else cannot see or remove it.
    const stranger = await withCsrf((await registeredUser(t, { accountType: 'buyer' })).browser);
    expect((await stranger.get('/v1/account/buyer/saved-cards')).body.data).toEqual([]);
    expect((await stranger.delete(`/v1/account/buyer/saved-cards/${pm}`)).statusCode).toBe(404);

    // One-click works before the removal …
    const before = await m.live.post('/v1/payments', {
      amount: 700,
      currency: 'EUR',
      method: 'card',
      customer_id: 'cus_buyer_1',
      payment_method: pm,
    });
    expect(before.statusCode, before.rawBody).toBe(201);

    const removed = await buyer.browser.delete(`/v1/account/buyer/saved-cards/${pm}`);
    expect(removed.statusCode, removed.rawBody).toBe(200);
    expect(removed.body).toEqual({ id: pm, object: 'buyer_saved_card', deleted: true });
    expect((await buyer.browser.get('/v1/account/buyer/saved-cards')).body.data).toEqual([]);
    expect((await buyer.browser.delete(`/v1/account/buyer/saved-cards/${pm}`)).statusCode).toBe(404);

    // … and fails after it: a new one-click payment is refused, and one created before cannot be paid
    // with the CVC alone.
    const after = await m.live.post('/v1/payments', {
      amount: 700,
      currency: 'EUR',
      method: 'card',
      customer_id: 'cus_buyer_1',
      payment_method: pm,
    });
    expect(after.statusCode).toBe(404);
    expect(after.body.error).toMatchObject({ code: 'PAYRAIL_ERR_NOT_FOUND', param: 'payment_method' });
    expect(after.body.error.message).toContain(pm);
    const cvcOnly = await pay(before.body.id, { cvc: '123' });
    expect(cvcOnly.statusCode).toBe(400);
    expect(cvcOnly.body.error).toMatchObject({ code: 'PAYRAIL_ERR_PAYMENT_METHOD_INVALID' });
    // The other customer's card is untouched.
    expect((await m.live.get('/v1/customers/cus_other/payment_methods')).body.data).toHaveLength(1);
  });
});
