import { silentLogger } from '@payrail/core';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AgendaJobScheduler } from '../src/jobs/agenda-scheduler';
import { waitFor } from './helpers/webhook-receiver';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** The JobScheduler port on agenda + PostgreSQL, two schedulers (two processes) on one database. */
describe('AgendaJobScheduler (PostgreSQL)', () => {
  let database: TestDatabase;
  let stores: PostgresStore[];
  let schedulers: AgendaJobScheduler[];
  const runs: Array<{ scheduler: number; payload: Record<string, unknown> }> = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    stores = [createPostgresStore({ url: database.url }), createPostgresStore({ url: database.url })];
    await stores[0]?.migrate();
    schedulers = stores.map(
      (store) =>
        new AgendaJobScheduler({
          database: { kind: 'postgres', pool: store.pool, notifications: true },
          logger: silentLogger,
          processEveryMs: 100,
        }),
    );
    schedulers.forEach((scheduler, index) => {
      scheduler.define('test.job', async (payload) => {
        runs.push({ scheduler: index, payload });
      });
    });
    // Both start at once: agenda's schema is created under an advisory lock, once.
    await Promise.all(schedulers.map((s) => s.start()));
  });
  afterAll(async () => {
    await Promise.all((schedulers ?? []).map((s) => s.stop()));
    await Promise.all((stores ?? []).map((s) => s.close()));
    await database?.drop();
  });

  it('runs a job once per uniqueKey, whichever process schedules it and however often', async () => {
    await Promise.all([
      schedulers[0]?.now('test.job', { n: 1 }, { uniqueKey: 'k1' }),
      schedulers[1]?.now('test.job', { n: 1 }, { uniqueKey: 'k1' }),
    ]);
    await schedulers[0]?.now('test.job', { n: 1 }, { uniqueKey: 'k1' });
    await schedulers[1]?.schedule('test.job', new Date(Date.now() + 200), { n: 2 });
    await waitFor(() => (runs.length >= 2 ? true : undefined));
    // Give both processes several polls to run anything extra, then look.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runs.map((r) => r.payload).sort((a, b) => Number(a.n) - Number(b.n))).toEqual([
      { n: 1 },
      { n: 2 },
    ]);
  });
});
