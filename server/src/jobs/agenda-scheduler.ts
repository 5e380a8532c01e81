import type { MongoBackend } from '@agendajs/mongo-backend';
import { getCreateIndexesSQL, getCreateTableSQL, PostgresBackend } from '@agendajs/postgres-backend';
import type { JobScheduler, Logger } from '@payrail/core';
import type { PostgresStore } from '@payrail/store-postgres';
import { Agenda, type Job } from 'agenda';
import type { Db } from 'mongodb';
import { parseDuration } from './durations';

/** Where agenda keeps its jobs: the store's own database. */
export type SchedulerDatabase =
  | {
      kind: 'postgres';
      /** The store's pool. On PGlite it has one connection, which agenda then shares with requests. */
      pool: PostgresStore['pool'];
      /**
       * LISTEN/NOTIFY holds one pooled connection for good: fine on a PostgreSQL server, fatal on PGlite,
       * whose pool has a single connection (every request would queue behind it), and useless there too,
       * since NOTIFY does not cross pglite-socket. Off → polling only.
       */
      notifications: boolean;
    }
  /** agenda's MongoDB backend on the store's database (collection `agenda_jobs`), polling only. */
  | { kind: 'mongodb'; db: Db };

export interface AgendaSchedulerOptions {
  database: SchedulerDatabase;
  logger: Logger;
  /** How often this process polls for due jobs, in ms (a number: see durations.ts). */
  processEveryMs: number;
  /** A job whose process died is run again by another process after this long (ms); default 60 s. */
  lockLifetimeMs?: number;
  /** Name of this process in agenda's lock records (host:pid by default). */
  name?: string;
}

const TABLE = 'agenda_jobs';
/** Serialises agenda's CREATE TABLE IF NOT EXISTS across processes starting at once ("agenda" in ASCII). */
const SCHEMA_LOCK_KEY = '418430301281';

/**
 * The JobScheduler port on agenda 6 with its PostgreSQL backend on the store's own pool, or its MongoDB
 * backend on the store's database. Every job definition is a single row in `agenda_jobs`, locked by one process at a time, so a recurring job runs
 * in one process at once. Handlers are written to be idempotent anyway (a lock can expire under a slow
 * run, and a crash re-runs a job), so "at most one at a time" is an optimisation, not the guarantee.
 */
export class AgendaJobScheduler implements JobScheduler {
  readonly #options: AgendaSchedulerOptions;
  readonly #definitions = new Map<string, (payload: Record<string, unknown>) => Promise<void>>();
  #agenda: Agenda | undefined;
  #stopped = false;
  /** agenda's queries in flight: stop() waits for them, so none reaches the pool after the store closes. */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: AgendaSchedulerOptions) {
    this.#options = options;
  }

  define<T extends Record<string, unknown>>(name: string, handler: (payload: T) => Promise<void>): void {
    this.#definitions.set(name, handler as (payload: Record<string, unknown>) => Promise<void>);
    if (this.#agenda) this.#register(this.#agenda, name);
  }

  async now(name: string, payload: Record<string, unknown>, options: { uniqueKey?: string } = {}) {
    await this.#create(name, new Date(), payload, options.uniqueKey);
  }

  async schedule(
    name: string,
    at: Date,
    payload: Record<string, unknown>,
    options: { uniqueKey?: string } = {},
  ) {
    await this.#create(name, at, payload, options.uniqueKey);
  }

  async every(name: string, interval: string, payload: Record<string, unknown> = {}): Promise<void> {
    // `every` keeps ONE row per name (type 'single'), so every process calling it shares that row.
    await this.#started().every(parseDuration(interval, `interval of ${name}`), name, payload);
  }

  async start(): Promise<void> {
    if (this.#agenda) return;
    const agenda = new Agenda({
      backend: await this.#backend(),
      name: this.#options.name ?? `${process.env.HOSTNAME ?? 'payrail'}:${process.pid}`,
      processEvery: this.#options.processEveryMs,
      defaultLockLifetime: this.#options.lockLifetimeMs ?? 60_000,
      // One run of each job at a time in this process; the jobs batch their own work.
      defaultConcurrency: 1,
      maxConcurrency: 8,
    });
    agenda.on('error', (error) => {
      if (!this.#stopped) this.#options.logger.error({ err: error }, 'job scheduler error');
    });
    agenda.on('fail', (error: Error | string, job: { attrs: { name: string } }) =>
      this.#options.logger.error({ err: error, job: job.attrs.name }, 'background job failed'),
    );
    for (const name of this.#definitions.keys()) this.#register(agenda, name);
    await agenda.start();
    this.#agenda = agenda;
  }

  /** Lets running jobs finish (up to `timeoutMs`), then stops polling. The pool stays open (it is the store's). */
  async stop(timeoutMs = 5_000): Promise<void> {
    const agenda = this.#agenda;
    if (!agenda) return;
    this.#agenda = undefined;
    const result = await agenda.drain({ timeout: timeoutMs, closeConnection: false });
    this.#stopped = true;
    // A poll that started before the drain may still be running its lock query: let it land.
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    if (result.timedOut) {
      this.#options.logger.warn(
        { running: result.running },
        'jobs still running at shutdown; their locks expire and another process re-runs them',
      );
    }
  }

  async #backend(): Promise<MongoBackend | PostgresBackend> {
    const database = this.#options.database;
    if (database.kind === 'mongodb') {
      const jobs = database.db.collection(TABLE);
      // agenda's unique() is a read then an upsert; this index makes `uniqueKey` hold across processes.
      await jobs.createIndex(
        { name: 1, 'data.uniqueKey': 1 },
        { unique: true, partialFilterExpression: { 'data.uniqueKey': { $exists: true } } },
      );
      // Loaded only on MongoDB, like the driver it brings.
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return new MongoBackend({ mongo: database.db, collection: TABLE });
    }
    await this.#ensureSchema(database.pool);
    return new PostgresBackend({
      pool: this.#tracked(database.pool),
      tableName: TABLE,
      ensureSchema: false,
      disableNotifications: !database.notifications,
    });
  }

  #tracked(pool: PostgresStore['pool']): PostgresStore['pool'] {
    const inFlight = this.#inFlight;
    return new Proxy(pool, {
      get(target, property) {
        if (property === 'query') {
          return (...args: unknown[]) => {
            const query = (target.query as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            inFlight.add(query);
            query.then(
              () => inFlight.delete(query),
              () => inFlight.delete(query),
            );
            return query;
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  #register(agenda: Agenda, name: string): void {
    const handler = this.#definitions.get(name);
    if (!handler) return;
    agenda.define(name, async (job: Job<Record<string, unknown>>) => {
      const { uniqueKey: _unique, ...payload } = (job.attrs.data ?? {}) as Record<string, unknown>;
      await handler(payload);
    });
  }

  async #create(name: string, at: Date, payload: Record<string, unknown>, uniqueKey?: string) {
    const agenda = this.#started();
    if (!uniqueKey) {
      await agenda.schedule(at, name, payload);
      return;
    }
    try {
      await agenda
        .create(name, { ...payload, uniqueKey })
        .unique({ 'data.uniqueKey': uniqueKey }, { insertOnly: true })
        .schedule(at)
        .save();
    } catch (error) {
      // Another process inserted the same key between agenda's read and write: it is scheduled.
      const code = (error as { code?: string | number }).code;
      if (code !== '23505' && code !== 11000) throw error;
    }
  }

  #started(): Agenda {
    if (!this.#agenda) throw new Error('Start the job scheduler before scheduling jobs.');
    return this.#agenda;
  }

  /** agenda's own schema code, run under an advisory lock so two processes starting at once do not race. */
  async #ensureSchema(pool: PostgresStore['pool']): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
      await client.query(getCreateTableSQL(TABLE));
      for (const sql of getCreateIndexesSQL(TABLE)) await client.query(sql);
      // agenda's unique() is a read then a write; this index makes `uniqueKey` hold across processes.
      await client.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS payrail_agenda_unique_key ON ${TABLE} (name, (data->>'uniqueKey')) WHERE data ? 'uniqueKey'`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
