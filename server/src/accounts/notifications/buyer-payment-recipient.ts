import type { PaymentNotificationPreferences, User } from '@payrail/core';
import { type Recipient, recipientOf } from './notifier';

export type BuyerPaymentNotice = keyof PaymentNotificationPreferences;

/**
 * Where a buyer hears of one kind of payment event: nowhere when they chose `none`; the chosen channel
 * when it is usable (a bound Telegram id; for email the confirmed email login, else the confirmed contact
 * address the payment was made with, `contactEmail`); otherwise — no choice made, or the chosen channel
 * is gone (Telegram unbound since) — the account's usual channel.
 */
export function buyerPaymentRecipient(
  user: User,
  notice: BuyerPaymentNotice,
  contactEmail?: string,
): Recipient | null {
  const choice = user.paymentNotifications?.[notice];
  if (choice === 'none') return null;
  if (choice === 'telegram' && user.telegramId) return { channel: 'telegram', chatId: user.telegramId };
  if (choice === 'email' && user.loginKind === 'email' && user.emailConfirmedAt) {
    return { channel: 'email', address: user.login };
  }
  if (choice === 'email' && contactEmail) return { channel: 'email', address: contactEmail };
  return recipientOf(user);
}
