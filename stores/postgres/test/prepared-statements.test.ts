import { isPayrailErrorCode } from '@payrail/core';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src';
import { Db } from '../src/db';
import { createPool, poolConfig } from '../src/pool';
import { createEmbeddedTestStore, createTestDatabase, type TestDatabase } from '../src/testing';

describe('named prepared statements (Db.queryPrepared)', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  /** One connection, so pg_prepared_statements shows what this Db prepared. */
  const openDb = (options: ConstructorParameters<typeof Db>[1]) => {
    const pool = createPool({ ...poolConfig(1), connectionString: database.url });
    pools.push(pool);
    return new Db(pool, options);
  };
  const preparedNames = async (db: Db) =>
    (
      await db.query<{ name: string }>(
        "SELECT name FROM pg_prepared_statements WHERE name LIKE 'payrail\\_%' ORDER BY name",
      )
    ).map((row) => row.name);

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  it('prepares a text once per connection under one name and runs it again by that name', async () => {
    const db = openDb({ preparedStatements: true });
    expect(await db.queryPrepared<{ n: number }>('SELECT $1::int + 1 AS n', [1])).toEqual([{ n: 2 }]);
    expect(await db.queryPrepared<{ n: number }>('SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
    const names = await preparedNames(db);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^payrail_[0-9a-f]{20}$/);
  });

  it('runs unnamed when turned off, and past the cap of distinct texts', async () => {
    const off = openDb({ preparedStatements: false });
    expect(await off.queryPrepared<{ n: number }>('SELECT 7 AS n')).toEqual([{ n: 7 }]);
    expect(await preparedNames(off)).toEqual([]);

    const capped = openDb({ preparedStatements: true, maxPreparedTexts: 3 });
    for (let i = 0; i < 5; i++) {
      expect(await capped.queryPrepared<{ n: number }>(`SELECT ${i} AS n`)).toEqual([{ n: i }]);
    }
    // Texts past the cap still run, unnamed; the first three stay named.
    expect(await capped.queryPrepared<{ n: number }>('SELECT 4 AS n')).toEqual([{ n: 4 }]);
    expect(await preparedNames(capped)).toHaveLength(3);
  });

  it('survives a migration that changes the columns of a SELECT * it prepared', async () => {
    const db = openDb({ preparedStatements: true });
    await db.query('CREATE TABLE prepared_probe (id int PRIMARY KEY)');
    await db.query('INSERT INTO prepared_probe VALUES (1)');
    const select = 'SELECT * FROM prepared_probe WHERE id = $1';
    expect(await db.queryPrepared(select, [1])).toEqual([{ id: 1 }]);
    // Without the re-prepare PostgreSQL answers 0A000 "cached plan must not change result type".
    await db.query("ALTER TABLE prepared_probe ADD COLUMN note text NOT NULL DEFAULT 'x'");
    expect(await db.queryPrepared(select, [1])).toEqual([{ id: 1, note: 'x' }]);
    expect(await db.queryPrepared(select, [1])).toEqual([{ id: 1, note: 'x' }]);
  });

  it('re-prepares a statement the session lost (DEALLOCATE ALL, as a pooler may do)', async () => {
    const db = openDb({ preparedStatements: true });
    const text = 'SELECT $1::text AS s';
    expect(await db.queryPrepared(text, ['a'])).toEqual([{ s: 'a' }]);
    await db.query('DEALLOCATE ALL');
    expect(await db.queryPrepared(text, ['b'])).toEqual([{ s: 'b' }]);
    expect(await preparedNames(db)).toHaveLength(1);
  });

  it('still reports real errors as PayrailErrors', async () => {
    const db = openDb({ preparedStatements: true });
    const error = await db.queryPrepared('SELECT * FROM no_such_table_here').catch((e: unknown) => e);
    expect(isPayrailErrorCode(error, 'PAYRAIL_ERR_INTERNAL')).toBe(true);
  });
});

describe('which stores prepare their hot statements', () => {
  let database: TestDatabase;
  let store: PostgresStore;
  let embedded: PostgresStore;
  const countPrepared = async (pool: pg.Pool) =>
    (
      await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'payrail\\_%'",
      )
    ).rows[0]?.n;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = createPostgresStore({ url: database.url, poolSize: 1 });
    await store.migrate();
    embedded = await createEmbeddedTestStore({ poolSize: 2 });
    await embedded.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await embedded?.close();
    await database?.drop();
  });

  it('the PostgreSQL store does', async () => {
    expect(await store.payments.getById({ id: 'pay_none' })).toBeNull();
    expect(await countPrepared(store.pool)).toBe(1);
  });

  it('PGlite does not: its one session is shared by all connections, where names would collide', async () => {
    await Promise.all([
      embedded.payments.getById({ id: 'pay_none' }),
      embedded.payments.getById({ id: 'pay_none' }),
      embedded.merchants.get({ id: 'mer_none' }),
    ]);
    expect(await countPrepared(embedded.pool)).toBe(0);
  });
});
