import type { Mode } from '../payments';

/**
 * Queries that find payments across merchants by the buyer's contact, for the buyer account. The contact
 * is a CONFIRMED email address of a buyer user; the caller (never the store) decides that it is confirmed.
 * Matching is case-insensitive: `email` is compared lower-cased with the payment's `customer.email`.
 */
export interface CustomerContactFilter {
  /** The buyer's confirmed email address. */
  email: string;
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
