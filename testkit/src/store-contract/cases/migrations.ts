import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { makeApiKey, makeMerchant } from '../fixtures';
import { seedMerchant, seedPayment } from './seed';

export const migrationCases: ContractCase[] = [
  {
    name: 'migrate: running it again is a no-op',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const payment = await seedPayment(store, { merchantId: merchant.id });
      await store.migrate();
      await store.migrate();
      await store.ping();
      expect(await store.payments.getById({ id: payment.id })).toEqual(payment);
      expect(await store.merchants.get({ id: merchant.id })).toEqual(merchant);
    },
  },
  {
    name: 'migrate: concurrent migrate() of a new database from several stores',
    needs: {
      option: 'makeUnmigratedStores',
      reason: 'the adapter cannot open one new database from several stores (no makeUnmigratedStores option)',
    },
    async run({ options }) {
      const opened = await options.makeUnmigratedStores!(3);
      try {
        await Promise.all(opened.stores.map((store) => store.migrate()));
        const [first, ...others] = opened.stores;
        const merchant = makeMerchant();
        await first!.merchants.create({ merchant, apiKeys: [makeApiKey(merchant.id)] });
        for (const store of others) {
          expect(await store.merchants.get({ id: merchant.id })).toEqual(merchant);
          await store.migrate();
        }
      } finally {
        await opened.cleanup();
      }
    },
  },
];
