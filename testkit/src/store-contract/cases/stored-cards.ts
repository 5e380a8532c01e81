import { randomBytes } from 'node:crypto';
import { newId, type StoredCard } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { seedMerchant, seedPayment } from './seed';

/** A stored card as the vault writes it; the ciphertext is opaque to the store. */
export function makeStoredCard(overrides: Partial<StoredCard> & { merchantId: string }): StoredCard {
  return {
    id: newId('paymentMethod'),
    mode: 'test',
    customerId: `cus_${randomBytes(4).toString('hex')}`,
    panCiphertext: randomBytes(48).toString('base64url'),
    keyId: 'k1',
    fingerprint: randomBytes(32).toString('hex'),
    brand: 'visa',
    first6: '424242',
    last4: '4242',
    expMonth: 12,
    expYear: 2030,
    createdAt: new Date(),
    deletedAt: null,
    ...overrides,
  };
}

export const storedCardCases: ContractCase[] = [
  {
    name: 'storedCards: save, get and list are scoped to merchant, mode and customer',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const card = makeStoredCard({ merchantId: merchant.id });
      expect(await store.storedCards.save({ card })).toEqual(card);
      const second = makeStoredCard({ merchantId: merchant.id, customerId: card.customerId, last4: '1881' });
      await store.storedCards.save({ card: second });
      await store.storedCards.save({ card: makeStoredCard({ merchantId: merchant.id }) });

      expect(await store.storedCards.get({ merchantId: merchant.id, mode: 'test', id: card.id })).toEqual(
        card,
      );
      // Another merchant, or the other mode, does not see it.
      expect(await store.storedCards.get({ merchantId: other.id, mode: 'test', id: card.id })).toBeNull();
      expect(await store.storedCards.get({ merchantId: merchant.id, mode: 'live', id: card.id })).toBeNull();
      expect(
        await store.storedCards.listByCustomer({
          merchantId: merchant.id,
          mode: 'test',
          customerId: card.customerId,
        }),
      ).toEqual([card, second]);
      expect(
        await store.storedCards.listByCustomer({
          merchantId: other.id,
          mode: 'test',
          customerId: card.customerId,
        }),
      ).toEqual([]);
    },
  },
  {
    name: 'storedCards: the same card saved twice (even concurrently) for a customer is one record',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const first = makeStoredCard({ merchantId: merchant.id });
      const copies = Array.from({ length: 5 }, () =>
        makeStoredCard({
          merchantId: merchant.id,
          customerId: first.customerId,
          fingerprint: first.fingerprint,
        }),
      );
      const saved = await Promise.all([first, ...copies].map((card) => store.storedCards.save({ card })));
      const ids = new Set(saved.map((c) => c.id));
      expect(ids.size).toBe(1);
      const listed = await store.storedCards.listByCustomer({
        merchantId: merchant.id,
        mode: 'test',
        customerId: first.customerId,
      });
      expect(listed.map((c) => c.id)).toEqual([...ids]);
      // Another customer of the merchant may save the same card.
      const forOther = makeStoredCard({ merchantId: merchant.id, fingerprint: first.fingerprint });
      expect((await store.storedCards.save({ card: forOther })).id).toBe(forOther.id);
    },
  },
  {
    name: 'storedCards: delete hides the card, erases its ciphertext and is scoped',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const card = makeStoredCard({ merchantId: merchant.id });
      await store.storedCards.save({ card });
      const payment = await seedPayment(store, { merchantId: merchant.id });
      await store.storedCards.attachToPayment({ paymentId: payment.id, storedCardId: card.id });

      const deletedAt = new Date();
      expect(
        await store.storedCards.delete({ merchantId: other.id, mode: 'test', id: card.id, deletedAt }),
      ).toBe(false);
      expect(
        await store.storedCards.delete({ merchantId: merchant.id, mode: 'test', id: card.id, deletedAt }),
      ).toBe(true);
      expect(
        await store.storedCards.delete({ merchantId: merchant.id, mode: 'test', id: card.id, deletedAt }),
      ).toBe(false);
      expect(await store.storedCards.get({ merchantId: merchant.id, mode: 'test', id: card.id })).toBeNull();
      expect(
        await store.storedCards.listByCustomer({
          merchantId: merchant.id,
          mode: 'test',
          customerId: card.customerId,
        }),
      ).toEqual([]);
      // The payment still names it, now without a PAN to open.
      const linked = await store.storedCards.forPayment({ paymentId: payment.id });
      expect(linked).toMatchObject({ id: card.id, panCiphertext: '' });
      expect(linked?.deletedAt).toBeInstanceOf(Date);
      // After deletion the same card can be saved again as a new record.
      const again = makeStoredCard({
        merchantId: merchant.id,
        customerId: card.customerId,
        fingerprint: card.fingerprint,
      });
      expect((await store.storedCards.save({ card: again })).id).toBe(again.id);
    },
  },
  {
    name: 'storedCards: attachToPayment links one card per payment',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const card = makeStoredCard({ merchantId: merchant.id });
      await store.storedCards.save({ card });
      const payment = await seedPayment(store, { merchantId: merchant.id });
      expect(await store.storedCards.forPayment({ paymentId: payment.id })).toBeNull();
      await store.storedCards.attachToPayment({ paymentId: payment.id, storedCardId: card.id });
      expect(await store.storedCards.forPayment({ paymentId: payment.id })).toEqual(card);
      const another = makeStoredCard({ merchantId: merchant.id });
      await store.storedCards.save({ card: another });
      await expect(
        store.storedCards.attachToPayment({ paymentId: payment.id, storedCardId: another.id }),
      ).rejects.toThrow();
      expect((await store.storedCards.forPayment({ paymentId: payment.id }))?.id).toBe(card.id);
    },
  },
  {
    name: 'storedCards: rotation lists cards under other keys and reseals compare-and-set',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const cards = [
        makeStoredCard({ merchantId: merchant.id, keyId: 'old' }),
        makeStoredCard({ merchantId: merchant.id, keyId: 'old' }),
        makeStoredCard({ merchantId: merchant.id, keyId: 'new' }),
      ];
      for (const card of cards) await store.storedCards.save({ card });
      const deleted = makeStoredCard({ merchantId: merchant.id, keyId: 'old' });
      await store.storedCards.save({ card: deleted });
      await store.storedCards.delete({
        merchantId: merchant.id,
        mode: 'test',
        id: deleted.id,
        deletedAt: new Date(),
      });

      // Other cases' cards may be in a shared store: look at ours only.
      const ours = new Set(cards.map((c) => c.id).concat(deleted.id));
      const pending: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.storedCards.listSealedWithOtherKey({
          keyId: 'new',
          limit: 2,
          ...(after ? { startingAfter: after } : {}),
        });
        if (page.length === 0) break;
        for (const c of page) {
          expect(c.keyId).not.toBe('new');
          if (ours.has(c.id)) pending.push(c.id);
        }
        after = page.at(-1)!.id;
      }
      expect(pending.sort()).toEqual([cards[0]!.id, cards[1]!.id].sort());

      const target = cards[0]!;
      const resealed = { id: target.id, expectedKeyId: 'old', keyId: 'new', panCiphertext: 'sealed-again' };
      expect(await store.storedCards.reseal(resealed)).toBe(true);
      // A second rotation that read the old key id loses: nothing is overwritten.
      expect(await store.storedCards.reseal({ ...resealed, panCiphertext: 'stale' })).toBe(false);
      expect(
        await store.storedCards.get({ merchantId: merchant.id, mode: 'test', id: target.id }),
      ).toMatchObject({ keyId: 'new', panCiphertext: 'sealed-again' });
      expect(
        await store.storedCards.reseal({
          id: deleted.id,
          expectedKeyId: 'old',
          keyId: 'new',
          panCiphertext: 'x',
        }),
      ).toBe(false);
    },
  },
];
