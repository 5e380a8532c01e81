import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buyerOfEmail } from '../../src/accounts/buyer/buyer-contact';
import { notifyForEvent } from '../../src/accounts/notifications/payment-notifications';
import {
  type AccountsTestApp,
  type Browser,
  createAccountsTestApp,
  registeredUser,
  tokenFrom,
  uniqueEmail,
} from '../accounts/helpers';
import { CARD, cardPayload, type TestMerchant } from '../helpers/test-app';
import { telegramBuyer, withCsrf } from './buyer-helpers';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

/**
 * Confirmed contact emails and payment notifications, and "one address, one buyer" when an address that
 * is one buyer's confirmed contact is registered later as another buyer's email login.
 */
describe.each(['pglite', 'postgres', 'mongodb'] as const)(
  'buyer contacts: notifications and logins (%s)',
  (kind) => {
    let t: AccountsTestApp;
    let m: TestMerchant;
    beforeAll(async () => {
      t = await createAccountsTestApp({}, undefined, kind);
      m = await t.createMerchant();
    }, 240_000);
    afterAll(async () => {
      await t?.close();
    });

    /** Adds and confirms `email` as the buyer's contact through the mailed link. */
    async function confirmContact(browser: Browser, email: string) {
      const asked = await browser.post('/v1/account/buyer/contacts', { email });
      expect(asked.statusCode, asked.rawBody).toBe(202);
      const mail = await t.smtp.waitFor(email, /Confirm your email for Payrail/);
      const confirmed = await t.browser().post('/v1/auth/contact/confirm', { token: tokenFrom(mail) });
      expect(confirmed.statusCode, confirmed.rawBody).toBe(200);
    }

    /** A live card payment made with `email`, paid (or declined), and the notifications of its events. */
    async function paidWith(email: string, card = CARD.visa) {
      const created = await m.live.post('/v1/payments', {
        amount: 4200,
        currency: 'EUR',
        method: 'card',
        customer: { email },
      });
      expect(created.statusCode, created.rawBody).toBe(201);
      const id = (created.body as { id: string }).id;
      await t.anonymous.post(`/pay/${id}`, cardPayload(card));
      const events = await t.store.events.list({ merchantId: m.id, mode: 'live', limit: 100 });
      let buyerNotices = 0;
      for (const event of events.data.filter((e) => (e.data.object as { id?: string }).id === id)) {
        buyerNotices += await notifyForEvent({ store: t.store, notifier: t.notifier, event });
      }
      return { id, buyerNotices };
    }

    const paymentIds = async (browser: Browser) =>
      ((await browser.get('/v1/account/buyer/payments')).body.data as { id: string }[]).map((p) => p.id);

    it("an email-login buyer hears of a payment made with a confirmed contact, on the login's channel", async () => {
      const buyer = await registeredUser(t, { accountType: 'buyer' });
      await withCsrf(buyer.browser);
      const contact = uniqueEmail('second');
      await confirmContact(buyer.browser, contact);
      const { id, buyerNotices } = await paidWith(contact.toUpperCase());
      expect(buyerNotices).toBe(1);
      const mail = await t.smtp.waitFor(buyer.email, /Payment of 42.00 EUR succeeded/);
      expect(mail.body).toContain(id);
      expect(t.smtp.mails.filter((x) => x.to.includes(contact) && /Payment of/.test(x.subject))).toEqual([]);
    });

    it('a Telegram-login buyer who chose email hears of it at the confirmed contact address', async () => {
      const buyer = await telegramBuyer(t);
      // Email notices need a confirmed address: refused before the contact, accepted after.
      const early = await buyer.browser.put('/v1/account/buyer/notifications', {
        payment_succeeded: 'email',
      });
      expect(early.statusCode, early.rawBody).toBe(400);
      expect(early.body.error).toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'payment_succeeded' });
      const contact = uniqueEmail('tgcontact');
      await confirmContact(buyer.browser, contact);
      const chosen = await buyer.browser.put('/v1/account/buyer/notifications', {
        payment_succeeded: 'email',
      });
      expect(chosen.statusCode, chosen.rawBody).toBe(200);

      const { id, buyerNotices } = await paidWith(contact);
      expect(buyerNotices).toBe(1);
      const mail = await t.smtp.waitFor(contact, /Payment of 42.00 EUR succeeded/);
      expect(mail.body).toContain(id);
      // Nobody is told of a payment made with an address no buyer confirmed.
      expect((await paidWith(uniqueEmail('nobody'))).buyerNotices).toBe(0);
    });

    it("an address confirmed as one buyer's contact and registered later as another's login stays the first buyer's", async () => {
      const holder = await telegramBuyer(t);
      const address = uniqueEmail('contested');
      await confirmContact(holder.browser, address);
      const { id } = await paidWith(address);

      // Registration answers as for any new address (never tells whose it is) and the login is confirmed.
      const late = await registeredUser(t, { accountType: 'buyer', email: address });
      expect(await paymentIds(late.browser)).toEqual([]);
      expect((await late.browser.get(`/v1/account/buyer/payments/${id}`)).statusCode).toBe(404);
      expect(await paymentIds(holder.browser)).toEqual([id]);
      expect((await buyerOfEmail(t.store, address))?.id).toBe(holder.id);

      // Once the contact's holder lets it go, the address belongs to the login.
      const removed = await holder.browser.delete(
        `/v1/account/buyer/contacts/${encodeURIComponent(address)}`,
      );
      expect(removed.statusCode, removed.rawBody).toBe(200);
      expect(await paymentIds(holder.browser)).toEqual([]);
      expect(await paymentIds(late.browser)).toEqual([id]);
      expect((await buyerOfEmail(t.store, address))?.id).toBe(late.user.id);
    });
  },
);
