import type { Store } from '@payrail/core';
import { type AntifraudOptions, StoreVelocitySource, storeMerchantConfig } from '@payrail/plugin-antifraud';

/**
 * What a server adds to an antifraud instance from the plugins file: velocity counted in the store (shared
 * by every process, kept across restarts) and each merchant's own rules and lists from the antifraud API.
 * JSON cannot carry these objects, so they are attached here, before the registry validates the options.
 */
export function antifraudOnStore(options: AntifraudOptions, store: Store): AntifraudOptions {
  const instanceId = options.instanceId ?? 'default';
  return {
    ...options,
    velocity: {
      ...options.velocity,
      source:
        options.velocity?.source ??
        new StoreVelocitySource(store.riskCounters, { namespace: `antifraud:${instanceId}` }),
    },
    merchantConfig: options.merchantConfig ?? { source: storeMerchantConfig(store.antifraud) },
  };
}
