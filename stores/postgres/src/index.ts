export { createEmbeddedStore, type EmbeddedStoreOptions } from './embedded';
export { MIGRATIONS, type Migration } from './migrations';
export { createPostgresStore, type PostgresStoreOptions } from './pool';
export { createStoreOnPool, type PostgresStore } from './store';
// Test helpers also live at `@payrail/store-postgres/testing`; the database factory is re-exported here
// for convenience.
export { createTestDatabase, type TestDatabase } from './testing';
