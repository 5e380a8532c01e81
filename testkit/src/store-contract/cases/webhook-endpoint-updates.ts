import { expect } from 'vitest';
import type { ContractCase } from '../contract';
import { seedMerchant } from './seed';
import { makeEndpoint } from './webhooks';

export const webhookEndpointUpdateCases: ContractCase[] = [
  {
    name: 'webhooks: an endpoint changes only the fields given, in its own merchant and mode, never once deleted',
    async run({ store }) {
      const merchant = await seedMerchant(store);
      const other = await seedMerchant(store);
      const failingSince = new Date(Date.now() - 60_000);
      const endpoint = makeEndpoint({
        merchantId: merchant.id,
        description: 'orders',
        status: 'disabled',
        failingSince,
      });
      await store.webhooks.createEndpoint({ endpoint });
      const scope = { merchantId: merchant.id, mode: 'test' as const, id: endpoint.id };
      const now = new Date();

      // Another merchant, or the other mode, finds nothing to change.
      expect(
        await store.webhooks.updateEndpoint({
          ...scope,
          merchantId: other.id,
          change: { url: 'https://x.example' },
          now,
        }),
      ).toBeNull();
      expect(
        await store.webhooks.updateEndpoint({
          ...scope,
          mode: 'live',
          change: { url: 'https://x.example' },
          now,
        }),
      ).toBeNull();

      const moved = await store.webhooks.updateEndpoint({
        ...scope,
        change: { url: 'https://new.example/hook', eventTypes: ['refund.succeeded'] },
        now,
      });
      expect(moved).toMatchObject({
        url: 'https://new.example/hook',
        eventTypes: ['refund.succeeded'],
        description: 'orders',
        status: 'disabled',
        failingSince,
        sealedSecret: endpoint.sealedSecret,
      });
      expect(moved?.updatedAt.getTime()).toBe(now.getTime());

      // Enabling ends the run of failures; a null description clears it.
      const enabled = await store.webhooks.updateEndpoint({
        ...scope,
        change: { status: 'enabled', description: null },
        now,
      });
      expect(enabled).toMatchObject({ status: 'enabled', failingSince: null, description: null });
      expect(
        (
          await store.webhooks.endpointsFor({
            merchantId: merchant.id,
            mode: 'test',
            type: 'refund.succeeded',
          })
        ).map((e) => e.id),
      ).toEqual([endpoint.id]);
      expect(await store.webhooks.getEndpoint(scope)).toEqual(enabled);

      expect(await store.webhooks.deleteEndpoint({ ...scope, now })).toBe(true);
      expect(
        await store.webhooks.updateEndpoint({ ...scope, change: { status: 'enabled' }, now }),
      ).toBeNull();
      expect((await store.webhooks.getEndpoint(scope))?.status).toBe('deleted');
    },
  },
];
