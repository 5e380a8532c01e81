import type { Payment, Store } from '@payrail/core';
import type { PostgresStore } from '@payrail/store-postgres';
import { makeMerchant, makePayment } from '@payrail/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser } from '../../src/accounts/user-record';
import { createStore, type StoreKind } from '../helpers/test-app';

/** The buyer account's store queries: payments by customer email across merchants, on every adapter. */
describe.each<StoreKind>(['pglite', 'postgres', 'mongodb'])('payments by customer contact on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await createStore(kind));
  }, 180_000);
  afterAll(async () => {
    await cleanup?.();
  });

  let counter = 0;
  async function merchant() {
    const m = makeMerchant();
    await store.merchants.create({ merchant: m, apiKeys: [] });
    return m.id;
  }
  /** Inserts a payment created `counter` ms later than the previous one (ids sort by creation). */
  async function payment(merchantId: string, overrides: Partial<Payment> = {}): Promise<Payment> {
    const p = makePayment({
      merchantId,
      createdAt: new Date(Date.now() + counter++),
      ...overrides,
    });
    await store.payments.insert({ payment: p, events: [] });
    return p;
  }
  const uniqueEmail = (name: string) => `${name}.${kind}.${Date.now().toString(36)}${counter++}@example.com`;

  it('finds live payments of every merchant whose customer email matches, case-insensitively, newest first', async () => {
    const [m1, m2] = [await merchant(), await merchant()];
    const email = uniqueEmail('ann');
    const first = await payment(m1, { mode: 'live', customer: { email: email.toUpperCase() } });
    await payment(m1, { mode: 'test', customer: { email } }); // test mode: not a real payment
    await payment(m2, { mode: 'live', customer: { email: uniqueEmail('bob') } });
    await payment(m2, { mode: 'live', customer: { phone: '+15550100' } });
    await payment(m2, { mode: 'live', customer: null });
    const second = await payment(m2, { mode: 'live', customer: { id: 'c-2', email } });

    const page = await store.payments.listByCustomerContact({ emails: [email], mode: 'live', limit: 10 });
    expect(page.data.map((p) => p.id)).toEqual([second.id, first.id]);
    expect(page.hasMore).toBe(false);
    // The stored payment comes back unchanged (no lookup key leaks into the domain object).
    expect(page.data[1]).toEqual(first);
    const mixedCase = await store.payments.listByCustomerContact({
      emails: [email.replace('ann', 'ANN')],
      mode: 'live',
      limit: 10,
    });
    expect(mixedCase.data).toHaveLength(2);

    const one = await store.payments.listByCustomerContact({ emails: [email], mode: 'live', limit: 1 });
    expect(one).toMatchObject({ hasMore: true, data: [{ id: second.id }] });
    const next = await store.payments.listByCustomerContact({
      emails: [email],
      mode: 'live',
      limit: 1,
      startingAfter: second.id,
    });
    expect(next).toMatchObject({ hasMore: false, data: [{ id: first.id }] });
    expect(
      (
        await store.payments.listByCustomerContact({
          emails: [uniqueEmail('nobody')],
          mode: 'live',
          limit: 10,
        })
      ).data,
    ).toEqual([]);
  });

  it('a committed change keeps the payment findable', async () => {
    const m = await merchant();
    const email = uniqueEmail('carol');
    const p = await payment(m, { mode: 'live', customer: { email } });
    const changed = await store.payments.commit({
      payment: { ...p, status: 'failed', version: 2 },
      expectedVersion: 1,
    });
    expect(changed.ok).toBe(true);
    const page = await store.payments.listByCustomerContact({ emails: [email], mode: 'live', limit: 10 });
    expect(page.data.map((x) => [x.id, x.status])).toEqual([[p.id, 'failed']]);
  });

  it('lists the distinct merchant customer ids paid with the email', async () => {
    const [m1, m2] = [await merchant(), await merchant()];
    const email = uniqueEmail('dave');
    await payment(m1, { mode: 'live', customer: { id: 'cus-a', email } });
    await payment(m1, { mode: 'live', customer: { id: 'cus-a', email: email.toUpperCase() } });
    await payment(m2, { mode: 'live', customer: { id: 'cus-b', email } });
    await payment(m2, { mode: 'live', customer: { email } }); // no customer id
    await payment(m2, { mode: 'test', customer: { id: 'cus-test', email } });
    await payment(m2, { mode: 'live', customer: { id: 'cus-other', email: uniqueEmail('eve') } });

    const refs = await store.payments.customerRefsByContact({ emails: [email], mode: 'live', limit: 10 });
    const expected = [
      { merchantId: m1, customerId: 'cus-a' },
      { merchantId: m2, customerId: 'cus-b' },
    ].sort((a, b) => a.merchantId.localeCompare(b.merchantId));
    expect(refs).toEqual(expected);
    expect(
      await store.payments.customerRefsByContact({ emails: [email], mode: 'live', limit: 1 }),
    ).toHaveLength(1);
  });

  it('matches any of several emails (a buyer login and contacts) in one list', async () => {
    const m = await merchant();
    const [login, contact] = [uniqueEmail('fay'), uniqueEmail('fay-contact')];
    const a = await payment(m, { mode: 'live', customer: { id: 'cus-l', email: login } });
    const b = await payment(m, { mode: 'live', customer: { id: 'cus-c', email: contact.toUpperCase() } });
    await payment(m, { mode: 'live', customer: { email: uniqueEmail('gus') } });
    const page = await store.payments.listByCustomerContact({
      emails: [login, contact],
      mode: 'live',
      limit: 10,
    });
    expect(page.data.map((p) => p.id)).toEqual([b.id, a.id]);
    const refs = await store.payments.customerRefsByContact({
      emails: [login, contact],
      mode: 'live',
      limit: 10,
    });
    expect(refs.map((r) => r.customerId).sort()).toEqual(['cus-c', 'cus-l']);
    expect(
      (await store.payments.listByCustomerContact({ emails: [], mode: 'live', limit: 10 })).data,
    ).toEqual([]);
  });

  it('keeps one buyer per confirmed contact address', async () => {
    const now = new Date();
    const users = [0, 1].map(() => {
      const u = newUser(
        {
          accountType: 'buyer',
          role: 'buyer',
          merchantId: null,
          login: `@contact_${kind}_${Date.now().toString(36)}${counter++}`,
          loginKind: 'telegram',
          passwordHash: 'x',
          locale: 'en',
        },
        now,
      );
      return u;
    });
    for (const user of users) expect((await store.users.insert({ user })).ok).toBe(true);
    const [first, second] = users as [(typeof users)[0], (typeof users)[0]];
    const email = uniqueEmail('shared');
    const added = await store.buyerContacts.insert({
      contact: { email: email.toUpperCase(), userId: first.id, confirmedAt: now },
    });
    expect(added).toEqual({ ok: true, contact: { email, userId: first.id, confirmedAt: now } });
    // The same buyer again: still theirs, unchanged; another buyer: taken.
    expect(
      await store.buyerContacts.insert({ contact: { email, userId: first.id, confirmedAt: new Date() } }),
    ).toEqual(added);
    expect(
      await store.buyerContacts.insert({ contact: { email, userId: second.id, confirmedAt: now } }),
    ).toEqual({ ok: false, reason: 'email_taken' });
    const other = uniqueEmail('another');
    await store.buyerContacts.insert({ contact: { email: other, userId: first.id, confirmedAt: now } });
    expect((await store.buyerContacts.listByUser({ userId: first.id })).map((c) => c.email)).toEqual(
      [email, other].sort(),
    );
    expect(await store.buyerContacts.listByUser({ userId: second.id })).toEqual([]);
    // The holder of an address, found by the address in any case (payment notifications).
    expect(await store.buyerContacts.getByEmail({ email: email.toUpperCase() })).toEqual(
      added.ok && added.contact,
    );
    expect(await store.buyerContacts.getByEmail({ email: uniqueEmail('nobody') })).toBeNull();
    expect(await store.buyerContacts.delete({ userId: second.id, email })).toBe(false);
    expect(await store.buyerContacts.delete({ userId: first.id, email: email.toUpperCase() })).toBe(true);
    expect(await store.buyerContacts.delete({ userId: first.id, email })).toBe(false);
    expect(await store.buyerContacts.getByEmail({ email })).toBeNull();
    // Freed: now the second buyer may confirm it.
    expect(
      (await store.buyerContacts.insert({ contact: { email, userId: second.id, confirmedAt: now } })).ok,
    ).toBe(true);
  });

  it("a buyer's payment notification choices round-trip on the user record (absent: null)", async () => {
    const user = newUser(
      {
        accountType: 'buyer',
        role: 'buyer',
        merchantId: null,
        login: uniqueEmail('prefs'),
        loginKind: 'email',
        passwordHash: 'x',
        locale: 'en',
      },
      new Date(),
    );
    expect((await store.users.insert({ user })).ok).toBe(true);
    expect((await store.users.get({ id: user.id }))?.paymentNotifications ?? null).toBeNull();
    const choices = { succeeded: 'none', declined: 'telegram', refunded: 'email' } as const;
    const updated = await store.users.update({
      user: { ...user, paymentNotifications: choices, version: user.version },
      expectedVersion: user.version,
    });
    expect(updated.ok).toBe(true);
    expect((await store.users.get({ id: user.id }))?.paymentNotifications).toEqual(choices);
  });

  if (kind !== 'mongodb') {
    it('the query uses the expression index of migration 0012', async () => {
      const { pool } = store as PostgresStore;
      const client = await pool.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const plan = await client.query(
          `EXPLAIN SELECT * FROM payments WHERE lower(customer->>'email') = $1 AND mode = $2
             AND customer->>'email' IS NOT NULL ORDER BY id DESC LIMIT 21`,
          ['a@example.com', 'live'],
        );
        const text = plan.rows.map((r: Record<string, string>) => Object.values(r)[0]).join('\n');
        expect(text).toContain('payments_customer_email_idx');
      } finally {
        await client.query('RESET enable_seqscan');
        client.release();
      }
    });
  } else {
    it('migrate() gives payments written before the index their lookup key', async () => {
      const mongo = store as unknown as import('@payrail/store-mongodb').MongoStore;
      const m = await merchant();
      const email = uniqueEmail('old');
      const p = await payment(m, { mode: 'live', customer: { email: email.toUpperCase() } });
      const payments = mongo.client.db(mongo.dbName).collection('payments');
      // As an older version left it: no key, and no index yet.
      await payments.updateMany({ id: p.id }, { $unset: { customerEmailKey: '' } });
      await payments.dropIndex('payments_customer_email');
      expect(
        (await store.payments.listByCustomerContact({ emails: [email], mode: 'live', limit: 10 })).data,
      ).toEqual([]);
      await store.migrate();
      const page = await store.payments.listByCustomerContact({ emails: [email], mode: 'live', limit: 10 });
      expect(page.data.map((x) => x.id)).toEqual([p.id]);
      expect(await payments.indexExists('payments_customer_email')).toBe(true);
    });
  }
});
