import { DEFAULT_TARIFF, type Merchant, type Store } from '@payrail/core';
import { describe, expect, it } from 'vitest';
import { LiveModeGate } from '../../src/onboarding/live-mode-gate';

/** A store whose only merchant can be opened for live mode, counting reads. */
function storeWith(merchant: Merchant) {
  let reads = 0;
  const store = {
    merchants: {
      async get({ id }: { id: string }) {
        reads++;
        return id === merchant.id ? merchant : null;
      },
    },
  } as unknown as Store;
  return { store, reads: () => reads };
}

const closedMerchant = (): Merchant => ({
  id: 'mer_01M8TGATE000000000000000001',
  name: 'Gate',
  email: 'gate@example.com',
  tariff: DEFAULT_TARIFF,
  providerRoutes: {},
  createdAt: new Date('2026-12-01T00:00:00Z'),
  onboarding: {
    liveEnabledAt: null,
    trialStartedAt: null,
    trialEndsAt: null,
    trialExpiredAt: null,
    connectionFee: null,
  },
});

describe('live-mode gate of the API-key hook', () => {
  it('reads a closed merchant on every request, so an approval counts on the next one; then remembers it', async () => {
    const merchant = closedMerchant();
    const { store, reads } = storeWith(merchant);
    const gate = new LiveModeGate(store);
    for (let i = 0; i < 2; i++) {
      await expect(gate.assertOpen(merchant.id)).rejects.toMatchObject({
        code: 'PAYRAIL_ERR_LIVE_MODE_NOT_ENABLED',
      });
    }
    expect(reads()).toBe(2);

    // The PSP approves: the very next request passes, and later ones need no read at all.
    merchant.onboarding = {
      ...(merchant.onboarding as NonNullable<Merchant['onboarding']>),
      liveEnabledAt: new Date(),
    };
    await gate.assertOpen(merchant.id);
    await gate.assertOpen(merchant.id);
    await gate.assertOpen(merchant.id);
    expect(reads()).toBe(3);
  });

  it('an unknown merchant is refused like a closed one', async () => {
    const { store } = storeWith(closedMerchant());
    await expect(new LiveModeGate(store).assertOpen('mer_unknown')).rejects.toMatchObject({
      code: 'PAYRAIL_ERR_LIVE_MODE_NOT_ENABLED',
    });
  });
});
