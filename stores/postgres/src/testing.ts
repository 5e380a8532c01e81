import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
      // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left open instead of failing on them.
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
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
