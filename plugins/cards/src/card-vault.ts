import {
  type CardInput,
  type Clock,
  type Mode,
  newId,
  PayrailError,
  type StoredCard,
  type StoredCardRepository,
} from '@payrail/core';
import { cardFingerprint } from './fingerprint';
import { validateCard } from './validate-card';
import type { SealedPan, VaultKeyRing } from './vault-keys';

/**
 * Records other than saved cards whose PAN the vault sealed (issuers' enrolments, bound to their own
 * ids): `rotate` re-seals them too. Same contract as the stored-card repository's methods of these names.
 */
export interface SealedPanSource {
  listSealedWithOtherKey(args: {
    keyId: string;
    limit: number;
    startingAfter?: string;
  }): Promise<{ id: string; keyId: string; panCiphertext: string }[]>;
  reseal(args: { id: string; expectedKeyId: string; keyId: string; panCiphertext: string }): Promise<boolean>;
}

export interface CardVaultOptions {
  keys: VaultKeyRing;
  storedCards: StoredCardRepository;
  /** Other sealed records `rotate` covers after the saved cards (the server passes `store.issuers`). */
  alsoRotate?: readonly SealedPanSource[];
  /** The same key as the cards plugin's `fingerprintKey`, so a saved card and its payments match. */
  fingerprintKey: string | Buffer;
  clock: Clock;
  luhnValidateUnionPay?: boolean;
}

export interface RotationReport {
  /** Cards now sealed under the newest key. */
  resealed: number;
  /** Cards another run resealed (or deleted) first: nothing to do. */
  skipped: number;
  /** Cards that could not be opened (their key is missing or the record fails its integrity check). */
  failed: { id: string; code: string; message: string }[];
  keyId: string;
}

const unavailable = () =>
  new PayrailError('PAYRAIL_ERR_PAYMENT_METHOD_INVALID', {
    param: 'payment_method',
    message: 'This saved card was deleted; enter the card details instead.',
  });

/**
 * The card vault: PANs of saved cards sealed with AES-256-GCM (bound to the card's id) under the newest
 * configured key. It is the only code that turns a stored card back into a number, and only to hand it
 * to the acquirer together with the CVC the buyer has just typed (which is never stored).
 */
export class CardVault {
  readonly #options: CardVaultOptions;

  constructor(options: CardVaultOptions) {
    this.#options = options;
  }

  get currentKeyId(): string {
    return this.#options.keys.currentKeyId;
  }

  /** Validates and saves a card for a merchant's customer; the same card saved again is the same record. */
  async save(args: {
    merchantId: string;
    mode: Mode;
    customerId: string;
    card: CardInput;
  }): Promise<StoredCard> {
    const valid = validateCard(args.card, {
      now: this.#options.clock.now(),
      luhnValidateUnionPay: this.#options.luhnValidateUnionPay ?? true,
    });
    const now = this.#options.clock.now();
    const id = newId('paymentMethod', now.getTime());
    const sealed = this.#options.keys.seal(valid.pan, id);
    return this.#options.storedCards.save({
      card: {
        id,
        merchantId: args.merchantId,
        mode: args.mode,
        customerId: args.customerId,
        panCiphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        fingerprint: cardFingerprint(valid.pan, this.#options.fingerprintKey),
        brand: valid.brand,
        first6: valid.pan.slice(0, 6),
        last4: valid.pan.slice(-4),
        expMonth: valid.expMonth,
        expYear: valid.expYear,
        createdAt: now,
        deletedAt: null,
      },
    });
  }

  /**
   * Seals a PAN for another record than a saved card (an issuer's enrolment), bound to that record's id:
   * the ciphertext opens only with that id. The caller validated the number.
   */
  sealPan(pan: string, boundTo: string): SealedPan {
    return this.#options.keys.seal(pan, boundTo);
  }

  /** The card fingerprint under the same key as the cards plugin's, so records and payments match. */
  fingerprintOf(pan: string): string {
    return cardFingerprint(pan, this.#options.fingerprintKey);
  }

  /**
   * The card input for a one-click payment: the stored number and expiry with the CVC the buyer just
   * entered. Lives only in memory for the provider call.
   */
  cardInput(card: StoredCard, cvc: string): CardInput {
    if (card.deletedAt !== null || card.panCiphertext === '') throw unavailable();
    const number = this.#options.keys.open({ keyId: card.keyId, ciphertext: card.panCiphertext }, card.id);
    return { type: 'card', number, expMonth: card.expMonth, expYear: card.expYear, cvc };
  }

  /**
   * Re-seals every live card (then every record of `alsoRotate`) under the newest key. Resumable and safe to run twice or concurrently: it
   * only ever looks at cards still sealed under another key, and each write is compare-and-set on the
   * key id it read, so a card resealed by another run is skipped, never overwritten.
   */
  async rotate(args: { batchSize?: number } = {}): Promise<RotationReport> {
    const { keys, storedCards, alsoRotate = [] } = this.#options;
    const report: RotationReport = { resealed: 0, skipped: 0, failed: [], keyId: keys.currentKeyId };
    for (const source of [storedCards, ...alsoRotate])
      await this.#rotateSource(source, report, args.batchSize);
    return report;
  }

  async #rotateSource(source: SealedPanSource, report: RotationReport, batchSize?: number): Promise<void> {
    const { keys } = this.#options;
    const keyId = report.keyId;
    let after: string | undefined;
    for (;;) {
      const batch = await source.listSealedWithOtherKey({
        keyId,
        limit: batchSize ?? 100,
        ...(after ? { startingAfter: after } : {}),
      });
      if (batch.length === 0) return;
      for (const card of batch) {
        let panCiphertext: string;
        try {
          panCiphertext = keys.rotate(
            { keyId: card.keyId, ciphertext: card.panCiphertext },
            card.id,
          ).ciphertext;
        } catch (error) {
          const e = error instanceof PayrailError ? error : new PayrailError('PAYRAIL_ERR_INTERNAL');
          report.failed.push({ id: card.id, code: e.code, message: e.message });
          continue;
        }
        const done = await source.reseal({
          id: card.id,
          expectedKeyId: card.keyId,
          keyId,
          panCiphertext,
        });
        if (done) report.resealed++;
        else report.skipped++;
      }
      // Failed cards stay under their old key: the cursor moves past them so the run ends.
      after = batch.at(-1)!.id;
    }
  }
}

/** What a merchant (and the buyer's page) may see of a saved card: never more than first 6 / last 4. */
export function storedCardResource(card: StoredCard) {
  return {
    id: card.id,
    object: 'payment_method' as const,
    type: 'card' as const,
    livemode: card.mode === 'live',
    customer_id: card.customerId,
    card: {
      brand: card.brand,
      first6: card.first6,
      last4: card.last4,
      exp_month: card.expMonth,
      exp_year: card.expYear,
    },
    created_at: card.createdAt.toISOString(),
  };
}

export type StoredCardResource = ReturnType<typeof storedCardResource>;
