import type pg from 'pg';
import { toStoreError } from './errors';

/** What repositories run SQL on: the pool (one statement, autocommit) or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** Returned from a transaction body to roll back and still hand a value to the caller. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

export const rollback = <T>(value: T): Rollback<T> => new Rollback(value);

/**
 * The store's only door to the database. Every error leaving it is a PayrailError.
 *
 * A transaction holds one pooled client for its whole body, and the body must never wait on another
 * pool query: on PGlite every other connection is queued while a transaction is open, so doing so
 * deadlocks (and on PostgreSQL it can exhaust the pool).
 */
export class Db {
  constructor(readonly pool: pg.Pool) {}

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<R[]> {
    try {
      const result = await this.pool.query<R>(text, values);
      return result.rows;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async transaction<T>(body: (tx: Queryable) => Promise<T | Rollback<T>>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await body(client);
      if (result instanceof Rollback) {
        await client.query('ROLLBACK');
        return result.value;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: have the pool destroy it instead of handing it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw toStoreError(error);
    } finally {
      client.release(broken);
    }
  }
}
