import {
  type AnyPlugin,
  createPluginRegistry,
  createUndiciHttpClient,
  type Logger,
  Orchestrator,
  OrchestratorSelfTime,
  type Store,
  systemClock,
  timedOrchestrator,
  timedRegistry,
  timedStore,
} from '@payrail/core';
import { CardVault, cards, PROCESS_FINGERPRINT_KEY, VaultKeyRing } from '@payrail/plugin-cards';
import { createEmbeddedStore, createPostgresStore } from '@payrail/store-postgres';
import type { DatabaseConfig, ServerConfig } from './config';
import { issuerServiceOptions } from './issuers/store-issuer-directory';
import { pluginsFromFile } from './plugins-file';
import type { AppServices } from './services';
import { createSandboxSimulators } from './simulators/sandbox';
import { resolveVaultKeys } from './vault-keys-file';
import { loadSecretBox } from './webhooks/secrets-key';

/** Opens the configured store: PostgreSQL for postgres://, MongoDB for mongodb://, else the embedded PGlite. */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  if (database.kind === 'mongodb') {
    // Loaded only when chosen: the MongoDB driver is not needed to start on PostgreSQL or PGlite.
    const { createMongoStore } = await import('@payrail/store-mongodb');
    return createMongoStore({ url: database.url });
  }
  return database.kind === 'postgres'
    ? createPostgresStore({
        url: database.url,
        ...(database.preparedStatements === false ? { preparedStatements: false } : {}),
      })
    : createEmbeddedStore({ dataDir: database.dataDir });
}

/**
 * The plugins a stock server runs: cards, plus those listed in PAYRAIL_PLUGINS_FILE. Deployments with
 * their own plugins call `bootstrap` with `plugins`.
 */
export function defaultPlugins(config: ServerConfig, store?: Store): AnyPlugin[] {
  return [
    cards({
      ...(config.cardFingerprintKey ? { fingerprintKey: config.cardFingerprintKey } : {}),
      // Issuer accounts' ranges, enrolments and statistics live in the store (docs/accounts.md).
      ...(store ? issuerServiceOptions(store) : {}),
    }),
    ...pluginsFromFile(config.pluginsFile, process.env, store ? { store } : {}),
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
    const simulators = config.simulators ? createSandboxSimulators(config.publicUrl) : undefined;
    const plugins = [...(options.plugins ?? defaultPlugins(config, store)), ...(simulators?.plugins ?? [])];
    const registry = await createPluginRegistry(plugins, {
      logger,
      clock: systemClock,
      http,
      publicUrl: config.publicUrl,
    });
    // Timing (bench only) wraps what the orchestrator calls, so waiting on them is not counted as its own.
    const timing = config.orchestratorTiming ? new OrchestratorSelfTime() : undefined;
    const untimed = new Orchestrator({
      store: timing ? timedStore(store, timing) : store,
      registry: timing ? timedRegistry(registry, timing) : registry,
      clock: systemClock,
      logger,
      publicUrl: config.publicUrl,
    });
    const orchestrator = timing ? timedOrchestrator(untimed, timing) : untimed;
    const vault = openVault(config, store, logger);
    // A store handed in (tests, embedders) may not live in config.database: no key file is made for it.
    const webhookSecrets = await loadSecretBox({
      key: config.webhookSecretsKey,
      database: !options.store
        ? config.database
        : store.kind === 'postgres'
          ? { kind: 'postgres', url: '' }
          : { kind: 'embedded', dataDir: 'memory://' },
    });
    return {
      store,
      registry,
      orchestrator,
      clock: systemClock,
      logger,
      ...(vault ? { vault } : {}),
      ...(webhookSecrets ? { webhookSecrets } : {}),
      ...(simulators ? { simulators } : {}),
      ...(timing ? { orchestratorTiming: timing } : {}),
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

/** The card vault for saved cards, with keys from PAYRAIL_VAULT_KEYS or the embedded dev key file. */
export function openVault(config: ServerConfig, store: Store, logger: Logger): CardVault | undefined {
  const keys = resolveVaultKeys({ vaultKeys: config.vaultKeys, database: config.database });
  if (keys.source === 'none') {
    logger.warn(
      {},
      'PAYRAIL_VAULT_KEYS is not set: saved cards and one-click payments are off (see README, "Card vault keys")',
    );
    return undefined;
  }
  if (keys.source === 'dev-file') {
    logger.warn(
      { file: keys.file, created: keys.created },
      'card vault: using a development key file; set PAYRAIL_VAULT_KEYS in production',
    );
  }
  return new CardVault({
    keys: new VaultKeyRing(keys.keys),
    storedCards: store.storedCards,
    // Issuers' enrolled cards are sealed by the vault too: `payrail vault rotate` covers them.
    alsoRotate: [store.issuers],
    fingerprintKey: config.cardFingerprintKey ?? PROCESS_FINGERPRINT_KEY,
    clock: systemClock,
  });
}
