import { newId } from '@payrail/core';
import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { seedMerchant, seedPayment } from './seed';

export const jobCases: ContractCase[] = [
  {
    name: 'jobs: a claim is granted to one caller at a time, counts attempts, and honours its due time',
    async run({ store }) {
      const key = `test:${newId('payment')}`;
      const now = new Date();
      const until = new Date(now.getTime() + 60_000);
      const results = await Promise.all([1, 2, 3].map(() => store.jobs.claim({ key, now, until })));
      expect(results.filter((r) => r !== null)).toEqual([{ key, attempts: 1 }]);
      expect(await store.jobs.claim({ key, now, until })).toBeNull();
      // Due again once the lease passed: the attempt count goes on.
      const later = new Date(until.getTime() + 1);
      expect(await store.jobs.claim({ key, now: later, until: new Date(later.getTime() + 1000) })).toEqual({
        key,
        attempts: 2,
      });
      await store.jobs.reschedule({ key, nextAt: now });
      expect(await store.jobs.claim({ key, now: later, until })).toEqual({ key, attempts: 3 });
      await store.jobs.release({ key });
      expect(await store.jobs.claim({ key, now, until })).toEqual({ key, attempts: 1 });
    },
  },
  {
    name: 'jobs: findPayments filters by status and age, pages by id, and records reconciliation runs',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const old = new Date(Date.now() - 86_400_000);
      const a = await seedPayment(store, { merchantId: merchant.id, status: 'processing', updatedAt: old });
      const b = await seedPayment(store, {
        merchantId: merchant.id,
        status: 'authorized',
        updatedAt: old,
        provider: { id: 'fake', instanceId: 'default', paymentRef: `ref_${newId('payment')}` },
      });
      await seedPayment(store, { merchantId: merchant.id, status: 'processing' }); // too recent
      await seedPayment(store, { merchantId: merchant.id, status: 'succeeded', updatedAt: old });
      const cutoff = new Date(Date.now() - 3_600_000);
      const mine = async (args: Partial<Parameters<typeof store.jobs.findPayments>[0]>) =>
        (
          await store.jobs.findPayments({
            statuses: ['processing', 'authorized'],
            updatedBefore: cutoff,
            limit: 1000,
            ...args,
          })
        )
          .filter((p) => p.merchantId === merchant.id)
          .map((p) => p.id);
      expect(await mine({})).toEqual([a.id, b.id]);
      expect(await mine({ withProviderRef: true })).toEqual([b.id]);
      expect(await mine({ afterId: a.id })).toEqual([b.id]);
      expect(await mine({ statuses: ['authorized'] })).toEqual([b.id]);

      const run = {
        id: newId('reconciliation'),
        startedAt: new Date('2026-01-01T00:00:00Z'),
        finishedAt: new Date('2026-01-01T00:00:05Z'),
        checked: 2,
        changes: [{ paymentId: a.id, from: 'processing' as const, to: 'succeeded' as const }],
        errors: [{ paymentId: b.id, code: 'PAYRAIL_ERR_PROVIDER_UNAVAILABLE' }],
      };
      await store.jobs.recordReconciliation({ run });
      const runs = await store.jobs.listReconciliations({ limit: 100 });
      expect(runs.find((r) => r.id === run.id)).toEqual(run);
    },
  },
];
