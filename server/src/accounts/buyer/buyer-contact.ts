import { PayrailError, type User } from '@payrail/core';

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
