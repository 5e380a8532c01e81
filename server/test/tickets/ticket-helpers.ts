import { createHash, randomBytes } from 'node:crypto';
import type { AccountType, UserRole } from '@payrail/core';
import { makePayment } from '@payrail/testkit';
import { hashPassword } from '../../src/accounts/password-hashing';
import { newUser } from '../../src/accounts/user-record';
import { type AccountsTestApp, STRONG_PASSWORD, uniqueEmail } from '../accounts/helpers';

/**
 * A confirmed, logged-in user of any role, inserted directly (merchant staff are otherwise invited by
 * mail, issuers created by the PSP): the permission tests need one browser per role.
 */
export async function loggedInUser(
  t: AccountsTestApp,
  fields: { accountType: AccountType; role: UserRole; merchantId?: string | null; locale?: string },
) {
  const now = t.clock.now();
  const email = uniqueEmail(fields.role);
  const user = newUser(
    {
      accountType: fields.accountType,
      role: fields.role,
      merchantId: fields.merchantId ?? null,
      login: email,
      loginKind: 'email',
      passwordHash: await hashPassword(STRONG_PASSWORD),
      locale: fields.locale ?? 'en',
    },
    now,
  );
  const inserted = await t.store.users.insert({ user: { ...user, emailConfirmedAt: now } });
  if (!inserted.ok) throw new Error('login taken');
  const browser = t.browser();
  const login = await browser.post('/v1/auth/login', { login: email, password: STRONG_PASSWORD });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.rawBody}`);
  return { browser, email, user: { id: user.id } };
}

/** A payment of the merchant, written straight to the store (tickets only link to it). */
export async function paymentOf(t: AccountsTestApp, merchantId: string): Promise<string> {
  const payment = makePayment({ merchantId });
  await t.store.payments.insert({ payment, events: [] });
  return payment.id;
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Bytes that start with the type's magic number (what the server checks), then random filler. */
export function fileOf(type: 'png' | 'jpeg' | 'pdf', size: number): Buffer {
  const magic = {
    png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    pdf: Buffer.from('%PDF-1.7\n'),
  }[type];
  return Buffer.concat([magic, randomBytes(size - magic.length)]);
}

export const attachment = (filename: string, contentType: string, data: Buffer) => ({
  filename,
  content_type: contentType,
  data: data.toString('base64'),
});
