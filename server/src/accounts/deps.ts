import type { Clock, Logger, Store } from '@payrail/core';
import type { AccountsOptions } from './accounts-options';

/** What the account operations work with. */
export interface AccountsDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  options: AccountsOptions;
}
