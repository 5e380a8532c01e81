import type { Store } from '@payrail/core';
import type pg from 'pg';
import { Db } from './db';
import { MIGRATIONS } from './migrations';
import { runMigrations } from './migrations/run';
import { apiKeyRepository } from './repositories/api-keys';
import { eventRepository } from './repositories/events';
import { idempotencyRepository } from './repositories/idempotency';
import { ledgerRepository } from './repositories/ledger';
import { merchantRepository } from './repositories/merchants';
import { paymentRepository } from './repositories/payments';
import { refundRepository } from './repositories/refunds';

/** The Store port on PostgreSQL, whether a server or the embedded PGlite. */
export interface PostgresStore extends Store {
  readonly kind: 'postgres' | 'pglite';
  /**
   * The store's pool, for components that need SQL on the same database (the job scheduler's
   * PostgreSQL backend). On PGlite this is the only way in: the database lives in this process.
   */
  readonly pool: pg.Pool;
}

/**
 * Builds the store on a ready pool. This is the one code path for data semantics; the server and the
 * embedded variants differ only in where the pool comes from and what `close` releases.
 */
export function createStoreOnPool(args: {
  kind: PostgresStore['kind'];
  pool: pg.Pool;
  close: () => Promise<void>;
}): PostgresStore {
  const db = new Db(args.pool);
  let closing: Promise<void> | undefined;
  return {
    kind: args.kind,
    pool: args.pool,
    async migrate() {
      await runMigrations(db, MIGRATIONS);
    },
    async ping() {
      await db.query('SELECT 1');
    },
    close() {
      closing ??= args.close();
      return closing;
    },
    merchants: merchantRepository(db),
    apiKeys: apiKeyRepository(db),
    payments: paymentRepository(db),
    refunds: refundRepository(db),
    ledger: ledgerRepository(db),
    idempotency: idempotencyRepository(db),
    events: eventRepository(db),
  };
}
