import type { Mode } from '../payments';

/**
 * A card a buyer agreed to save for a merchant's customer (one-click payments). The PAN exists here only
 * as AES-256-GCM ciphertext; what may be shown is brand, first 6, last 4 and expiry. Never a CVC.
 */
export interface StoredCard {
  /** `pm_…`, also the additional authenticated data of the ciphertext (it opens on this record only). */
  id: string;
  merchantId: string;
  mode: Mode;
  /** The merchant's own customer id. */
  customerId: string;
  /** base64url of iv ‖ ciphertext ‖ tag; empty once the card is deleted (crypto-shredded). */
  panCiphertext: string;
  /** Id of the vault key that sealed `panCiphertext`. */
  keyId: string;
  /** Keyed HMAC of the PAN: the same card saved twice for a customer is one record. */
  fingerprint: string;
  brand: string;
  first6: string;
  last4: string;
  expMonth: number;
  expYear: number;
  createdAt: Date;
  deletedAt: Date | null;
}

export interface StoredCardScope {
  merchantId: string;
  mode: Mode;
}

export interface StoredCardRepository {
  /**
   * Saves a card, atomically deduplicated: if the customer already has a live card with the same
   * fingerprint, nothing is written and that card is returned.
   */
  save(args: { card: StoredCard }): Promise<StoredCard>;
  /** A live card of this merchant and mode, or null (another merchant's card is simply not found). */
  get(args: StoredCardScope & { id: string }): Promise<StoredCard | null>;
  /** The customer's live cards, oldest first. */
  listByCustomer(args: StoredCardScope & { customerId: string }): Promise<StoredCard[]>;
  /** Marks the card deleted and erases its ciphertext. False if there was no live card to delete. */
  delete(args: StoredCardScope & { id: string; deletedAt: Date }): Promise<boolean>;
  /** Live cards not sealed under `keyId`, in id order after `startingAfter` (`payrail vault rotate`). */
  listSealedWithOtherKey(args: {
    keyId: string;
    limit: number;
    startingAfter?: string;
  }): Promise<StoredCard[]>;
  /**
   * Replaces the ciphertext if the card is live and still sealed under `expectedKeyId` (compare-and-set,
   * so two rotations running at once cannot overwrite each other). False if nothing was replaced.
   */
  reseal(args: { id: string; expectedKeyId: string; keyId: string; panCiphertext: string }): Promise<boolean>;
  /** Records that a payment is to be paid with a stored card (one-click); set once per payment. */
  attachToPayment(args: { paymentId: string; storedCardId: string }): Promise<void>;
  /** The stored card a payment is to be paid with, if any (also when the card was deleted since). */
  forPayment(args: { paymentId: string }): Promise<StoredCard | null>;
}
