import type { Clock, JobScheduler, Logger, Orchestrator, OutboxEvent, Store } from '@payrail/core';
import type { PostgresStore } from '@payrail/store-postgres';
import type { MongoClient } from 'mongodb';
import type { Notifier } from '../accounts/notifications/notifier';
import { notifyForEvent } from '../accounts/notifications/payment-notifications';
import { purgeExpiredRiskCounters, resolveExpiredReviews } from '../antifraud/jobs';
import type { ReviewSettings } from '../antifraud/reviews';
import { resumeApprovals } from '../onboarding/resume-approvals';
import { dispatchOutbox } from '../webhooks/dispatcher';
import type { RetryPolicy } from '../webhooks/retry-schedule';
import type { SecretBox } from '../webhooks/secret-box';
import { WebhookSender } from '../webhooks/sender';
import { AgendaJobScheduler, type SchedulerDatabase } from './agenda-scheduler';
import { DRAIN_BUDGET_MS, drainBatches } from './drain-batches';
import { expireUnpaidPayments, voidStaleAuthorizations } from './payment-expiry';
import { syncPendingPayments } from './payment-sync';
import { reconcilePayments } from './reconciliation';
import { syncPendingRefunds } from './refund-sync';
import { rollUpReports } from './report-rollups';
import { expireTrials } from './trial-expiry';
import { yieldingPool } from './yielding-pool';

/** Job names as stored in `agenda_jobs`. */
export const JOB_NAMES = {
  dispatchOutbox: 'webhooks.dispatch_outbox',
  deliverWebhooks: 'webhooks.deliver',
  deliverNotifications: 'notifications.deliver',
  syncPayments: 'payments.sync',
  syncRefunds: 'refunds.sync',
  expirePayments: 'payments.expire',
  autoVoid: 'payments.auto_void',
  reconcile: 'payments.reconcile',
  resolveReviews: 'antifraud.resolve_expired_reviews',
  purgeRiskCounters: 'antifraud.purge_risk_counters',
  expireTrials: 'onboarding.expire_trials',
  rollUpReports: 'reports.rollup',
} as const;

export interface JobSettings {
  /** How often each process polls agenda for due jobs (ms). */
  pollIntervalMs: number;
  /** Unpaid payments are canceled after this (ms). */
  paymentExpireAfterMs: number;
  /** Authorizations not captured are voided after this (ms). */
  autoVoidAfterMs: number;
  /** Reconciliation compares payments unchanged for this long (ms). */
  reconcileAfterMs: number;
  webhookTimeoutMs: number;
  /** How often the webhook and payment jobs are due; defaults below. Tests shorten them. */
  intervals?: Partial<Record<keyof typeof JOB_NAMES, string>>;
  webhookRetry?: RetryPolicy;
  /** First sync of a pending payment after it has been unchanged this long (ms; default 30 s). */
  syncMinAgeMs?: number;
  syncBaseDelayMs?: number;
  /** Antifraud reviews left open: timeout and default action (PAYRAIL_REVIEW_*). */
  reviews?: ReviewSettings;
}

const DEFAULT_INTERVALS: Record<keyof typeof JOB_NAMES, string> = {
  dispatchOutbox: '2s',
  deliverWebhooks: '2s',
  deliverNotifications: '2s',
  syncPayments: '30s',
  syncRefunds: '1m',
  expirePayments: '5m',
  autoVoid: '1h',
  // Hourly tick; the run itself happens once per UTC day (reconciliation.ts).
  reconcile: '1h',
  resolveReviews: '5m',
  purgeRiskCounters: '1h',
  // A trial ends at most this late after its 24 hours.
  expireTrials: '5m',
  // Closes the previous UTC day soon after midnight and keeps days changed since their rollup few.
  rollUpReports: '1h',
};

export interface BackgroundJobDeps {
  store: Store;
  orchestrator: Orchestrator;
  clock: Clock;
  logger: Logger;
  webhookSecrets?: SecretBox | undefined;
  /** Account notifications for payment events (buyers, merchant owners); none when absent. */
  notifier?: Notifier | undefined;
  /** The personal account's address, for links in job notifications (trial expiry). */
  accountUrl?: string | undefined;
}

export interface BackgroundJobs {
  scheduler: JobScheduler;
  sender: WebhookSender;
  stop(): Promise<void>;
}

/**
 * Defines and starts every background job on agenda, in the store's own database (PostgreSQL, the
 * embedded PGlite, or MongoDB). Several processes may do this on one database: each job row is shared, and
 * every job is idempotent (see docs/jobs.md).
 */
export async function startBackgroundJobs(
  deps: BackgroundJobDeps,
  settings: JobSettings,
): Promise<BackgroundJobs> {
  const scheduler = new AgendaJobScheduler({
    database: schedulerDatabase(deps.store),
    logger: deps.logger,
    processEveryMs: settings.pollIntervalMs,
  });
  const sender = new WebhookSender({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    secrets: deps.webhookSecrets,
    timeoutMs: settings.webhookTimeoutMs,
    ...(settings.webhookRetry ? { retry: settings.webhookRetry } : {}),
  });
  const paymentDeps = deps;
  scheduler.define(JOB_NAMES.dispatchOutbox, async () => {
    // Drain the backlog batch by batch, within the time budget (drain-batches.ts).
    const { notifier } = deps;
    // Queued (deduplicated per event and user) before the event is marked: a crash cannot skip them.
    const beforeDispatch = notifier
      ? async (event: OutboxEvent) => {
          try {
            await notifyForEvent({ store: deps.store, notifier, event });
          } catch (error) {
            // A notification is a courtesy: it never holds up the outbox.
            deps.logger.warn({ err: error, eventId: event.id }, 'payment notification failed');
          }
        }
      : undefined;
    await drainBatches(
      () =>
        dispatchOutbox({
          store: deps.store,
          clock: deps.clock,
          ...(beforeDispatch ? { beforeDispatch } : {}),
        }),
      100,
      DRAIN_BUDGET_MS,
    );
  });
  scheduler.define(JOB_NAMES.deliverWebhooks, async () => {
    await drainBatches(() => sender.runOnce(), 50, DRAIN_BUDGET_MS);
  });
  scheduler.define(JOB_NAMES.deliverNotifications, async () => {
    // The durable queue's safety net: whatever the fast path after enqueue did not deliver.
    const { notifier } = deps;
    if (notifier) await drainBatches(() => notifier.deliverDue({ limit: 50 }), 50, DRAIN_BUDGET_MS);
  });
  scheduler.define(JOB_NAMES.syncPayments, async () => {
    await syncPendingPayments(paymentDeps, {
      expireAfterMs: settings.paymentExpireAfterMs,
      ...(settings.syncMinAgeMs !== undefined ? { minAgeMs: settings.syncMinAgeMs } : {}),
      ...(settings.syncBaseDelayMs !== undefined ? { baseDelayMs: settings.syncBaseDelayMs } : {}),
    });
  });
  scheduler.define(JOB_NAMES.syncRefunds, async () => {
    await syncPendingRefunds(paymentDeps, {
      ...(settings.syncMinAgeMs !== undefined ? { minAgeMs: settings.syncMinAgeMs } : {}),
      ...(settings.syncBaseDelayMs !== undefined ? { baseDelayMs: settings.syncBaseDelayMs } : {}),
    });
  });
  scheduler.define(JOB_NAMES.expirePayments, async () => {
    await expireUnpaidPayments(paymentDeps, { expireAfterMs: settings.paymentExpireAfterMs });
  });
  scheduler.define(JOB_NAMES.autoVoid, async () => {
    await voidStaleAuthorizations(paymentDeps, { autoVoidAfterMs: settings.autoVoidAfterMs });
  });
  scheduler.define(JOB_NAMES.reconcile, async () => {
    await reconcilePayments(paymentDeps, { olderThanMs: settings.reconcileAfterMs });
  });
  scheduler.define(JOB_NAMES.resolveReviews, async () => {
    const now = () => deps.clock.now();
    // At most 100 per call: drain the backlog batch by batch.
    for (;;) {
      const done = await resolveExpiredReviews({
        services: deps,
        now: now(),
        ...(settings.reviews ? { settings: settings.reviews } : {}),
      });
      if (done.approved + done.rejected + done.failed < 100 || done.failed > 0) break;
    }
  });
  scheduler.define(JOB_NAMES.purgeRiskCounters, async () => {
    await drainBatches(
      () => purgeExpiredRiskCounters({ store: deps.store, now: deps.clock.now() }),
      10_000,
      DRAIN_BUDGET_MS,
    );
  });
  scheduler.define(JOB_NAMES.expireTrials, async () => {
    await expireTrials(deps);
    // MongoDB: approvals a crash left half-written (onboarding/resume-approvals.ts).
    await resumeApprovals(deps);
  });
  scheduler.define(JOB_NAMES.rollUpReports, async () => {
    await rollUpReports(deps);
  });
  await scheduler.start();
  const intervals = { ...DEFAULT_INTERVALS, ...settings.intervals };
  for (const [job, name] of Object.entries(JOB_NAMES) as Array<[keyof typeof JOB_NAMES, string]>) {
    await scheduler.every(name, intervals[job]);
  }
  let stopping: Promise<void> | undefined;
  return {
    scheduler,
    sender,
    stop() {
      stopping ??= (async () => {
        await scheduler.stop();
        await sender.close();
      })();
      return stopping;
    },
  };
}

/** Whether this store can host agenda: PostgreSQL and PGlite expose their pool, MongoDB its client. */
export function supportsBackgroundJobs(store: Store): boolean {
  return schedulerDatabaseOf(store) !== undefined;
}

function schedulerDatabase(store: Store): SchedulerDatabase {
  const database = schedulerDatabaseOf(store);
  if (!database)
    throw new Error(`Background jobs need a PostgreSQL, embedded or MongoDB store, not "${store.kind}".`);
  return database;
}

function schedulerDatabaseOf(store: Store): SchedulerDatabase | undefined {
  const { pool, client, dbName } = store as Partial<{
    pool: PostgresStore['pool'];
    client: MongoClient;
    dbName: string;
  }>;
  if (store.kind === 'mongodb' && client && dbName) return { kind: 'mongodb', db: client.db(dbName) };
  if (typeof pool !== 'object') return undefined;
  return {
    kind: 'postgres',
    // PGlite: one connection shared with requests; agenda's polling must not crowd them out.
    pool: store.kind === 'pglite' ? yieldingPool(pool) : pool,
    // PGlite's pool has one connection, which LISTEN would hold forever (agenda-scheduler.ts).
    notifications: store.kind === 'postgres',
  };
}

/** The job settings of a server configuration (PAYRAIL_JOBS_* and friends). */
export function jobSettings(config: {
  pollIntervalMs: number;
  paymentExpireAfterMs: number;
  autoVoidAfterMs: number;
  reconcileAfterMs: number;
  webhookTimeoutMs: number;
  reviews?: ReviewSettings | undefined;
}): JobSettings {
  return {
    ...(config.reviews ? { reviews: config.reviews } : {}),
    pollIntervalMs: config.pollIntervalMs,
    paymentExpireAfterMs: config.paymentExpireAfterMs,
    autoVoidAfterMs: config.autoVoidAfterMs,
    reconcileAfterMs: config.reconcileAfterMs,
    webhookTimeoutMs: config.webhookTimeoutMs,
  };
}
