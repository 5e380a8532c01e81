import type { Store } from '@payrail/core';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { collections, createIndexes } from './collections';
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
import { backfillCustomerEmailKeys } from './repositories/payments-by-contact';
import { refundRepository } from './repositories/refunds';
import { reportRepository } from './repositories/reports';
import { reviewRepository } from './repositories/reviews';
import { riskCounterRepository } from './repositories/risk-counters';
import { sessionRepository } from './repositories/sessions';
import { shopRepository } from './repositories/shops';
import { storedCardRepository } from './repositories/stored-cards';
import { ticketRepository } from './repositories/tickets';
import { userRepository } from './repositories/users';
import { webhookRepository } from './repositories/webhooks';

export interface MongoStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…`; the database is the URL's path (default `payrail`). */
  url: string;
  /** Overrides the database named in the URL. */
  dbName?: string;
  /** How long an operation waits for a usable server before failing as unavailable (default 10 s). */
  serverSelectionTimeoutMS?: number;
  /**
   * The deployment is a sharded cluster (`payments` and `idempotency_keys` sharded on `{ _id: 'hashed' }`):
   * `migrate()` then skips the unique secondary indexes a sharded collection cannot have (see the
   * README). Default: detected — true when the server is a `mongos`.
   */
  sharded?: boolean;
  /** Extra driver options (they win over the defaults set here). */
  clientOptions?: MongoClientOptions;
}

/** The Store port on MongoDB. */
export interface MongoStore extends Store {
  readonly kind: 'mongodb';
  /** The driver client, for components that need the same deployment (the job scheduler's Mongo backend). */
  readonly client: MongoClient;
  readonly dbName: string;
}

/**
 * Opens the store. Nothing connects until the first operation (`migrate()` or `ping()` at start-up).
 *
 * Writes are acknowledged by a majority of the replica set (`w: "majority"`) unless the URL sets `w`:
 * an acknowledged payment change then survives a failover. `ignoreUndefined` keeps optional fields
 * absent rather than stored as null, so objects round-trip exactly.
 */
export function createMongoStore(options: MongoStoreOptions): MongoStore {
  const urlSetsWriteConcern = /[?&]w=/.test(options.url);
  const client = new MongoClient(options.url, {
    ...(urlSetsWriteConcern ? {} : { writeConcern: { w: 'majority' } }),
    ignoreUndefined: true,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    appName: 'payrail',
    ...options.clientOptions,
  });
  const dbName = options.dbName ?? (databaseInUrl(options.url) || 'payrail');
  const db = client.db(dbName);
  // Connect once, explicitly: if the first connect fails (the server is down at start-up), the driver
  // leaves a closed topology behind and every later operation would fail with "Topology is closed".
  // Forgetting the failed attempt makes the next operation try again.
  let connected: Promise<unknown> | undefined;
  const connect = async () => {
    connected ??= client.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    await connected;
  };
  const all = collections(db, connect);
  let closing: Promise<void> | undefined;
  const store: MongoStore = {
    kind: 'mongodb',
    client,
    dbName,
    async migrate() {
      await all.run(async () => {
        const sharded = options.sharded ?? (await db.command({ hello: 1 })).msg === 'isdbgrid';
        await backfillCustomerEmailKeys(all);
        await createIndexes(all, { sharded });
      });
    },
    async ping() {
      await all.run(() => db.command({ ping: 1 }));
    },
    close() {
      closing ??= client.close();
      return closing;
    },
    merchants: merchantRepository(all),
    apiKeys: apiKeyRepository(all),
    payments: paymentRepository(all),
    refunds: refundRepository(all),
    ledger: ledgerRepository(all),
    idempotency: idempotencyRepository(all),
    events: eventRepository(all),
    storedCards: storedCardRepository(all),
    users: userRepository(all),
    sessions: sessionRepository(all),
    accountTokens: accountTokenRepository(all),
    auditLog: auditLogRepository(all),
    webhooks: webhookRepository(all),
    jobs: jobRepository(all),
    riskCounters: riskCounterRepository(all),
    reviews: reviewRepository(all),
    antifraud: antifraudRepository(all),
    reports: reportRepository(all),
    applications: applicationRepository(all),
    acquiringBanks: acquiringBankRepository(all),
    tickets: ticketRepository(all),
    issuers: issuerRepository(all),
    shops: shopRepository(all),
    buyerContacts: buyerContactRepository(all),
    notifications: notificationRepository(all),
  };
  return store;
}

/** The database in a MongoDB URL's path (`mongodb://host/<db>?…`), or '' when there is none. */
function databaseInUrl(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url);
  return match?.[1] ? decodeURIComponent(match[1]) : '';
}
