import type { Clock, Logger, Orchestrator, PluginRegistry, Store } from '@payrail/core';

/** Everything the HTTP app needs, built once by `bootstrap()` (or by tests with their own store). */
export interface AppServices {
  store: Store;
  registry: PluginRegistry;
  orchestrator: Orchestrator;
  clock: Clock;
  logger: Logger;
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
}
