import { describeStoreContract } from '@payrail/testkit';
import { afterAll } from 'vitest';
import { createEmbeddedStore, type PostgresStore } from '../src';
import { truncateAll } from '../src/testing';

// PGlite takes seconds to initialise a database, so this file opens one and empties it between cases.
let shared: Promise<PostgresStore> | undefined;

async function open() {
  const store = await createEmbeddedStore({ dataDir: 'memory://' });
  await store.migrate();
  return store;
}

afterAll(async () => {
  await (await shared)?.close();
});

describeStoreContract(
  'pglite',
  async () => {
    shared ??= open();
    const store = await shared;
    return { store, cleanup: () => truncateAll(store) };
  },
  {
    skip: {
      'migrate: concurrent migrate() of a new database from several stores':
        'PGlite is an in-process database: one data directory is opened by one store, so there is no second process to race',
    },
  },
);
