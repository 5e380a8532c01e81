import { describeStoreContract } from '@payrail/testkit';
import { afterAll } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src';
import { createTestDatabase, type TestDatabase, truncateAll } from '../src/testing';

// One database for this file, migrated once; each case gets it emptied.
let shared: Promise<{ db: TestDatabase; store: PostgresStore }> | undefined;

async function open() {
  const db = await createTestDatabase();
  const store = createPostgresStore({ url: db.url, poolSize: 10 });
  await store.migrate();
  return { db, store };
}

afterAll(async () => {
  if (!shared) return;
  const { db, store } = await shared;
  await store.close();
  await db.drop();
});

describeStoreContract(
  'postgres',
  async () => {
    shared ??= open();
    const { store } = await shared;
    return { store, cleanup: () => truncateAll(store) };
  },
  {
    async makeUnmigratedStores(count) {
      const db = await createTestDatabase();
      const stores = Array.from({ length: count }, () => createPostgresStore({ url: db.url, poolSize: 2 }));
      return {
        stores,
        async cleanup() {
          await Promise.all(stores.map((store) => store.close()));
          await db.drop();
        },
      };
    },
  },
);
