import { PayrailError, type Store, type User } from '@payrail/core';

/** Payments that count as real for a buyer: test-mode payments are a merchant's rehearsal. */
export const BUYER_MODE = 'live' as const;

/** The buyer routes are for buyer accounts; any other account type is refused. */
export function requireBuyer(user: User): User {
  if (user.accountType !== 'buyer') {
    throw new PayrailError('PAYRAIL_ERR_FORBIDDEN', {
      message: 'The buyer account routes are for buyer accounts.',
    });
  }
  return user;
}

/**
 * The contact whose payments the buyer sees: the email login, once confirmed by its link. A payment's
 * customer has only an email and a phone, and Payrail confirms neither a phone nor (for Telegram-login
 * buyers) an email, so a buyer without a confirmed email login matches nothing (null).
 */
export function buyerEmailOf(user: User): string | null {
  return user.loginKind === 'email' && user.emailConfirmedAt !== null ? user.login.toLowerCase() : null;
}

/**
 * The one buyer whose payments are those made with `email` (payment notifications): the buyer who
 * confirmed it as a contact, else the buyer whose confirmed email login it is — the same rule as
 * buyerEmailsOf, so the buyer notified is the buyer who sees the payment.
 */
export async function buyerOfEmail(store: Store, email: string): Promise<User | null> {
  const lowered = email.trim().toLowerCase();
  const contact = await store.buyerContacts.getByEmail({ email: lowered });
  if (contact) {
    const holder = await store.users.get({ id: contact.userId });
    return holder?.accountType === 'buyer' ? holder : null;
  }
  const loginHolder = await store.users.findByLogin({ login: lowered });
  return loginHolder?.accountType === 'buyer' && buyerEmailOf(loginHolder) === lowered ? loginHolder : null;
}
