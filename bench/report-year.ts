/**
 * Annual report benchmark (issue 9 target: a year report over 1 M payments in under 2 s on PostgreSQL).
 *
 *   node --import tsx bench/report-year.ts [--payments 1000000] [--previous 0.2] [--runs 5] [--explain] [--keep]
 *
 * Creates a fresh database (admin URL `PAYRAIL_BENCH_POSTGRES_URL`, default the local server), migrates it,
 * seeds `--payments` payments of one merchant spread over 2026 (plus `--previous` × that many in 2025 for
 * the year-over-year part, and 10 % as many of another merchant that must not be read), with their ledger
 * entries, in bulk SQL; then times `annualReport()` — the store's two GROUP BY queries and the folding
 * into figures, as `GET /v1/reports/annual` runs them — first live (`liveReportRepository`), then, after
 * the rollup job (migration 0018), through the daily rollups, in UTC and Europe/Moscow; checks that both
 * give the same figures and the totals against direct sums, and prints both times, their ratio and the
 * load average.
 * Separate from bench/run.ts on purpose: it measures the database, not HTTP throughput.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { annualReport, type ReportRepository } from '../core/src/index';
import { Db } from '../stores/postgres/src/db';
import { createPostgresStore } from '../stores/postgres/src/index';
import { liveReportRepository } from '../stores/postgres/src/repositories/reports';
import { createTestDatabase } from '../stores/postgres/src/testing';

const { values } = parseArgs({
  options: {
    payments: { type: 'string', default: '1000000' },
    previous: { type: 'string', default: '0.2' },
    runs: { type: 'string', default: '5' },
    explain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.payments);
const PREVIOUS = Math.round(N * Number(values.previous));
const RUNS = Number(values.runs);
const YEAR = 2026;
const MERCHANT = 'mer_bench_report_000000000000';
const OTHER = 'mer_bench_report_other0000000';
const log = (...args: unknown[]) =>
  console.log(`[report-year ${new Date().toISOString().slice(11, 19)}]`, ...args);

/**
 * One batch of payments `first`…`last` of a merchant in a year, with a deterministic mix: 80 % captured,
 * 10 % failed, 5 % canceled, 3 % captured and half refunded a day later, 2 % awaiting payment; RUB 70 %,
 * USD 20 %, EUR 10 %; card 70 %, qiwi_wallet 20 %, webmoney 10 %; fee 2.5 % rounded half up.
 */
function seedSql(
  merchant: string,
  year: number,
  total: number,
  first: number,
  last: number,
  tag: string,
): string {
  const start = `extract(epoch FROM timestamptz '${year}-01-01 00:00:00+00')`;
  return `
WITH src AS (
  SELECT i,
         to_timestamp(${start} + (i::bigint * 31536000 / ${total})) AS t,
         100 + (i::bigint * 7919) % 500000 AS amount,
         CASE WHEN i % 100 < 80 THEN 'succeeded' WHEN i % 100 < 90 THEN 'failed' WHEN i % 100 < 95 THEN 'canceled'
              WHEN i % 100 < 98 THEN 'partially_refunded' ELSE 'requires_payment_method' END AS status,
         CASE WHEN (i / 7) % 10 < 7 THEN 'RUB' WHEN (i / 7) % 10 < 9 THEN 'USD' ELSE 'EUR' END AS currency,
         CASE WHEN (i / 3) % 10 < 7 THEN 'card' WHEN (i / 3) % 10 < 9 THEN 'qiwi_wallet' ELSE 'webmoney' END AS method
    FROM generate_series(${first}, ${last}) AS i
), pay AS (
  INSERT INTO payments (id, merchant_id, mode, status, amount, currency, amount_capturable, amount_captured,
                        amount_refunded, amount_refund_pending, method, capture_method, version, created_at, updated_at)
  SELECT 'pay_${tag}_' || lpad(i::text, 10, '0'), '${merchant}', 'test', status, amount, currency, 0,
         CASE WHEN status IN ('succeeded', 'partially_refunded') THEN amount ELSE 0 END,
         CASE WHEN status = 'partially_refunded' THEN amount / 2 ELSE 0 END,
         0, method, 'automatic', 2, t, t
    FROM src
  RETURNING 1
)
INSERT INTO ledger_entries (id, posting_id, posting_kind, merchant_id, mode, payment_id, refund_id, account, amount, currency, created_at)
SELECT 'le_${tag}_' || lpad(i::text, 10, '0') || '_' || line, 'pst_${tag}_' || lpad(i::text, 10, '0') || '_' || kind,
       kind, '${merchant}', 'test', 'pay_${tag}_' || lpad(i::text, 10, '0'), NULL, account, amount, currency, booked
  FROM (
    SELECT s.i, s.currency, l.line, l.kind, l.account, l.amount, l.booked
      FROM src s
      CROSS JOIN LATERAL (VALUES
        (1, 'capture', 'provider_clearing', s.amount, s.t + interval '1 minute'),
        (2, 'capture', 'merchant_balance', -(s.amount - (s.amount * 250 + 5000) / 10000), s.t + interval '1 minute'),
        (3, 'capture', 'psp_fees', -((s.amount * 250 + 5000) / 10000), s.t + interval '1 minute'),
        (4, 'refund', 'merchant_balance', s.amount / 2, s.t + interval '1 day'),
        (5, 'refund', 'provider_clearing', -(s.amount / 2), s.t + interval '1 day')
      ) AS l(line, kind, account, amount, booked)
     WHERE s.status IN ('succeeded', 'partially_refunded') AND (l.kind = 'capture' OR s.status = 'partially_refunded')
       AND l.amount <> 0
  ) AS e
  WHERE EXISTS (SELECT 1 FROM pay LIMIT 1)`;
}

async function main() {
  const database = await createTestDatabase({ adminUrl: process.env.PAYRAIL_BENCH_POSTGRES_URL });
  const store = createPostgresStore({ url: database.url, poolSize: 4 });
  try {
    await store.migrate();
    const tariff = JSON.stringify({ percentBps: 250, fixed: {} });
    for (const id of [MERCHANT, OTHER]) {
      await store.pool.query(
        `INSERT INTO merchants (id, name, email, tariff, created_at) VALUES ($1, 'Bench', 'bench@example.com', $2, now())`,
        [id, tariff],
      );
    }
    const seedStarted = performance.now();
    const plan: Array<[string, number, number, string]> = [
      [MERCHANT, YEAR, N, 'cur'],
      [MERCHANT, YEAR - 1, PREVIOUS, 'prev'],
      [OTHER, YEAR, Math.round(N / 10), 'other'],
    ];
    const BATCH = 100_000;
    for (const [merchant, year, total, tag] of plan) {
      for (let first = 0; first < total; first += BATCH) {
        const last = Math.min(first + BATCH, total) - 1;
        await store.pool.query(seedSql(merchant, year, total, first, last, tag));
        log(`seeded ${tag} ${last + 1}/${total}`);
      }
    }
    // Index-only scans need the visibility map; autovacuum would set it after a while anyway.
    await store.pool.query('VACUUM ANALYZE payments');
    await store.pool.query('VACUUM ANALYZE ledger_entries');
    const counts = await store.pool.query<{ payments: string; entries: string }>(
      `SELECT (SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM ledger_entries) AS entries`,
    );
    log(
      `seed done in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s:`,
      `${counts.rows[0]?.payments} payments, ${counts.rows[0]?.entries} ledger entries in the database`,
    );

    // The same annual report twice in one run: through the live GROUP BY (what every report did before
    // migration 0018), then through the daily rollups once the job has rolled up the closed days. The job
    // uses the real clock, as in production: days from today on stay live.
    const live = liveReportRepository(new Db(store.pool));
    const timeReport = async (reports: ReportRepository, label: string, timeZone = 'UTC') => {
      const times: number[] = [];
      let report: Awaited<ReturnType<typeof annualReport>> | undefined;
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        report = await annualReport(reports, { merchantId: MERCHANT, mode: 'test', year: YEAR, timeZone });
        times.push(performance.now() - started);
        log(`${label} run ${run + 1}: ${times.at(-1)?.toFixed(0)} ms (load ${loadavg()[0]?.toFixed(1)})`);
      }
      if (!report) throw new Error('no run');
      return { report, times, load: loadavg().map((l) => Number(l.toFixed(1))) };
    };
    const liveRun = await timeReport(live, 'live');
    const report = liveRun.report;
    const jobStarted = performance.now();
    const rolled = await store.rollUpReports(new Date());
    const jobMs = performance.now() - jobStarted;
    const rollupRows = await store.pool.query<{ payments: string; ledger: string }>(
      `SELECT (SELECT count(*) FROM payment_daily_rollups) AS payments, (SELECT count(*) FROM ledger_daily_rollups) AS ledger`,
    );
    log(
      `rollup job: ${(jobMs / 1000).toFixed(1)} s, rolled up until ${rolled.rolledUntil?.toISOString()},`,
      `${rollupRows.rows[0]?.payments} payment and ${rollupRows.rows[0]?.ledger} ledger rollup rows`,
    );
    await store.pool.query('VACUUM ANALYZE payment_daily_rollups');
    await store.pool.query('VACUUM ANALYZE ledger_daily_rollups');
    const rollupRun = await timeReport(store.reports, 'rollup');
    const zoneRun = await timeReport(store.reports, 'rollup Europe/Moscow', 'Europe/Moscow');
    const zoneLive = await annualReport(live, {
      merchantId: MERCHANT,
      mode: 'test',
      year: YEAR,
      timeZone: 'Europe/Moscow',
    });
    // The rollups must not change a single figure.
    if (JSON.stringify(rollupRun.report) !== JSON.stringify(report))
      throw new Error('rollup report differs from live (UTC)');
    if (JSON.stringify(zoneRun.report) !== JSON.stringify(zoneLive))
      throw new Error('rollup report differs from live (Europe/Moscow)');
    log('rollup reports equal the live reports (UTC and Europe/Moscow)');

    // The floor: merely counting the same rows through the same indexes, no grouping. On a machine shared
    // with other work it tells how much of a slow run is the machine (report_ms / floor_ms is the
    // report's own overhead factor).
    const floorTimes: number[] = [];
    for (let run = 0; run < Math.min(RUNS, 3); run++) {
      const started = performance.now();
      await Promise.all([
        store.pool.query(
          `SELECT count(*) FROM payments WHERE merchant_id = $1 AND mode = 'test' AND created_at >= $2 AND created_at < $3`,
          [MERCHANT, new Date(Date.UTC(YEAR - 1, 0, 1)), new Date(Date.UTC(YEAR + 1, 0, 1))],
        ),
        store.pool.query(
          `SELECT count(*) FROM ledger_entries WHERE merchant_id = $1 AND mode = 'test' AND created_at >= $2 AND created_at < $3
              AND ((posting_kind = 'capture' AND account IN ('provider_clearing', 'psp_fees'))
                OR (posting_kind = 'refund' AND account = 'merchant_balance'))`,
          [MERCHANT, new Date(Date.UTC(YEAR - 1, 0, 1)), new Date(Date.UTC(YEAR + 1, 0, 1))],
        ),
      ]);
      floorTimes.push(performance.now() - started);
      log(`floor run ${run + 1}: ${floorTimes[floorTimes.length - 1]?.toFixed(0)} ms`);
    }

    // CPU time of the database backend per query, read from /proc (PostgreSQL runs on this machine): on a
    // machine shared with other work, wall time mostly measures the wait for a core; CPU time is what an
    // idle machine would need. Parallel workers are off on this connection so that all work is counted.
    const cpuStore = createPostgresStore({ url: withOptions(database.url), poolSize: 1 });
    const cpu: Record<'payments' | 'ledger' | 'rollupPayments' | 'rollupLedger', number[]> = {
      payments: [],
      ledger: [],
      rollupPayments: [],
      rollupLedger: [],
    };
    try {
      const scope = {
        merchantId: MERCHANT,
        mode: 'test' as const,
        boundaries: Array.from({ length: 25 }, (_, i) => new Date(Date.UTC(YEAR - 1, i, 1))),
      };
      const cpuLive = liveReportRepository(new Db(cpuStore.pool));
      for (let run = 0; run < Math.min(RUNS, 3); run++) {
        for (const which of ['payments', 'ledger', 'rollupPayments', 'rollupLedger'] as const) {
          const pid = await backendPid(cpuStore);
          const before = backendCpuMs(pid);
          const reports = which.startsWith('rollup') ? cpuStore.reports : cpuLive;
          if (which === 'payments' || which === 'rollupPayments') await reports.paymentAggregates(scope);
          else await reports.ledgerAggregates(scope);
          if ((await backendPid(cpuStore)) !== pid) throw new Error('the measured connection changed');
          cpu[which].push(backendCpuMs(pid) - before);
        }
        log(
          `cpu run ${run + 1}: live payments ${cpu.payments.at(-1)} ms, ledger ${cpu.ledger.at(-1)} ms;`,
          `rollup payments ${cpu.rollupPayments.at(-1)} ms, ledger ${cpu.rollupLedger.at(-1)} ms`,
        );
      }
    } finally {
      await cpuStore.close();
    }

    // Check against direct sums, so a fast wrong answer cannot pass.
    const direct = await store.pool.query<{ currency: string; n: string; captured: string }>(
      `SELECT p.currency, count(*) AS n,
              (SELECT coalesce(sum(amount), 0) FROM ledger_entries e
                WHERE e.merchant_id = $1 AND e.currency = p.currency AND e.posting_kind = 'capture'
                  AND e.account = 'provider_clearing' AND e.created_at >= '${YEAR}-01-01' AND e.created_at < '${YEAR + 1}-01-01') AS captured
         FROM payments p WHERE p.merchant_id = $1 AND p.created_at >= '${YEAR}-01-01' AND p.created_at < '${YEAR + 1}-01-01'
        GROUP BY p.currency ORDER BY p.currency`,
      [MERCHANT],
    );
    for (const row of direct.rows) {
      const t = report.totals.find((f) => f.currency === row.currency);
      if (!t || t.paymentCount !== Number(row.n) || t.captured !== Number(row.captured)) {
        throw new Error(
          `Mismatch for ${row.currency}: report ${JSON.stringify(t)} vs direct ${JSON.stringify(row)}`,
        );
      }
    }
    const paymentTotal = report.totals.reduce((s, f) => s + f.paymentCount, 0);
    if (paymentTotal !== N) throw new Error(`report counts ${paymentTotal} payments, seeded ${N}`);
    log(
      `checked: ${paymentTotal} payments, totals equal direct sums; year-over-year present: ${report.previousYear !== null}`,
    );

    if (values.explain) {
      const boundaries = Array.from({ length: 25 }, (_, i) => new Date(Date.UTC(YEAR - 1, i, 1)));
      for (const sql of [
        `SELECT width_bucket(created_at, $3::timestamptz[]) - 1, currency, status, method, count(*), sum(amount)
           FROM payments WHERE merchant_id = $1 AND mode = $2 AND created_at >= $4 AND created_at < $5 GROUP BY 1, 2, 3, 4`,
      ]) {
        const plan = await store.pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [
          MERCHANT,
          'test',
          boundaries,
          boundaries[0],
          boundaries[24],
        ]);
        console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
    }

    const stats = (times: number[]) => {
      const sorted = [...times].sort((a, b) => a - b);
      return {
        min: Math.round(sorted[0] ?? 0),
        median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        max: Math.round(sorted.at(-1) ?? 0),
      };
    };
    const liveStats = stats(liveRun.times);
    const rollupStats = stats(rollupRun.times);
    const result = {
      payments: N,
      previous_year_payments: PREVIOUS,
      other_merchant_payments: Math.round(N / 10),
      runs: RUNS,
      live_min_ms: liveStats.min,
      live_median_ms: liveStats.median,
      live_max_ms: liveStats.max,
      live_load_average: liveRun.load,
      rollup_min_ms: rollupStats.min,
      rollup_median_ms: rollupStats.median,
      rollup_max_ms: rollupStats.max,
      rollup_load_average: rollupRun.load,
      rollup_moscow_median_ms: stats(zoneRun.times).median,
      live_to_rollup_ratio: Number((liveStats.median / Math.max(1, rollupStats.median)).toFixed(1)),
      rollup_job_ms: Math.round(jobMs),
      rolled_until: rolled.rolledUntil?.toISOString() ?? null,
      floor_min_ms: Math.round(Math.min(...floorTimes)),
      db_cpu_ms_payments_query: Math.min(...cpu.payments),
      db_cpu_ms_ledger_query: Math.min(...cpu.ledger),
      db_cpu_ms_rollup_payments_query: Math.min(...cpu.rollupPayments),
      db_cpu_ms_rollup_ledger_query: Math.min(...cpu.rollupLedger),
      target_ms: 2000,
      target: rollupStats.median < 2000 ? 'met' : 'missed',
      load_average: loadavg().map((l) => Number(l.toFixed(1))),
      cpus: cpus().length,
    };
    console.log(JSON.stringify(result));
    if (rollupStats.median > 2000) process.exitCode = 1;
  } finally {
    await store.close();
    if (values.keep) log(`kept database ${database.name}`);
    else await database.drop();
  }
}

/** The URL with parallel query off for its sessions. */
function withOptions(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', '-c max_parallel_workers_per_gather=0');
  return u.toString();
}

async function backendPid(store: {
  pool: { query<R>(sql: string): Promise<{ rows: R[] }> };
}): Promise<number> {
  const { rows } = await store.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return Number(rows[0]?.pid);
}

/** utime + stime of a process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
function backendCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
