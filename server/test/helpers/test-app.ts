import { randomBytes } from 'node:crypto';
import {
  type AnyPlugin,
  type Clock,
  createPluginRegistry,
  createUndiciHttpClient,
  DEFAULT_TARIFF,
  type Mode,
  newId,
  Orchestrator,
  type Store,
  silentLogger,
  systemClock,
} from '@payrail/core';
import { CardVault, cards, PROCESS_FINGERPRINT_KEY, VaultKeyRing } from '@payrail/plugin-cards';
import { createTestStore, startTestMongo } from '@payrail/store-mongodb/testing';
import { createPostgresStore } from '@payrail/store-postgres';
import { createEmbeddedTestStore, createTestDatabase } from '@payrail/store-postgres/testing';
import { type FakeProviderControl, fakeProvider } from '@payrail/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app/build-app';
import { generateApiKey } from '../../src/auth/api-keys';
import { issuerServiceOptions } from '../../src/issuers/store-issuer-directory';
import type { AppOptions, AppServices } from '../../src/services';
import type { SecretBox } from '../../src/webhooks/secret-box';

export const PUBLIC_URL = 'http://payrail.test';
export const FAKE_WEBHOOK_SECRET = 'fake_whsec_0123456789abcdef';

/** 'mongodb': a real MongoDB at PAYRAIL_TEST_MONGODB_URL, else the in-process CongoDB (not in STORE_KINDS). */
export type StoreKind = 'pglite' | 'postgres' | 'mongodb';

/** Both adapters the server runs on; tests of the full flow run against each (describe.each). */
export const STORE_KINDS: StoreKind[] = ['pglite', 'postgres'];

export async function createStore(kind: StoreKind): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    // poolSize 1: with several connections, pglite-socket interleaves their extended-protocol messages on
    // PGlite's single session outside transactions, and concurrent requests fail with "26000 unnamed
    // prepared statement does not exist" or hang (reported to the store-postgres owner).
    const store = await createEmbeddedTestStore({ poolSize: 1 });
    await store.migrate();
    return { store, cleanup: () => store.close() };
  }
  if (kind === 'mongodb') {
    const mongo = await startTestMongo();
    const { store, drop } = await createTestStore(mongo);
    return {
      store,
      cleanup: async () => {
        await drop();
        await mongo.close();
      },
    };
  }
  const database = await createTestDatabase();
  const store = createPostgresStore({ url: database.url, poolSize: 10 });
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/** A JSON response from inject(), with its body parsed. */
export interface ApiResponse extends LightMyRequestResponse {
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  body: any;
  rawBody: string;
}

export interface ApiClient {
  get(url: string, headers?: Record<string, string>): Promise<ApiResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
}

export interface TestMerchant {
  id: string;
  testKey: string;
  liveKey: string;
  /** Client authenticated with the test-mode key. */
  test: ApiClient;
  /** Client authenticated with the live-mode key. */
  live: ApiClient;
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  services: AppServices;
  fake: FakeProviderControl;
  createMerchant(): Promise<TestMerchant>;
  /** Unauthenticated client (payment page, webhooks, health). */
  anonymous: ApiClient;
  client(apiKey: string): ApiClient;
  close(): Promise<void>;
}

export async function inject(app: FastifyInstance, options: InjectOptions): Promise<ApiResponse> {
  const response = await app.inject(options);
  const rawBody = response.body;
  let body: unknown = rawBody;
  if (String(response.headers['content-type'] ?? '').includes('json') && rawBody !== '')
    body = JSON.parse(rawBody);
  return Object.assign(response, { body, rawBody }) as ApiResponse;
}

function clientFor(app: FastifyInstance, apiKey?: string): ApiClient {
  const auth: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  return {
    get: (url, headers = {}) => inject(app, { method: 'GET', url, headers: { ...auth, ...headers } }),
    post: (url, body, headers = {}) =>
      inject(app, {
        method: 'POST',
        url,
        headers: {
          ...auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
  };
}

export interface TestAppOptions {
  store?: StoreKind;
  logger?: AppOptions['logger'];
  bodyLimit?: number;
  /** Plugins registered after the cards and fake providers (antifraud engines, other providers). */
  plugins?: AnyPlugin[] | ((store: Store) => AnyPlugin[]);
  /** Wraps the store the app sees (fault injection). */
  wrapStore?: (store: Store) => Store;
  /** The app's clock (default: the system clock). */
  clock?: Clock;
  /** Rate limits of the public payment lookup. */
  paymentLookup?: AppOptions['paymentLookup'];
  /** Personal-account options (mailer, Telegram, limits); default: built-in, no SMTP. */
  accounts?: AppOptions['accounts'];
  /** The server secrets key's box (webhook signing secrets, TOTP secrets); default none. */
  secretBox?: SecretBox;
}

/** One app per test file (PGlite starts in 2–4 s); tests isolate themselves with fresh merchants. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { store: realStore, cleanup } = await createStore(options.store ?? 'pglite');
  const store = options.wrapStore ? options.wrapStore(realStore) : realStore;
  const clock = options.clock ?? systemClock;
  const logger = silentLogger;
  const http = createUndiciHttpClient();
  const fake = fakeProvider({ webhookSecret: FAKE_WEBHOOK_SECRET });
  const registry = await createPluginRegistry(
    [
      cards(issuerServiceOptions(store)),
      fake,
      ...(typeof options.plugins === 'function' ? options.plugins(store) : (options.plugins ?? [])),
    ],
    {
      logger,
      clock,
      http,
      publicUrl: PUBLIC_URL,
    },
  );
  const orchestrator = new Orchestrator({ store, registry, clock, logger, publicUrl: PUBLIC_URL });
  // A fresh vault key per app: saved cards live as long as the test database.
  const vault = new CardVault({
    keys: new VaultKeyRing([{ id: 'test1', key: randomBytes(32) }]),
    storedCards: store.storedCards,
    fingerprintKey: PROCESS_FINGERPRINT_KEY,
    clock,
  });
  const services: AppServices = {
    store,
    registry,
    orchestrator,
    clock,
    logger,
    vault,
    ...(options.secretBox ? { webhookSecrets: options.secretBox } : {}),
  };
  const app = await buildApp(services, {
    publicUrl: PUBLIC_URL,
    logger: options.logger ?? false,
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.paymentLookup !== undefined ? { paymentLookup: options.paymentLookup } : {}),
    ...(options.accounts !== undefined ? { accounts: options.accounts } : {}),
  });

  return {
    app,
    store,
    services,
    fake: fake.control,
    anonymous: clientFor(app),
    client: (apiKey) => clientFor(app, apiKey),
    async createMerchant() {
      const now = clock.now();
      const id = newId('merchant', now.getTime());
      const keys = (['test', 'live'] as Mode[]).map((mode) => generateApiKey(id, mode, now));
      await store.merchants.create({
        merchant: {
          id,
          name: `Shop ${id.slice(-6)}`,
          email: `${id.toLowerCase()}@shop.test`,
          tariff: DEFAULT_TARIFF,
          providerRoutes: {},
          createdAt: now,
        },
        apiKeys: keys.map((k) => k.record),
      });
      const [testKey, liveKey] = keys.map((k) => k.secret) as [string, string];
      return { id, testKey, liveKey, test: clientFor(app, testKey), live: clientFor(app, liveKey) };
    },
    async close() {
      await app.close();
      await http.close();
      await cleanup();
    },
  };
}

/** Everything a merchant has in one mode, to assert that a rejected request wrote nothing. */
export async function snapshot(store: Store, merchantId: string, mode: Mode = 'test') {
  const payments = await store.payments.list({ merchantId, mode, limit: 100 });
  const events = await store.events.list({ merchantId, mode, limit: 100 });
  return {
    payments: payments.data.map((p) => `${p.id}@${p.version}`),
    events: events.data.map((e) => e.id),
  };
}

export const CARD = {
  visa: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
} as const;

export const cardPayload = (number: string = CARD.visa, extra: Record<string, unknown> = {}) => ({
  number,
  exp_month: 12,
  exp_year: new Date().getUTCFullYear() + 3,
  cvc: '123',
  ...extra,
});
