import {
  type AnyPlugin,
  createPluginRegistry,
  createUndiciHttpClient,
  type Logger,
  Orchestrator,
  type Store,
  systemClock,
} from '@payrail/core';
import { cards } from '@payrail/plugin-cards';
import { createEmbeddedStore, createPostgresStore } from '@payrail/store-postgres';
import type { DatabaseConfig, ServerConfig } from './config';
import { pluginsFromFile } from './plugins-file';
import type { AppServices } from './services';

/** Opens the configured store: PostgreSQL for a postgres:// URL, the embedded PGlite otherwise. */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  return database.kind === 'postgres'
    ? createPostgresStore({ url: database.url })
    : createEmbeddedStore({ dataDir: database.dataDir });
}

/**
 * The plugins a stock server runs: cards, plus those listed in PAYRAIL_PLUGINS_FILE. Deployments with
 * their own plugins call `bootstrap` with `plugins`.
 */
export function defaultPlugins(config: ServerConfig): AnyPlugin[] {
  return [
    cards(config.cardFingerprintKey ? { fingerprintKey: config.cardFingerprintKey } : {}),
    ...pluginsFromFile(config.pluginsFile),
  ];
}

export interface Bootstrapped extends AppServices {
  close(): Promise<void>;
}

/** Opens the store, applies migrations, validates and initialises plugins, and builds the orchestrator. */
export async function bootstrap(
  config: ServerConfig,
  logger: Logger,
  options: { plugins?: AnyPlugin[]; store?: Store } = {},
): Promise<Bootstrapped> {
  const store = options.store ?? (await openStore(config.database));
  const http = createUndiciHttpClient({ logger });
  try {
    await store.migrate();
    const registry = await createPluginRegistry(options.plugins ?? defaultPlugins(config), {
      logger,
      clock: systemClock,
      http,
      publicUrl: config.publicUrl,
    });
    const orchestrator = new Orchestrator({
      store,
      registry,
      clock: systemClock,
      logger,
      publicUrl: config.publicUrl,
    });
    return {
      store,
      registry,
      orchestrator,
      clock: systemClock,
      logger,
      close: async () => {
        await http.close();
        await store.close();
      },
    };
  } catch (error) {
    await http.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}
