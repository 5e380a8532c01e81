import type { Store } from '@payrail/core';
import { assertLiveModeEnabled, isLiveEnabled } from './live-mode';

/** Merchants remembered per process; past this the memory is dropped and refilled by reads. */
const MAX_REMEMBERED = 100_000;

/**
 * The live-mode check of the API-key hook, without a merchant read on every live request. Live mode only
 * ever opens (approval, or an operator-created merchant; nothing closes it again), so a merchant seen open
 * is remembered for the life of the process, while a closed one is read again on every request: an
 * approval takes effect on the next request on every instance.
 */
export class LiveModeGate {
  readonly #open = new Set<string>();

  constructor(private readonly store: Store) {}

  async assertOpen(merchantId: string): Promise<void> {
    if (this.#open.has(merchantId)) return;
    const merchant = await this.store.merchants.get({ id: merchantId });
    assertLiveModeEnabled(merchant);
    if (merchant && isLiveEnabled(merchant)) {
      if (this.#open.size >= MAX_REMEMBERED) this.#open.clear();
      this.#open.add(merchantId);
    }
  }
}
