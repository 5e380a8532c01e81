import { PayrailError, type Store } from '@payrail/core';

/**
 * Repositories of the Store port this adapter does not implement yet (they were added to the port while
 * the adapter was written). Each is present, so the type is the whole port and the server starts, but
 * every call fails with PAYRAIL_ERR_CONFIG saying so: features that need them run on PostgreSQL only for
 * now. Their store-contract cases are skipped with this as the printed reason.
 */
export const UNSUPPORTED_REPOSITORIES = [] as const satisfies readonly (keyof Store)[];

export type UnsupportedRepository = (typeof UNSUPPORTED_REPOSITORIES)[number];

export function unsupportedRepository<K extends UnsupportedRepository>(name: K): Store[K] {
  return new Proxy({} as Store[K], {
    get(_target, method) {
      // Not a thenable, and no made-up properties for inspection (util.inspect, vitest's pretty-format).
      if (typeof method !== 'string' || method === 'then' || method === 'toJSON') return undefined;
      return async () => {
        throw new PayrailError('PAYRAIL_ERR_CONFIG', {
          message: `The MongoDB store does not implement ${name}.${method} yet; this feature needs PostgreSQL (see @payrail/store-mongodb's README).`,
        });
      };
    },
  });
}
