import type { Mode } from '../payments';

/**
 * Queries that find payments across merchants by the buyer's contact, for the buyer account. The contact
 * is a CONFIRMED email address of a buyer user; the caller (never the store) decides that it is confirmed.
 * Matching is case-insensitive: each of `emails` is compared lower-cased with the payment's `customer.email`.
 */
export interface CustomerContactFilter {
  /** The buyer's confirmed email addresses (login and contacts); a payment matching any of them counts. */
  emails: readonly string[];
  mode: Mode;
}

export interface CustomerContactListArgs extends CustomerContactFilter {
  /** 1–100. */
  limit: number;
  /** Cursor: an id from the previous page; the next page holds older payments. */
  startingAfter?: string;
}

/** A merchant's own customer id seen on a payment made with the contact (saved cards belong to it). */
export interface MerchantCustomerRef {
  merchantId: string;
  customerId: string;
}

/**
 * An email address a buyer added to the account and confirmed by its mailed link, so payments made with
 * it count as theirs (e.g. for a buyer who logs in with Telegram). One buyer per address: `email` (lower
 * case) is unique across buyers.
 */
export interface BuyerContact {
  email: string;
  userId: string;
  confirmedAt: Date;
}

export type BuyerContactInsertResult =
  | { ok: true; contact: BuyerContact }
  /** Another buyer confirmed this address first. */
  | { ok: false; reason: 'email_taken' };

export interface BuyerContactRepository {
  /** Adds a confirmed contact; the same buyer confirming it again keeps the first record (ok). */
  insert(args: { contact: BuyerContact }): Promise<BuyerContactInsertResult>;
  /** The buyer's contacts, by address. */
  listByUser(args: { userId: string }): Promise<BuyerContact[]>;
  /** Who confirmed this address as a contact (case-insensitive; one indexed lookup), or null. */
  getByEmail(args: { email: string }): Promise<BuyerContact | null>;
  /** Removes one of the buyer's contacts; false when the buyer had no such contact. */
  delete(args: { userId: string; email: string }): Promise<boolean>;
}
