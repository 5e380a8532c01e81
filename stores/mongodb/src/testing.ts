import { randomBytes } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import { MongoClient } from 'mongodb';
import { createMongoStore, type MongoStore, type MongoStoreOptions } from './store';

/** Where the MongoDB tests run. */
export interface TestMongo {
  /** `real`: the server at PAYRAIL_TEST_MONGODB_URL; `congodb`: the in-process wire-compatible server. */
  kind: 'real' | 'congodb';
  url: string;
  close(): Promise<void>;
}

/**
 * A MongoDB for tests: the server at `PAYRAIL_TEST_MONGODB_URL` when it is set (a local `mongod`, or
 * Docker — see the README), otherwise CongoDB, an in-process MongoDB-wire-compatible server from
 * `@push.rocks/smartmongo`, on a free loopback port, spoken to with the real driver.
 */
export async function startTestMongo(): Promise<TestMongo> {
  const external = process.env.PAYRAIL_TEST_MONGODB_URL?.trim();
  if (external) return { kind: 'real', url: external, close: async () => {} };

  // Only the CongoDB subpath: the package's main entry loads a mongod downloader (removed by the root
  // pnpm overrides, as it cannot install offline).
  const { CongoServer } = await import('@push.rocks/smartmongo/dist_ts/congodb/index.js');
  const server = new CongoServer({ port: 0, host: '127.0.0.1' });
  await server.start();
  // CongoServer reports the port it was given, not the one port 0 chose: ask its net.Server.
  const { port } = (server as unknown as { server: Server }).server.address() as AddressInfo;
  return {
    kind: 'congodb',
    // `poll`: CongoDB answers `hello` with a topologyVersion but cannot stream (moreToCome) replies, so
    // the driver's default streaming monitor fails and clears the pool mid-test; polling is the
    // driver's documented alternative (what it uses in FaaS environments).
    url: `mongodb://127.0.0.1:${port}/?directConnection=true&serverMonitoringMode=poll`,
    close: () => server.stop(),
  };
}

/** A fresh database name, so test files (and runs against one real server) never share data. */
export function testDatabaseName(): string {
  return `payrail_test_${randomBytes(6).toString('hex')}`;
}

/** A migrated store on a new database of `mongo`; `drop()` closes it and drops the database. */
export async function createTestStore(
  mongo: TestMongo,
  options: Partial<MongoStoreOptions> = {},
): Promise<{ store: MongoStore; drop(): Promise<void> }> {
  const store = createMongoStore({ url: mongo.url, dbName: testDatabaseName(), ...options });
  await store.migrate();
  return {
    store,
    async drop() {
      await store.client
        .db(store.dbName)
        .dropDatabase()
        .catch(() => undefined);
      await store.close();
    },
  };
}

/** Drops a database by name (for stores a test opened itself). */
export async function dropTestDatabase(url: string, dbName: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
}
