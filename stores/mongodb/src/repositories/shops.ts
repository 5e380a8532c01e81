import type { Shop, ShopRepository } from '@payrail/core';
import type { Document } from 'mongodb';
import type { Collections } from '../collections';
import type { ShopDoc } from '../documents';
import { keyCollision } from '../errors';
import { keyId } from '../keys';

const shopKey = (id: string) => keyId('shop', id);

const toDoc = (shop: Shop): ShopDoc => ({
  _id: shopKey(shop.id),
  ...shop,
  providerRoutes: JSON.stringify(shop.providerRoutes),
});

function toShop(doc: ShopDoc, id?: string): Shop {
  if (id !== undefined && doc.id !== id) throw keyCollision('shop', id);
  const { _id, providerRoutes, ...shop } = doc;
  return { ...shop, providerRoutes: JSON.parse(providerRoutes) as Shop['providerRoutes'] };
}

/** Shops: one document each, `_id` derived from the shop id; every read and write names the merchant. */
export function shopRepository({ run, shops }: Collections): ShopRepository {
  return {
    async insert({ shop }) {
      await run(() => shops.insertOne(toDoc(shop)));
    },

    async get({ merchantId, id }) {
      const doc = await run(() => shops.findOne({ _id: shopKey(id), merchantId }));
      return doc ? toShop(doc, id) : null;
    },

    async getById({ id }) {
      const doc = await run(() => shops.findOne({ _id: shopKey(id) }));
      return doc ? toShop(doc, id) : null;
    },

    async list({ merchantId, includeArchived }) {
      const query: Document = includeArchived ? { merchantId } : { merchantId, archived: false };
      const docs = await run(() => shops.find(query).sort({ id: 1 }).toArray());
      return docs.map((doc) => toShop(doc));
    },

    async update({ merchantId, id, patch, now }) {
      const set: Document = { updatedAt: now };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        set[key] = key === 'providerRoutes' ? JSON.stringify(value) : value;
      }
      const doc = await run(() =>
        shops.findOneAndUpdate(
          { _id: shopKey(id), id, merchantId, archived: false },
          { $set: set },
          { returnDocument: 'after' },
        ),
      );
      return doc ? toShop(doc, id) : null;
    },

    async archive({ merchantId, id, now }) {
      const filter = { _id: shopKey(id), id, merchantId };
      // Archiving twice keeps the first time's updatedAt: the second call changes nothing.
      await run(() =>
        shops.updateOne({ ...filter, archived: false }, { $set: { archived: true, updatedAt: now } }),
      );
      const doc = await run(() => shops.findOne(filter));
      return doc ? toShop(doc, id) : null;
    },
  };
}
