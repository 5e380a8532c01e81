import pg from 'pg';
import { typeParsers } from './pg-types';
import { createStoreOnPool, type PostgresStore } from './store';

export interface PostgresStoreOptions {
  /** A libpq connection URL, e.g. `postgres://payrail:secret@db.internal:5432/payrail`. */
  url: string;
  /** Connections kept by this process; default 10. */
  poolSize?: number;
  /**
   * Run the hot statements (payment path, API keys, idempotency) as named prepared statements, parsed
   * and planned once per connection; default true. Turn off behind a connection pooler in transaction
   * mode that does not track prepared statements (e.g. PgBouncer before 1.21).
   */
  preparedStatements?: boolean;
}

/** Shared pool settings for both variants. */
export function poolConfig(max: number): pg.PoolConfig {
  return {
    max,
    types: typeParsers,
    // Fail a request after 10 s rather than queueing it forever behind an unreachable database.
    connectionTimeoutMillis: 10_000,
    application_name: 'payrail',
  };
}

/**
 * Creates the pool and attaches the listener every pg.Pool needs: an idle client whose connection drops
 * emits 'error' on the pool, and an unhandled 'error' event would crash the process. The pool discards
 * that client by itself; the next query opens a fresh connection or reports the outage.
 */
export function createPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => {});
  return pool;
}

/** The store on a PostgreSQL server. Call `migrate()` before use. */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const pool = createPool({ ...poolConfig(options.poolSize ?? 10), connectionString: options.url });
  return createStoreOnPool({
    kind: 'postgres',
    pool,
    close: () => pool.end(),
    preparedStatements: options.preparedStatements,
  });
}
