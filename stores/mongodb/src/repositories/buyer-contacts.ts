import type { BuyerContact, BuyerContactRepository } from '@payrail/core';
import type { BuyerContactDoc } from '../buyer-contact-documents';
import type { Collections } from '../collections';
import { isDuplicateKey, keyCollision } from '../errors';
import { keyId } from '../keys';

const contactKey = (email: string) => keyId('buyerContact', email);

function toContact(doc: BuyerContactDoc, email?: string): BuyerContact {
  if (email !== undefined && doc.email !== email) throw keyCollision('buyerContact', email);
  const { _id, ...contact } = doc;
  return contact;
}

/** Buyers' confirmed contact emails: one document per address, `_id` derived from it (unique). */
export function buyerContactRepository({ run, buyerContacts }: Collections): BuyerContactRepository {
  return {
    async insert({ contact }) {
      const email = contact.email.toLowerCase();
      const doc: BuyerContactDoc = { _id: contactKey(email), ...contact, email };
      const inserted = await run(async () => {
        try {
          await buyerContacts.insertOne(doc);
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      });
      if (inserted) return { ok: true, contact: toContact(doc) };
      const existing = await run(() => buyerContacts.findOne({ _id: contactKey(email) }));
      if (!existing || toContact(existing, email).userId !== contact.userId) {
        return { ok: false, reason: 'email_taken' };
      }
      return { ok: true, contact: toContact(existing, email) };
    },

    async listByUser({ userId }) {
      const docs = await run(() => buyerContacts.find({ userId }).sort({ email: 1 }).toArray());
      return docs.map((doc) => toContact(doc));
    },

    async getByEmail({ email }) {
      const lowered = email.toLowerCase();
      const doc = await run(() => buyerContacts.findOne({ _id: contactKey(lowered) }));
      return doc ? toContact(doc, lowered) : null;
    },

    async delete({ userId, email }) {
      const lowered = email.toLowerCase();
      const deleted = await run(() =>
        buyerContacts.deleteOne({ _id: contactKey(lowered), email: lowered, userId }),
      );
      return deleted.deletedCount > 0;
    },
  };
}
