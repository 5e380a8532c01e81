import { setTimeout as sleep } from 'node:timers/promises';
import { PayrailError, type StoredCard, type StoredCardRepository } from '@payrail/core';
import type { Collections } from '../collections';
import type { StoredCardDoc } from '../documents';
import { isDuplicateKey } from '../errors';
import { keyId } from '../keys';

const cardKey = (id: string) => keyId('storedCard', id);
const fingerprintKey = (card: StoredCard) =>
  keyId('cardFingerprint', card.merchantId, card.mode, card.customerId, card.fingerprint);
/** A claim whose card never appeared for this long belongs to a process that died between the writes. */
const ABANDONED_CLAIM_MS = 30_000;

function decode(doc: StoredCardDoc, id?: string): StoredCard {
  const { _id, ...card } = doc;
  if (id !== undefined && card.id !== id) throw new Error(`stored card _id digest collision for ${id}`);
  return card;
}

/**
 * Stored cards, one document each (`_id` from the card id). The dedup of a customer's live card by
 * fingerprint is a claim document whose `_id` derives from (merchant, mode, customer, fingerprint):
 * the claim is written first, then the card. A claim whose card was deleted (or never written, by a
 * process that died) is taken over with a compare-and-set on the card id it names.
 */
export function storedCardRepository({
  run,
  storedCards,
  cardFingerprints,
  cardPayments,
}: Collections): StoredCardRepository {
  const insertCard = (card: StoredCard) =>
    run(async () => {
      try {
        await storedCards.insertOne({ _id: cardKey(card.id), ...card });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    });

  return {
    async save({ card }) {
      const _id = fingerprintKey(card);
      for (let attempt = 0; attempt < 20; attempt++) {
        const claimed = await run(async () => {
          try {
            await cardFingerprints.insertOne({ _id, cardId: card.id, claimedAt: new Date() });
            return true;
          } catch (error) {
            if (isDuplicateKey(error)) return false;
            throw error;
          }
        });
        if (claimed) {
          await insertCard(card);
          return card;
        }
        const claim = await run(() => cardFingerprints.findOne({ _id }));
        if (!claim) continue;
        const holder = await run(() => storedCards.findOne({ _id: cardKey(claim.cardId) }));
        if (holder && holder.deletedAt === null) return decode(holder, claim.cardId);
        const abandoned = holder !== null || Date.now() - claim.claimedAt.getTime() > ABANDONED_CLAIM_MS;
        if (abandoned) {
          const taken = await run(() =>
            cardFingerprints.updateOne(
              { _id, cardId: claim.cardId },
              { $set: { cardId: card.id, claimedAt: new Date() } },
            ),
          );
          if (taken.modifiedCount > 0) {
            await insertCard(card);
            return card;
          }
          continue;
        }
        // Another save claimed it a moment ago and is writing its card: wait for it.
        await sleep(5 * (attempt + 1));
      }
      throw new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', {
        message: 'Saving the card raced with other saves of the same card for too long; retry.',
      });
    },

    async get({ merchantId, mode, id }) {
      const doc = await run(() =>
        storedCards.findOne({ _id: cardKey(id), id, merchantId, mode, deletedAt: null }),
      );
      return doc ? decode(doc) : null;
    },

    async listByCustomer({ merchantId, mode, customerId }) {
      const docs = await run(() =>
        storedCards.find({ merchantId, mode, customerId, deletedAt: null }).sort({ id: 1 }).toArray(),
      );
      return docs.map((doc) => decode(doc));
    },

    async delete({ merchantId, mode, id, deletedAt }) {
      // Crypto-shredding: the ciphertext is erased in the same update that deletes the card.
      const result = await run(() =>
        storedCards.updateOne(
          { _id: cardKey(id), id, merchantId, mode, deletedAt: null },
          { $set: { deletedAt, panCiphertext: '' } },
        ),
      );
      return result.modifiedCount > 0;
    },

    async listSealedWithOtherKey({ keyId: current, limit, startingAfter }) {
      const docs = await run(() =>
        storedCards
          .find({
            keyId: { $ne: current },
            deletedAt: null,
            ...(startingAfter !== undefined ? { id: { $gt: startingAfter } } : {}),
          })
          .sort({ id: 1 })
          .limit(Math.max(1, Math.trunc(limit)))
          .toArray(),
      );
      return docs.map((doc) => decode(doc));
    },

    async reseal({ id, expectedKeyId, keyId: newKeyId, panCiphertext }) {
      const result = await run(() =>
        storedCards.updateOne(
          { _id: cardKey(id), id, keyId: expectedKeyId, deletedAt: null },
          { $set: { keyId: newKeyId, panCiphertext } },
        ),
      );
      return result.modifiedCount > 0;
    },

    async attachToPayment({ paymentId, storedCardId }) {
      // `_id` from the payment: a second card for the same payment fails as a duplicate key.
      await run(() =>
        cardPayments.insertOne({ _id: keyId('cardPayment', paymentId), paymentId, storedCardId }),
      );
    },

    async forPayment({ paymentId }) {
      const link = await run(() => cardPayments.findOne({ _id: keyId('cardPayment', paymentId), paymentId }));
      if (!link) return null;
      const doc = await run(() => storedCards.findOne({ _id: cardKey(link.storedCardId) }));
      return doc ? decode(doc, link.storedCardId) : null;
    },
  };
}
