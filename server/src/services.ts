import type { Clock, Logger, Orchestrator, OrchestratorSelfTime, PluginRegistry, Store } from '@payrail/core';
import type { CardVault } from '@payrail/plugin-cards';
import type { AccountsOptions } from './accounts/accounts-options';
import type { PaymentLookupOptions } from './routes/public/payment-lookup';
import type { SandboxSimulators } from './simulators/sandbox';
import type { SecretBox } from './webhooks/secret-box';

/** Everything the HTTP app needs, built once by `bootstrap()` (or by tests with their own store). */
export interface AppServices {
  store: Store;
  registry: PluginRegistry;
  orchestrator: Orchestrator;
  clock: Clock;
  logger: Logger;
  /** Saved cards (one-click); absent when no vault key is configured (PostgreSQL without PAYRAIL_VAULT_KEYS). */
  vault?: CardVault;
  /** Seals webhook signing secrets; absent on PostgreSQL without PAYRAIL_WEBHOOK_SECRETS_KEY. */
  webhookSecrets?: SecretBox;
  /** Simulated QIWI and WebMoney (PAYRAIL_SIMULATORS); their routes are mounted under /_sim when present. */
  simulators?: SandboxSimulators;
  /** The orchestrator's own time per call (PAYRAIL_ORCHESTRATOR_TIMING); GET /_debug/orchestrator-timing. */
  orchestratorTiming?: OrchestratorSelfTime;
}

export interface AppOptions {
  /** Public base URL (payment page links, webhook URLs). */
  publicUrl: string;
  /** Largest accepted request body in bytes (default 100 KiB). */
  bodyLimit?: number;
  /** How long idempotency records are kept (default 24 h; the API promises at least that). */
  idempotencyTtlMs?: number;
  /** pino options; false for no request logging (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Personal-account settings (docs/accounts.md); default: built-in policy, no SMTP, no Telegram. */
  accounts?: AccountsOptions;
  /** Rate limits of the public payment lookup (defaults in routes/public/payment-lookup.ts). */
  paymentLookup?: PaymentLookupOptions;
}
