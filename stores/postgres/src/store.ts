import type { Store } from '@payrail/core';
import type pg from 'pg';
import { Db } from './db';
import { MIGRATIONS } from './migrations';
import { runMigrations } from './migrations/run';
import { accountTokenRepository } from './repositories/account-tokens';
import { acquiringBankRepository } from './repositories/acquiring-banks';
import { antifraudRepository } from './repositories/antifraud';
import { apiKeyRepository } from './repositories/api-keys';
import { applicationRepository } from './repositories/applications';
import { auditLogRepository } from './repositories/audit-log';
import { buyerContactRepository } from './repositories/buyer-contacts';
import { eventRepository } from './repositories/events';
import { idempotencyRepository } from './repositories/idempotency';
import { issuerRepository } from './repositories/issuers';
import { jobRepository } from './repositories/jobs';
import { ledgerRepository } from './repositories/ledger';
import { merchantRepository } from './repositories/merchants';
import { notificationRepository } from './repositories/notifications';
import { paymentRepository } from './repositories/payments';
import { refundRepository } from './repositories/refunds';
import { type RollupRunResult, rollUpReports } from './repositories/report-rollups';
import { reportRepository } from './repositories/reports';
import { reviewRepository } from './repositories/reviews';
import { riskCounterRepository } from './repositories/risk-counters';
import { sessionRepository } from './repositories/sessions';
import { shopRepository } from './repositories/shops';
import { storedCardRepository } from './repositories/stored-cards';
import { ticketRepository } from './repositories/tickets';
import { userRepository } from './repositories/users';
import { webhookRepository } from './repositories/webhooks';

/** The Store port on PostgreSQL, whether a server or the embedded PGlite. */
export interface PostgresStore extends Store {
  readonly kind: 'postgres' | 'pglite';
  /**
   * The store's pool, for components that need SQL on the same database (the job scheduler's
   * PostgreSQL backend). On PGlite this is the only way in: the database lives in this process.
   */
  readonly pool: pg.Pool;
  /** Rolls up closed UTC days for reports and recomputes changed ones (migration 0018; run by a job). */
  rollUpReports(now: Date): Promise<RollupRunResult>;
}

/**
 * Builds the store on a ready pool. This is the one code path for data semantics; the server and the
 * embedded variants differ only in where the pool comes from and what `close` releases.
 */
export function createStoreOnPool(args: {
  kind: PostgresStore['kind'];
  pool: pg.Pool;
  close: () => Promise<void>;
  /**
   * Hot statements as named prepared statements (see Db.queryPrepared); default on for a PostgreSQL
   * server. Always off on PGlite: all its connections share one session, so a statement one pool
   * connection prepared would collide with another's.
   */
  preparedStatements?: boolean;
}): PostgresStore {
  const db = new Db(args.pool, {
    preparedStatements: args.kind === 'postgres' && (args.preparedStatements ?? true),
  });
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
    rollUpReports: (now) => rollUpReports(db, now),
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
    webhooks: webhookRepository(db),
    jobs: jobRepository(db),
    users: userRepository(db),
    sessions: sessionRepository(db),
    accountTokens: accountTokenRepository(db),
    auditLog: auditLogRepository(db),
    storedCards: storedCardRepository(db),
    riskCounters: riskCounterRepository(db),
    reviews: reviewRepository(db),
    antifraud: antifraudRepository(db),
    reports: reportRepository(db),
    tickets: ticketRepository(db),
    applications: applicationRepository(db),
    acquiringBanks: acquiringBankRepository(db),
    shops: shopRepository(db),
    buyerContacts: buyerContactRepository(db),
    issuers: issuerRepository(db),
    notifications: notificationRepository(db),
  };
}
