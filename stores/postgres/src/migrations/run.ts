import type { Db } from '../db';
import type { Migration } from './migration';

/**
 * Key of the transaction-scoped advisory lock that serialises `migrate()` across processes: two servers
 * starting at once must not both create the same tables. (The value is "payrail" in ASCII.)
 */
const MIGRATION_LOCK_KEY = '31632371629517164';

/**
 * Applies the pending migrations in one transaction: either all of them land or none, and a crash in
 * the middle leaves the schema as it was. Applied versions are recorded in `payrail_migrations`.
 */
export async function runMigrations(db: Db, migrations: readonly Migration[]): Promise<number[]> {
  assertOrdered(migrations);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await tx.query(`
      CREATE TABLE IF NOT EXISTS payrail_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Read after taking the lock: a process that waited sees what the first one applied.
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM payrail_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.query(migration.sql);
      await tx.query('INSERT INTO payrail_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    return done;
  });
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && previous.version >= migration.version) {
      throw new Error(`Migrations out of order: ${previous.version} before ${migration.version}`);
    }
  });
}
