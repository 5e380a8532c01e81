import { type BuyerContact, PayrailError, type Store, type User } from '@payrail/core';
import type { FastifyRequest } from 'fastify';
import { audit } from '../audit';
import type { AccountsDeps } from '../deps';
import { consumeToken, issueToken } from '../one-time-tokens';
import { buyerEmailOf, requireBuyer } from './buyer-contact';

/** Enough for a person's addresses; a list this short keeps the payment query one indexed lookup. */
export const MAX_BUYER_CONTACTS = 5;

/**
 * Every confirmed address whose payments are the buyer's: the email login once confirmed, and the
 * contacts confirmed by their links (how a Telegram-login buyer sees payments at all). One address, one
 * buyer: a login that is another buyer's confirmed contact (registered after that contact was confirmed)
 * does not count until that buyer removes the contact.
 */
export async function buyerEmailsOf(store: Store, user: User): Promise<string[]> {
  const login = buyerEmailOf(user);
  const contacts = await store.buyerContacts.listByUser({ userId: user.id });
  const loginHolder = login === null ? null : await store.buyerContacts.getByEmail({ email: login });
  const loginCounts = login !== null && (loginHolder === null || loginHolder.userId === user.id);
  return [...new Set([...(loginCounts ? [login] : []), ...contacts.map((c) => c.email)])];
}

/**
 * Mails a single-use confirmation link to `email`. The answer never tells whether the address is
 * someone else's: that is checked when the link is used, by whoever controls the mailbox.
 */
export async function requestBuyerContact(deps: AccountsDeps, user: User, rawEmail: string) {
  const { store, clock, options } = deps;
  requireBuyer(user);
  const email = rawEmail.trim().toLowerCase();
  if (email === buyerEmailOf(user)) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'email',
      message: 'This address is your confirmed login already: its payments are shown.',
    });
  }
  const contacts = await store.buyerContacts.listByUser({ userId: user.id });
  if (contacts.some((c) => c.email === email)) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'email',
      message: 'This address is one of your confirmed contacts already.',
    });
  }
  if (contacts.length >= MAX_BUYER_CONTACTS) {
    throw new PayrailError('PAYRAIL_ERR_VALIDATION', {
      param: 'email',
      message: `A buyer account holds at most ${MAX_BUYER_CONTACTS} contact emails; remove one first.`,
    });
  }
  const now = clock.now();
  const { token, expiresAt } = await issueToken(store, {
    purpose: 'contact_confirmation',
    userId: user.id,
    now,
    ttlMs: options.emailConfirmationTtlMs,
    data: { email },
  });
  const link = `${options.accountUrl}/account/confirm-contact?token=${encodeURIComponent(token)}`;
  // To the address being confirmed, not to the buyer's usual channel.
  void options.notifier.send({ channel: 'email', address: email }, user.locale, 'contact_confirmation', {
    email,
    link,
  });
  return { email, expiresAt };
}

/**
 * Confirms a contact with the token from its link. One buyer per address: an address that is another
 * buyer's confirmed email login or contact is refused (409), so a payment is never shown to two buyers.
 */
export async function confirmBuyerContact(
  deps: AccountsDeps,
  request: FastifyRequest,
  token: string,
): Promise<BuyerContact> {
  const { store, clock } = deps;
  const now = clock.now();
  const record = await consumeToken(store, { purpose: 'contact_confirmation', token, now, param: 'token' });
  const email = typeof record.data.email === 'string' ? record.data.email : '';
  const user = await store.users.get({ id: record.userId });
  if (user?.accountType !== 'buyer' || email === '') {
    throw new PayrailError('PAYRAIL_ERR_TOKEN_INVALID', { param: 'token' });
  }
  const loginHolder = await store.users.findByLogin({ login: email });
  const heldByOtherBuyer =
    loginHolder !== null &&
    loginHolder.id !== user.id &&
    loginHolder.accountType === 'buyer' &&
    buyerEmailOf(loginHolder) !== null;
  const inserted = heldByOtherBuyer
    ? ({ ok: false, reason: 'email_taken' } as const)
    : await store.buyerContacts.insert({ contact: { email, userId: user.id, confirmedAt: now } });
  if (!inserted.ok) throw new PayrailError('PAYRAIL_ERR_CONTACT_TAKEN', { param: 'token' });
  await audit(store, request, now, user, 'buyer_contact.confirmed', { email });
  return inserted.contact;
}

/** Removes one of the buyer's contacts: its payments are no longer shown. Not theirs: 404. */
export async function removeBuyerContact(
  deps: AccountsDeps,
  request: FastifyRequest,
  user: User,
  rawEmail: string,
) {
  const email = rawEmail.trim().toLowerCase();
  const removed = await deps.store.buyerContacts.delete({ userId: user.id, email });
  if (!removed) {
    throw new PayrailError('PAYRAIL_ERR_NOT_FOUND', {
      param: 'email',
      message: `No confirmed contact ${email.slice(0, 254)} on your account.`,
    });
  }
  await audit(deps.store, request, deps.clock.now(), user, 'buyer_contact.removed', { email });
}

export function buyerContactResource(contact: BuyerContact) {
  return {
    object: 'buyer_contact' as const,
    email: contact.email,
    confirmed_at: contact.confirmedAt.toISOString(),
  };
}
