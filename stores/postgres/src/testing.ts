import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { createEmbeddedStore, dumpEmbeddedStore } from './embedded';
import type { PostgresStore } from './store';

/** Where tests find a PostgreSQL server they may create databases on (trust auth on these machines). */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open on it. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, empty database on the PostgreSQL server at `adminUrl` (default:
 * `PAYRAIL_TEST_POSTGRES_URL`, else a local server), so that test files never share state.
 */
export async function createTestDatabase(options: { adminUrl?: string } = {}): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? process.env.PAYRAIL_TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
  const name = `payrail_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, async (client) => {
        // A plain DROP first, retried for up to 3 s: a connection still closing (a pool winding down under
        // load) gets to end on its own. Killing it instead makes its client emit a FATAL 57P01 error that
        // may have no listener any more. WITH (FORCE) (PostgreSQL 13+) only for sessions a test left open.
        for (let attempt = 0; attempt < 30; attempt++) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name}`);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '55006') throw error; // object_in_use
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Empties every Payrail table but keeps the schema and the migration history: the cheap way to give
 * each test case a clean database when creating one per case costs too much (PGlite: seconds).
 */
export async function truncateAll(store: PostgresStore): Promise<void> {
  const { rows } = await store.pool.query<{ name: string }>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables
      WHERE schemaname = current_schema() AND tablename <> 'payrail_migrations'`,
  );
  if (rows.length === 0) return;
  await store.pool.query(`TRUNCATE ${rows.map((row) => row.name).join(', ')} CASCADE`);
}

/** Environment variable naming the migrated PGlite template tarball the test run's global setup made. */
export const PGLITE_TEMPLATE_ENV = 'PAYRAIL_PGLITE_TEMPLATE';

let template: Promise<Blob | undefined> | undefined;

/**
 * A throwaway in-memory embedded store for tests. When the run's global setup left a migrated template
 * (`PAYRAIL_PGLITE_TEMPLATE`, see stores/postgres/test/pglite-template.setup.ts), the store starts from it — about 5×
 * faster than initdb plus migrations; otherwise it is made from scratch. Call `migrate()` as usual.
 */
export async function createEmbeddedTestStore(options: { poolSize?: number } = {}): Promise<PostgresStore> {
  template ??= (async () => {
    const path = process.env[PGLITE_TEMPLATE_ENV];
    return path ? new Blob([await readFile(path)]) : undefined;
  })();
  const blob = await template;
  return createEmbeddedStore({
    dataDir: 'memory://',
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(blob ? { template: blob } : {}),
  });
}

/** Makes the template: a fresh in-memory store, migrated, dumped. */
export async function createMigratedPgliteTemplate(): Promise<Blob> {
  const store = await createEmbeddedStore({ dataDir: 'memory://' });
  try {
    await store.migrate();
    return await dumpEmbeddedStore(store);
  } finally {
    await store.close();
  }
}
