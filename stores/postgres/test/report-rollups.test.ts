import {
  boundariesOf,
  type LocalDate,
  periodBuckets,
  type ReportRepository,
  type ReportScope,
  yearMonths,
} from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src';
import { Db } from '../src/db';
import { liveReportRepository } from '../src/repositories/reports';
import { createEmbeddedTestStore, createTestDatabase, type TestDatabase } from '../src/testing';

// The rollup-based report port must answer exactly like the live GROUP BY, whatever changed since the last
// rollup run: random payments (seeded generator) with status changes, late refunds, payments written into
// closed days, compared over several ranges, groupings and time zones, before and after the job runs.

const MERCHANTS = ['mer_rollup_a', 'mer_rollup_b'];
const CURRENCIES = ['RUB', 'USD', 'EUR'];
const METHODS = ['card', 'qiwi', 'webmoney'];
const SHOPS = [null, 'shop_rollup_1', 'shop_rollup_2'];
const STATUSES = [
  'succeeded',
  'failed',
  'canceled',
  'partially_refunded',
  'refunded',
  'processing',
  'authorized',
];
const START = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

/** mulberry32: a small seeded generator, so a failure replays. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

type Rng = ReturnType<typeof generator>;

interface Seeded {
  id: string;
  merchant: string;
  mode: string;
  currency: string;
  createdAt: number;
  amount: number;
}

let counter = 0;

async function insertPayments(store: PostgresStore, rng: Rng, count: number, from: number, to: number) {
  const rows: Seeded[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      id: `pay_rollup_${String(counter++).padStart(6, '0')}`,
      merchant: rng.pick(MERCHANTS),
      mode: rng.next() < 0.85 ? 'test' : 'live',
      currency: rng.pick(CURRENCIES),
      createdAt: from + rng.int(to - from),
      amount: 100 + rng.int(100_000),
    });
  }
  await store.pool.query(
    `INSERT INTO payments (id, merchant_id, mode, status, amount, currency, amount_capturable, amount_captured,
                           amount_refunded, amount_refund_pending, method, capture_method, version, created_at,
                           updated_at, shop_id)
     SELECT id, merchant, mode, status, amount, currency, 0, 0, 0, 0, method, 'automatic', 1, t, t, shop
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],
                   $8::timestamptz[], $9::text[]) AS x(id, merchant, mode, status, amount, currency, method, t, shop)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.merchant),
      rows.map((r) => r.mode),
      rows.map(() => rng.pick(STATUSES)),
      rows.map((r) => r.amount),
      rows.map((r) => r.currency),
      rows.map(() => rng.pick(METHODS)),
      rows.map((r) => new Date(r.createdAt)),
      rows.map(() => rng.pick(SHOPS)),
    ],
  );
  return rows;
}

/** Capture lines (gross and fee) a few minutes to hours after the payment, often across a day's end. */
async function insertLedger(
  store: PostgresStore,
  rng: Rng,
  payments: Seeded[],
  kind: 'capture' | 'refund',
  at?: number,
) {
  const entries: unknown[][] = [[], [], [], [], [], [], [], [], []];
  const add = (p: Seeded, account: string, amount: number, t: number) => {
    const id = `le_rollup_${String(counter++).padStart(6, '0')}`;
    for (const [i, v] of [
      id,
      `pst_${id}`,
      kind,
      p.merchant,
      p.mode,
      p.id,
      account,
      amount,
      new Date(t),
    ].entries()) {
      entries[i]?.push(v);
    }
  };
  for (const p of payments) {
    const t = at ?? p.createdAt + rng.int(DAY / 2);
    if (kind === 'capture') {
      const fee = Math.floor(p.amount / 40);
      add(p, 'provider_clearing', p.amount, t);
      add(p, 'merchant_balance', -(p.amount - fee), t);
      add(p, 'psp_fees', -fee, t);
    } else {
      const part = 1 + rng.int(Math.floor(p.amount / 2));
      add(p, 'merchant_balance', part, t);
      add(p, 'provider_clearing', -part, t);
    }
  }
  await store.pool.query(
    `INSERT INTO ledger_entries (id, posting_id, posting_kind, merchant_id, mode, payment_id, account, amount, currency, created_at)
     SELECT x.id, x.posting_id, x.kind, x.merchant, x.mode, x.payment_id, x.account, x.amount, p.currency, x.t
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                   $9::timestamptz[]) AS x(id, posting_id, kind, merchant, mode, payment_id, account, amount, t)
       JOIN payments p ON p.id = x.payment_id`,
    entries,
  );
}

const d = (year: number, month: number, day: number): LocalDate => ({ year, month, day });

/** Report scopes: groupings, zones (whole-hour, half-hour, DST), filters and both merchants and modes. */
function scopes(): ReportScope[] {
  const out: ReportScope[] = [];
  const zones = ['UTC', 'Europe/Moscow', 'Asia/Kolkata', 'America/New_York', 'Pacific/Chatham'];
  for (const timeZone of zones) {
    const boundaries = [
      boundariesOf(yearMonths(2026, timeZone)),
      boundariesOf(periodBuckets({ from: d(2026, 1, 1), to: d(2026, 3, 20), groupBy: 'day', timeZone })),
      boundariesOf(periodBuckets({ from: d(2026, 1, 15), to: d(2026, 3, 16), groupBy: 'week', timeZone })),
      boundariesOf(periodBuckets({ from: d(2026, 2, 3), to: d(2026, 2, 3), groupBy: 'day', timeZone })),
    ];
    for (const b of boundaries) {
      for (const merchantId of MERCHANTS) out.push({ merchantId, mode: 'test', boundaries: b });
    }
    out.push({ merchantId: MERCHANTS[0] as string, mode: 'live', boundaries: boundaries[0] as Date[] });
  }
  const year = boundariesOf(yearMonths(2026, 'Europe/Moscow'));
  for (const filter of [
    { currency: 'USD' },
    { method: 'qiwi' },
    { status: 'succeeded' as const },
    { shopId: 'shop_rollup_1' },
  ]) {
    out.push({ merchantId: MERCHANTS[0] as string, mode: 'test', boundaries: year, filter });
  }
  return out;
}

const sorted = <T>(rows: T[]) => [...rows].map((r) => JSON.stringify(r)).sort();

async function expectEqualToLive(rollups: ReportRepository, live: ReportRepository, label: string) {
  for (const scope of scopes()) {
    const [a, b, c, e] = await Promise.all([
      rollups.paymentAggregates(scope),
      live.paymentAggregates(scope),
      rollups.ledgerAggregates(scope),
      live.ledgerAggregates(scope),
    ]);
    const where = `${label}: ${JSON.stringify({ ...scope, boundaries: [scope.boundaries[0], scope.boundaries.length] })}`;
    expect(sorted(a), where).toEqual(sorted(b));
    expect(sorted(c), where).toEqual(sorted(e));
  }
}

async function rolledDays(store: PostgresStore): Promise<number> {
  const { rows } = await store.pool.query<{ n: number }>(
    'SELECT count(DISTINCT day)::integer AS n FROM payment_daily_rollups',
  );
  return rows[0]?.n ?? 0;
}

async function dirtyDays(store: PostgresStore): Promise<number> {
  const { rows } = await store.pool.query<{ n: number }>(
    'SELECT count(*)::integer AS n FROM report_dirty_days',
  );
  return rows[0]?.n ?? 0;
}

/** `concurrent`: the database takes several connections at once (PostgreSQL; PGlite has one). */
function rollupSuite(
  name: string,
  concurrent: boolean,
  open: () => Promise<{ store: PostgresStore; close: () => Promise<void> }>,
) {
  describe(`report rollups (${name})`, () => {
    let store: PostgresStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
      await store.migrate();
      const tariff = JSON.stringify({ percentBps: 250, fixed: {} });
      for (const id of MERCHANTS) {
        await store.pool.query(
          `INSERT INTO merchants (id, name, email, tariff, created_at) VALUES ($1, 'R', 'r@example.com', $2, now())`,
          [id, tariff],
        );
      }
    }, 120_000);
    afterAll(async () => {
      await close?.();
    });

    it('answers exactly like the live aggregation before and after each job run, whatever changed', async () => {
      const db = new Db(store.pool);
      const rollups = store.reports;
      const live = liveReportRepository(db);
      const rng = generator(20261202);

      // 70 days of payments with their captures, some refunds a few days later.
      const payments = await insertPayments(store, rng, 900, START, START + 70 * DAY);
      await insertLedger(
        store,
        rng,
        payments.filter(() => rng.next() < 0.8),
        'capture',
      );
      await insertLedger(
        store,
        rng,
        payments.filter(() => rng.next() < 0.1),
        'refund',
      );
      await expectEqualToLive(rollups, live, 'before any run');

      // Day 60 is "today": days 0–59 get rolled up.
      await store.rollUpReports(new Date(START + 60 * DAY + 5 * 3_600_000));
      expect(await rolledDays(store)).toBeGreaterThan(50);
      expect(await dirtyDays(store)).toBe(0);
      await expectEqualToLive(rollups, live, 'after the first run');

      // Changes to closed days: status changes, refunds booked in closed days, late payments in the past,
      // and a deletion; plus ordinary writes to the open day, which mark nothing.
      const old = payments.filter((p) => p.createdAt < START + 60 * DAY);
      for (let i = 0; i < 40; i++) {
        const p = rng.pick(old);
        await store.pool.query('UPDATE payments SET status = $2, updated_at = now() WHERE id = $1', [
          p.id,
          rng.pick(STATUSES),
        ]);
      }
      await insertLedger(
        store,
        rng,
        old.filter(() => rng.next() < 0.05),
        'refund',
        START + 45 * DAY + 1234,
      );
      const late = await insertPayments(store, rng, 30, START + 10 * DAY, START + 59 * DAY);
      await insertLedger(store, rng, late, 'capture');
      const doomed = await insertPayments(store, rng, 1, START + 20 * DAY, START + 21 * DAY);
      await store.pool.query('DELETE FROM payments WHERE id = $1', [doomed[0]?.id]);
      await insertPayments(store, rng, 50, START + 60 * DAY, START + 61 * DAY);
      const marked = await dirtyDays(store);
      expect(marked).toBeGreaterThan(10);
      await expectEqualToLive(rollups, live, 'with dirty days');

      // The job recomputes exactly the marked days and clears them; the next day closes too.
      const run = await store.rollUpReports(new Date(START + 61 * DAY + 3_600_000));
      expect(run.recomputed).toBe(marked);
      expect(await dirtyDays(store)).toBe(0);
      await expectEqualToLive(rollups, live, 'after the second run');

      // A second run with nothing changed changes nothing.
      const again = await store.rollUpReports(new Date(START + 61 * DAY + 7_200_000));
      expect(again.recomputed).toBe(0);
      await expectEqualToLive(rollups, live, 'after an idle run');
    }, 300_000);

    // Needs a second connection while a transaction is open, so PostgreSQL only: PGlite has one connection.
    if (concurrent)
      it('a write still in flight when the job closes its day lands in the rollup: the job waits for it', async () => {
        const db = new Db(store.pool);
        const rng = generator(7);
        // Day 62 is still open (the last run said day 61 is today): writes to it mark nothing.
        const client = await store.pool.connect();
        let job: Promise<unknown> | undefined;
        try {
          await client.query('BEGIN');
          await client.query(
            `INSERT INTO payments (id, merchant_id, mode, status, amount, currency, amount_capturable, amount_captured,
                                   amount_refunded, amount_refund_pending, method, capture_method, version, created_at, updated_at)
             VALUES ('pay_rollup_inflight', $1, 'test', 'succeeded', 4242, 'EUR', 0, 0, 0, 0, 'card', 'automatic', 1, $2, $2)`,
            [MERCHANTS[0], new Date(START + 62 * DAY + 3_600_000)],
          );
          await insertPayments(store, rng, 20, START + 62 * DAY, START + 63 * DAY);
          // The job closes day 62 while that transaction is open, and must wait for it.
          job = store.rollUpReports(new Date(START + 63 * DAY + 60_000));
          await new Promise((resolve) => setTimeout(resolve, 500));
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        await job;
        const { rows } = await store.pool.query<{ rolled: number; live: number }>(
          `SELECT (SELECT coalesce(sum(count), 0)::integer FROM payment_daily_rollups
                    WHERE merchant_id = $1 AND mode = 'test' AND day = $2) AS rolled,
                  (SELECT count(*)::integer FROM payments
                    WHERE merchant_id = $1 AND mode = 'test' AND created_at >= $2 AND created_at < $2::timestamptz + interval '1 day') AS live`,
          [MERCHANTS[0], new Date(START + 62 * DAY)],
        );
        expect(rows[0]?.rolled).toBe(rows[0]?.live);
        await expectEqualToLive(store.reports, liveReportRepository(db), 'after a concurrent write');
      }, 60_000);
  });
}

rollupSuite('pglite', false, async () => {
  const store = await createEmbeddedTestStore();
  return { store, close: () => store.close() };
});

rollupSuite('postgres', true, async () => {
  const db: TestDatabase = await createTestDatabase();
  const store = createPostgresStore({ url: db.url, poolSize: 4 });
  return {
    store,
    close: async () => {
      await store.close();
      await db.drop();
    },
  };
});
