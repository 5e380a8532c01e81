import { describeStoreContract, STORE_CONTRACT_CASE_NAMES } from '@payrail/testkit';
import { afterAll } from 'vitest';
import { createMongoStore, UNSUPPORTED_REPOSITORIES } from '../src';
import { CONGODB_CONTRACT_SKIPS } from '../src/congodb-gaps';
import { createTestStore, dropTestDatabase, startTestMongo, testDatabaseName } from '../src/testing';

// One server and one migrated database for this file; cases use fresh ids, so they need no emptying.
const mongo = await startTestMongo();
const shared = createTestStore(mongo);

afterAll(async () => {
  await (await shared).drop();
  await mongo.close();
});

// Cases of repositories the adapter does not implement yet (see src/unsupported.ts), by their prefix.
const notImplemented = Object.fromEntries(
  STORE_CONTRACT_CASE_NAMES.filter((name) =>
    (UNSUPPORTED_REPOSITORIES as readonly string[]).includes(name.split(':')[0] ?? ''),
  ).map((name) => [
    name,
    `the MongoDB adapter does not implement ${name.split(':')[0]} yet (PAYRAIL_ERR_CONFIG on every call)`,
  ]),
);

describeStoreContract(
  mongo.kind === 'real' ? 'mongodb' : 'mongodb on CongoDB (in-process test server)',
  async () => {
    const { store } = await shared;
    return { store, cleanup: async () => {} };
  },
  {
    skip: { ...notImplemented, ...(mongo.kind === 'real' ? {} : CONGODB_CONTRACT_SKIPS) },
    async makeUnmigratedStores(count) {
      const dbName = testDatabaseName();
      const stores = Array.from({ length: count }, () => createMongoStore({ url: mongo.url, dbName }));
      return {
        stores,
        async cleanup() {
          await dropTestDatabase(mongo.url, dbName).catch(() => undefined);
          await Promise.all(stores.map((store) => store.close()));
        },
      };
    },
  },
);
