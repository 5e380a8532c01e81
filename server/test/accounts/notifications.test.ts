import { silentLogger } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpMailer } from '../../src/accounts/notifications/mailer';
import { createNotifier } from '../../src/accounts/notifications/notifier';
import { notifyForEvent } from '../../src/accounts/notifications/payment-notifications';
import { telegramBot } from '../../src/accounts/notifications/telegram-bot';
import { render } from '../../src/accounts/notifications/templates';
import { startBackgroundJobs } from '../../src/jobs/background-jobs';
import { dispatchOutbox } from '../../src/webhooks/dispatcher';
import { CARD, cardPayload } from '../helpers/test-app';
import { grantLiveMode } from '../onboarding/helpers';
import { type AccountsTestApp, BOT_TOKEN, createAccountsTestApp, registeredUser } from './helpers';

describe('notification templates', () => {
  it('renders English and Russian, escapes HTML, and refuses a missing variable', () => {
    const en = render('password_reset', 'en', { link: 'https://x.test/r?token=abc' });
    expect(en.subject).toBe('Reset your Payrail password');
    expect(en.text).toContain('https://x.test/r?token=abc');
    const ru = render('lockout', 'ru', { failures: 10, until: '2026-01-01 10:00' });
    expect(ru.subject).toBe('Учётная запись Payrail временно заблокирована');
    expect(ru.text).toContain('После 10 неудачных попыток');
    const html = render('ticket_reply', 'en', { ticketId: 'tkt_1', body: '<script>x</script>' }).html;
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(
      render('payment_succeeded', 'de', { paymentId: 'p', amount: '1 EUR', merchant: 'M' }).subject,
    ).toBe('Payment of 1 EUR succeeded');
    expect(() => render('payment_succeeded', 'en', { paymentId: 'p' })).toThrow();
  });
});

describe('channels', () => {
  it('a failing channel never throws into the caller; it is retried, then given up', async () => {
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (obj: object) => errors.push(obj), child: () => logger };
    const notifier = createNotifier({
      // Nothing listens on port 9 of loopback: every attempt fails fast.
      mailer: smtpMailer({ host: '127.0.0.1', port: 9, tls: 'none', from: 'x@y.test' }),
      telegram: telegramBot({ token: BOT_TOKEN, apiOrigin: 'http://127.0.0.1:9' }),
      logger,
      retryDelaysMs: [1, 1],
    });
    expect(() =>
      notifier.send({ channel: 'email', address: 'a@b.test' }, 'en', 'password_reset', { link: 'l' }),
    ).not.toThrow();
    notifier.send({ channel: 'telegram', chatId: '1' }, 'en', 'password_reset', { link: 'l' });
    await notifier.idle();
    expect(errors).toHaveLength(2);
    await notifier.close();
  });
});

describe('payment notifications from outbox events', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the buyer with a matching confirmed email and the merchant owner are told of live payments', async () => {
    const buyer = await registeredUser(t, { accountType: 'buyer' });
    const owner = await registeredUser(t, { accountType: 'merchant' });
    await grantLiveMode(t.store, owner.user.merchant_id as string);
    await owner.browser.post('/v1/account/financial_password', {
      current_password: owner.password,
      financial_password: 'Vault-Door-2026!',
    });
    const key = await owner.browser.post('/v1/account/api_keys', {
      mode: 'live',
      financial_password: 'Vault-Door-2026!',
    });
    const api = t.client(key.body.secret);

    const ok = await api.post('/v1/payments', {
      amount: 1999,
      currency: 'EUR',
      method: 'card',
      customer: { email: buyer.email.toUpperCase() },
    });
    await t.anonymous.post(`/pay/${ok.body.id}`, cardPayload());
    const declined = await api.post('/v1/payments', {
      amount: 500,
      currency: 'EUR',
      method: 'card',
      customer: { email: buyer.email },
    });
    await t.anonymous.post(`/pay/${declined.body.id}`, cardPayload(CARD.declined));

    const merchantId = owner.user.merchant_id as string;
    const events = await t.store.events.list({ merchantId, mode: 'live', limit: 100 });
    let queued = 0;
    for (const event of [...events.data].reverse())
      queued += await notifyForEvent({ store: t.store, notifier: t.notifier, event });
    expect(queued).toBe(3); // buyer: success + decline; owner: new payment

    const success = await t.smtp.waitFor(buyer.email, /Payment of 19.99 EUR succeeded/);
    expect(success.body).toContain(ok.body.id);
    await t.smtp.waitFor(buyer.email, /Payment of 5.00 EUR was declined/);
    await t.smtp.waitFor(owner.email, new RegExp(`New payment ${ok.body.id}`));

    // Test mode notifies nobody.
    const testEvents = await t.store.events.list({ merchantId, mode: 'test', limit: 10 });
    for (const event of testEvents.data)
      expect(await notifyForEvent({ store: t.store, notifier: t.notifier, event })).toBe(0);
  });
});

describe('payment notifications through the outbox job', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the running jobs notify the owner of a paid live payment once, however often the outbox is dispatched', async () => {
    const owner = await registeredUser(t, { accountType: 'merchant' });
    await grantLiveMode(t.store, owner.user.merchant_id as string);
    await owner.browser.post('/v1/account/financial_password', {
      current_password: owner.password,
      financial_password: 'Vault-Door-2026!',
    });
    const key = await owner.browser.post('/v1/account/api_keys', {
      mode: 'live',
      financial_password: 'Vault-Door-2026!',
    });
    const jobs = await startBackgroundJobs(
      { ...t.services, notifier: t.notifier },
      {
        pollIntervalMs: 100,
        paymentExpireAfterMs: 86_400_000,
        autoVoidAfterMs: 7 * 86_400_000,
        reconcileAfterMs: 86_400_000,
        webhookTimeoutMs: 2_000,
        intervals: { dispatchOutbox: '100ms', deliverWebhooks: '1h', syncPayments: '1h' },
      },
    );
    try {
      const created = await t.client(key.body.secret).post('/v1/payments', {
        amount: 4200,
        currency: 'EUR',
        method: 'card',
      });
      expect(created.statusCode).toBe(201);
      expect((await t.anonymous.post(`/pay/${created.body.id}`, cardPayload())).body.status).toBe(
        'succeeded',
      );
      const mail = await t.smtp.waitFor(owner.email, new RegExp(`New payment ${created.body.id}`));
      expect(mail.body).toContain('42.00 EUR');
      // A second dispatcher run over the same events (another process, a retry) sends nothing more.
      await dispatchOutbox({
        store: t.store,
        clock: t.services.clock,
        onDispatched: async (event) => {
          await notifyForEvent({ store: t.store, notifier: t.notifier, event });
        },
      });
      await t.notifier.idle();
      const toOwner = t.smtp.mails.filter(
        (m) => m.to.includes(owner.email) && m.subject.includes(`New payment ${created.body.id}`),
      );
      expect(toOwner).toHaveLength(1);
    } finally {
      await jobs.stop();
    }
  });
});
