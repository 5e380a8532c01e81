import type { Clock, Logger, Store } from '@payrail/core';
import type { SecretBox } from '../webhooks/secret-box';
import type { AccountsOptions } from './accounts-options';

/** What the account operations work with. */
export interface AccountsDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  options: AccountsOptions;
  /**
   * Seals TOTP secrets at rest (the server secrets key, PAYRAIL_WEBHOOK_SECRETS_KEY); absent on
   * PostgreSQL without the key, and then TOTP enrolment is refused.
   */
  secretBox?: SecretBox;
}
