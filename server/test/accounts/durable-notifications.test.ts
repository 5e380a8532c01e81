import type { Logger, OutboxEvent, User } from '@payrail/core';
import { silentLogger } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mailer, smtpMailer } from '../../src/accounts/notifications/mailer';
import { createNotifier, type Notifier } from '../../src/accounts/notifications/notifier';
import { notifyForEvent } from '../../src/accounts/notifications/payment-notifications';
import { hashPassword } from '../../src/accounts/password-hashing';
import { newUser } from '../../src/accounts/user-record';
import type { StoreKind } from '../helpers/test-app';
import { type AccountsTestApp, createAccountsTestApp, STRONG_PASSWORD, uniqueEmail } from './helpers';

const STORES: StoreKind[] = ['pglite', 'postgres', 'mongodb'];
const FROM = 'Payrail <no-reply@payrail.test>';

describe.each(STORES)('durable notification queue on %s', (storeKind) => {
  let t: AccountsTestApp;
  /** False: the mailer talks to a loopback port nobody listens on (connection refused). */
  let smtpUp = true;
  let mailer: Mailer;
  const notifiers: Notifier[] = [];

  /** Another process's notifier on the same database (its own fast path, or none). */
  const processNotifier = (fastPath: boolean, logger: Logger = silentLogger) => {
    const notifier = createNotifier({ mailer, telegram: null, logger, fastPath });
    notifier.useQueue({ store: t.store, clock: t.clock });
    notifiers.push(notifier);
    return notifier;
  };

  const confirmedUser = async (fields: Partial<Pick<User, 'merchantId' | 'role' | 'accountType'>> = {}) => {
    const now = t.clock.now();
    const user = newUser(
      {
        accountType: fields.accountType ?? 'buyer',
        role: fields.role ?? 'owner',
        merchantId: fields.merchantId ?? null,
        login: uniqueEmail('ntf'),
        loginKind: 'email',
        passwordHash: await hashPassword(STRONG_PASSWORD),
        locale: 'en',
      },
      now,
    );
    const confirmed = { ...user, emailConfirmedAt: now };
    if (!(await t.store.users.insert({ user: confirmed })).ok) throw new Error('login taken');
    return confirmed;
  };

  const mailsTo = (address: string) => t.smtp.mails.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    t = await createAccountsTestApp({}, silentLogger, storeKind);
    const up = smtpMailer({ host: '127.0.0.1', port: t.smtp.port, tls: 'none', from: FROM });
    // Nothing listens on port 9 of loopback: every attempt is refused at once.
    const down = smtpMailer({ host: '127.0.0.1', port: 9, tls: 'none', from: FROM });
    mailer = {
      send: (message) => (smtpUp ? up : down).send(message),
      async close() {
        await up.close();
        await down.close();
      },
    };
  }, 180_000);
  afterAll(async () => {
    for (const notifier of notifiers) await notifier.idle();
    await mailer?.close();
    await t?.close();
  });

  it('SMTP down: the message stays queued with its attempt and next time; SMTP back: the job sends it once', async () => {
    const user = await confirmedUser();
    const app = processNotifier(true);
    smtpUp = false;
    try {
      await app.notifyUser(user, 'password_changed', { login: user.login }, { dedupeKey: `down:${user.id}` });
      await app.idle(); // the fast path tried once and failed
    } finally {
      smtpUp = true;
    }
    const queued = await t.store.notifications.findByDedupeKey({ dedupeKey: `down:${user.id}` });
    expect(queued).toMatchObject({
      status: 'queued',
      attempts: 1,
      channel: 'email',
      address: user.login,
      userId: user.id,
      template: 'password_changed',
    });
    expect(queued?.lastError).toBeTruthy();
    expect(queued?.nextAttemptAt?.getTime()).toBe(t.clock.now().getTime() + 10_000);
    expect(queued?.text).toContain(user.login);

    const job = processNotifier(false);
    expect(await job.deliverDue()).toBe(0); // not due yet
    expect(mailsTo(user.login)).toHaveLength(0);

    t.clock.advance(10_000);
    expect(await job.deliverDue()).toBeGreaterThanOrEqual(1);
    expect(mailsTo(user.login)).toHaveLength(1);
    expect(mailsTo(user.login)[0]?.subject).toMatch(/password/i);
    const sent = await t.store.notifications.findByDedupeKey({ dedupeKey: `down:${user.id}` });
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, nextAttemptAt: null, text: '', html: '' });
    expect(sent?.sentAt).toEqual(t.clock.now());

    t.clock.advance(60 * 60_000);
    await job.deliverDue();
    expect(mailsTo(user.login)).toHaveLength(1);
  });

  it('two delivery jobs running at once send each message once', async () => {
    const users = [await confirmedUser(), await confirmedUser(), await confirmedUser()];
    const crashed = processNotifier(false); // queues only: its process "dies" before sending
    for (const user of users) await crashed.notifyUser(user, 'password_changed', { login: user.login });
    const [a, b] = [processNotifier(false), processNotifier(false)];
    const claimed = await Promise.all([a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()]);
    expect(claimed.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(users.length);
    for (const user of users) expect(mailsTo(user.login)).toHaveLength(1);
    await a.deliverDue();
    for (const user of users) expect(mailsTo(user.login)).toHaveLength(1);
  });

  it('a message whose sender died mid-send (lease held) is sent again once the lease expires', async () => {
    const user = await confirmedUser();
    await processNotifier(false).notifyUser(
      user,
      'password_changed',
      { login: user.login },
      {
        dedupeKey: `lease:${user.id}`,
      },
    );
    const queued = await t.store.notifications.findByDedupeKey({ dedupeKey: `lease:${user.id}` });
    if (!queued) throw new Error('not queued');
    const now = t.clock.now();
    const leased = await t.store.notifications.claim({
      id: queued.id,
      now,
      leaseUntil: new Date(now.getTime() + 120_000),
      leaseToken: 'dead-process',
    });
    expect(leased).toMatchObject({ status: 'sending', attempts: 1 });

    const job = processNotifier(false);
    await job.deliverDue();
    expect(mailsTo(user.login)).toHaveLength(0); // still held by the dead process
    t.clock.advance(120_000);
    await job.deliverDue();
    expect(mailsTo(user.login)).toHaveLength(1);
    // The dead process's late mark does not count: its lease is gone.
    expect(
      await t.store.notifications.markSent({ id: queued.id, leaseToken: 'dead-process', now: t.clock.now() }),
    ).toBe(false);
    expect(await t.store.notifications.get({ id: queued.id })).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('an outbox dispatcher re-run over the same event queues nothing twice', async () => {
    const merchant = await t.createMerchant();
    const owner = await confirmedUser({ accountType: 'merchant', role: 'owner', merchantId: merchant.id });
    const event: OutboxEvent = {
      id: `evt_durable_${owner.id}`,
      merchantId: merchant.id,
      mode: 'live',
      type: 'payment.succeeded',
      objectId: 'pay_durable',
      data: { object: { id: 'pay_durable', amount: 1500, currency: 'EUR', customer: null } },
      createdAt: t.clock.now(),
    };
    // A duplicate must be a quiet no-op, not a failed write that happens to send nothing.
    const errors: unknown[] = [];
    const logger: Logger = { ...silentLogger, error: (obj: object) => errors.push(obj), child: () => logger };
    const app = processNotifier(true, logger);
    expect(await notifyForEvent({ store: t.store, notifier: app, event })).toBe(1);
    expect(await notifyForEvent({ store: t.store, notifier: app, event })).toBe(1);
    await app.idle();
    const queued = await t.store.notifications.findByDedupeKey({
      dedupeKey: `${event.id}:${owner.id}:merchant_new_payment`,
    });
    expect(queued).toMatchObject({ status: 'sent', userId: owner.id, attempts: 1 });
    t.clock.advance(60_000);
    await processNotifier(false).deliverDue();
    const toOwner = mailsTo(owner.login);
    expect(toOwner).toHaveLength(1);
    expect(toOwner[0]?.subject).toContain('pay_durable');
    expect(errors).toEqual([]);
  });

  it('gives up after 24 hours of failures and marks the message failed, body erased', async () => {
    const user = await confirmedUser();
    const job = processNotifier(false);
    await job.notifyUser(
      user,
      'password_changed',
      { login: user.login },
      { dedupeKey: `give-up:${user.id}` },
    );
    smtpUp = false;
    try {
      for (let i = 0; i < 40; i++) {
        await job.deliverDue();
        const current = await t.store.notifications.findByDedupeKey({ dedupeKey: `give-up:${user.id}` });
        if (current?.status !== 'queued' || !current.nextAttemptAt) break;
        t.clock.advance(current.nextAttemptAt.getTime() - t.clock.now().getTime());
      }
    } finally {
      smtpUp = true;
    }
    const failed = await t.store.notifications.findByDedupeKey({ dedupeKey: `give-up:${user.id}` });
    expect(failed).toMatchObject({ status: 'failed', nextAttemptAt: null, text: '', html: '' });
    expect(failed?.attempts).toBeGreaterThan(5);
    expect(failed!.updatedAt.getTime() - failed!.createdAt.getTime()).toBeLessThanOrEqual(24 * 60 * 60_000);
    expect(mailsTo(user.login)).toHaveLength(0);
  });
});
