import { createHash } from 'node:crypto';
import type pg from 'pg';
import { sqlStateOf, toStoreError } from './errors';

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
  /** Statement text → its prepared-statement name; null when named statements are off (PGlite). */
  readonly #names: Map<string, string> | null;
  readonly #maxNames: number;

  constructor(
    readonly pool: pg.Pool,
    options: { preparedStatements?: boolean; maxPreparedTexts?: number } = {},
  ) {
    this.#names = options.preparedStatements ? new Map() : null;
    this.#maxNames = options.maxPreparedTexts ?? PREPARED_TEXTS;
  }

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

  /**
   * `query` as a named prepared statement: PostgreSQL parses (and, once it settles on a generic plan,
   * plans) it once per connection instead of on every call. For the hot paths' statements only, whose
   * texts come from a small set: each distinct text stays prepared on every connection that ran it, so
   * a text built from data (a multi-row insert of variable length, a list filter) must not come here —
   * and past PREPARED_TEXTS distinct texts per store the rest run unnamed anyway. Unnamed, too, where
   * named statements are off: PGlite, whose one session is shared by all pool connections.
   */
  async queryPrepared<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<R[]> {
    const name = this.#nameOf(text);
    if (name === undefined) return this.query<R>(text, values);
    try {
      const result = await this.pool.query<R>({ name, text, values });
      return result.rows;
    } catch (error) {
      if (!isStalePrepared(error)) throw toStoreError(error);
    }
    // The prepared statement went stale (a migration changed a table's columns under a running
    // server, or the session lost it): prepare the text afresh under a new name, once. Safe to repeat:
    // both errors come before the statement does anything, and it runs outside a transaction.
    const fresh = this.#rename(text);
    try {
      const result = await this.pool.query<R>({ name: fresh, text, values });
      return result.rows;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  #nameOf(text: string): string | undefined {
    const names = this.#names;
    if (!names) return undefined;
    const known = names.get(text);
    if (known !== undefined || names.size >= this.#maxNames) return known;
    const name = `payrail_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
    return name;
  }

  #rename(text: string): string {
    const base = this.#names?.get(text) ?? 'payrail_';
    const generation = Number(/_g(\d+)$/.exec(base)?.[1] ?? 0) + 1;
    const name = `${base.replace(/_g\d+$/, '')}_g${generation}`;
    this.#names?.set(text, name);
    return name;
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

/** Distinct statement texts a store prepares at most; later ones run unnamed. */
export const PREPARED_TEXTS = 200;

/**
 * 0A000 "cached plan must not change result type": a `SELECT *`/`RETURNING *` prepared before a
 * migration added a column. 26000: the session has no statement of that name (e.g. reset by a pooler).
 */
function isStalePrepared(error: unknown): boolean {
  const state = sqlStateOf(error);
  return (
    state === '26000' ||
    (state === '0A000' && /cached plan must not change result type/.test(String((error as Error).message)))
  );
}
