import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { makeApiKey, makeMerchant } from '../fixtures';

export const merchantCases: ContractCase[] = [
  {
    name: 'merchants: create stores the merchant and its keys atomically',
    async run({ store }) {
      const before = await store.merchants.count();
      const merchant = makeMerchant();
      const keys = [makeApiKey(merchant.id, { mode: 'test' }), makeApiKey(merchant.id, { mode: 'live' })];
      await store.merchants.create({ merchant, apiKeys: keys });

      expect(await store.merchants.get({ id: merchant.id })).toEqual(merchant);
      expect(await store.merchants.count()).toBe(before + 1);
      const listed = await store.apiKeys.list({ merchantId: merchant.id });
      expect([...listed].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [...keys].sort((a, b) => a.id.localeCompare(b.id)),
      );

      // A key whose hash is taken makes the whole creation fail: no merchant without its keys.
      const other = makeMerchant();
      const clash = makeApiKey(other.id, { secretHash: keys[0]!.secretHash });
      await expect(
        store.merchants.create({ merchant: other, apiKeys: [makeApiKey(other.id), clash] }),
      ).rejects.toThrow();
      expect(await store.merchants.get({ id: other.id })).toBeNull();
      expect(await store.apiKeys.list({ merchantId: other.id })).toEqual([]);
      expect(await store.merchants.count()).toBe(before + 1);
    },
  },
  {
    name: 'merchants: get of an unknown id is null',
    async run({ store }) {
      expect(await store.merchants.get({ id: makeMerchant().id })).toBeNull();
    },
  },
  {
    name: 'apiKeys: findActiveByHash finds active keys only',
    async run({ store }) {
      const merchant = makeMerchant();
      const active = makeApiKey(merchant.id, { mode: 'live' });
      const revoked = makeApiKey(merchant.id, { revokedAt: new Date() });
      await store.merchants.create({ merchant, apiKeys: [active, revoked] });

      expect(await store.apiKeys.findActiveByHash({ secretHash: active.secretHash })).toEqual(active);
      expect(await store.apiKeys.findActiveByHash({ secretHash: revoked.secretHash })).toBeNull();
      expect(
        await store.apiKeys.findActiveByHash({ secretHash: makeApiKey(merchant.id).secretHash }),
      ).toBeNull();
    },
  },
];
