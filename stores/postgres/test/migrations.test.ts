import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/db';
import { MIGRATIONS, type Migration } from '../src/migrations';
import { runMigrations } from '../src/migrations/run';
import { createPool, poolConfig } from '../src/pool';
import { createTestDatabase, type TestDatabase } from '../src/testing';

describe('migration runner', () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Db(createPool({ ...poolConfig(2), connectionString: database.url }));
  });
  afterAll(async () => {
    await db?.pool.end();
    await database?.drop();
  });

  const widgets: Migration = {
    version: 1001,
    name: 'widgets',
    sql: 'CREATE TABLE widgets (id int PRIMARY KEY)',
  };
  const gadgets: Migration = {
    version: 1002,
    name: 'gadgets',
    sql: 'CREATE TABLE gadgets (id int PRIMARY KEY); INSERT INTO gadgets VALUES (1)',
  };
  const broken: Migration = {
    version: 1003,
    name: 'broken',
    sql: 'CREATE TABLE sprockets (id int); SELECT nope',
  };

  it('applies pending migrations once, in order, and records them', async () => {
    expect(await runMigrations(db, [...MIGRATIONS, widgets])).toEqual([
      ...MIGRATIONS.map((m) => m.version),
      1001,
    ]);
    expect(await runMigrations(db, [...MIGRATIONS, widgets, gadgets])).toEqual([1002]);
    expect(await runMigrations(db, [...MIGRATIONS, widgets, gadgets])).toEqual([]);
    const rows = await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM payrail_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), 1001, 1002]);
  });

  it('a failing migration leaves nothing behind, not even the ones before it in the same run', async () => {
    const later: Migration = { version: 1004, name: 'fine', sql: 'CREATE TABLE fine (id int)' };
    await expect(runMigrations(db, [...MIGRATIONS, widgets, gadgets, broken, later])).rejects.toThrow(/nope/);
    const tables = await db.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE tablename IN ('sprockets', 'fine')",
    );
    expect(tables).toEqual([]);
    const versions = await db.query<{ version: number }>(
      'SELECT version FROM payrail_migrations WHERE version > 1002',
    );
    expect(versions).toEqual([]);
  });

  it('refuses a list out of order', async () => {
    await expect(runMigrations(db, [gadgets, widgets])).rejects.toThrow(/out of order/);
  });
});
