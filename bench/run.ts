// Payrail benchmark: `pnpm bench [--store postgres|embedded] [--duration s] [--connections n]
// [--scenario name] [--quick] [--cpu-prof]`. See bench/README.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------------
// Dependencies that live in workspace packages, not at the root (bench/ is not a package).

interface UndiciResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: { text(): Promise<string> };
}
interface UndiciPool {
  request(options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }): Promise<UndiciResponse>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fromServer = createRequire(join(ROOT, 'server/package.json'));
const fromStore = createRequire(join(ROOT, 'stores/postgres/package.json'));
const { Pool } = fromServer('undici') as {
  Pool: new (origin: string, options: { connections: number; pipelining: number }) => UndiciPool;
};
const pg = fromStore('pg') as { Client: new (options: { connectionString: string }) => PgClient };

// ---------------------------------------------------------------------------------------------------
// Options

const SCENARIOS = [
  'payment-create',
  'payment-flow',
  'webhook-ingest',
  'read-list',
  'idempotent-retry-storm',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

interface Options {
  store: 'postgres' | 'embedded';
  duration: number;
  connections: number;
  scenarios: ScenarioName[];
  cpuProf: boolean;
  adminUrl: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    store: 'postgres',
    duration: 10,
    connections: 16,
    scenarios: [...SCENARIOS],
    cpuProf: false,
    adminUrl: process.env.PAYRAIL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
  let quick = false;
  let durationSet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? (arg.split(/=(.*)/s) as [string, string]) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--':
        break;
      case '--store': {
        const v = value();
        if (v !== 'postgres' && v !== 'embedded') throw new Error('--store must be postgres or embedded');
        opts.store = v;
        break;
      }
      case '--duration':
        opts.duration = Number(value());
        durationSet = true;
        if (!(opts.duration > 0)) throw new Error('--duration must be a positive number of seconds');
        break;
      case '--connections':
        opts.connections = Number(value());
        if (!Number.isInteger(opts.connections) || opts.connections < 1)
          throw new Error('--connections must be a positive integer');
        break;
      case '--scenario': {
        const v = value();
        if (v === 'all') break;
        const names = v.split(',') as ScenarioName[];
        for (const n of names)
          if (!SCENARIOS.includes(n))
            throw new Error(`unknown scenario ${n}; one of ${SCENARIOS.join(', ')}`);
        opts.scenarios = names;
        break;
      }
      case '--quick':
        quick = true;
        break;
      case '--cpu-prof':
        opts.cpuProf = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'pnpm bench [--store postgres|embedded] [--duration s] [--connections n] [--scenario name|all] [--quick] [--cpu-prof]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (quick && !durationSet) opts.duration = 2;
  return opts;
}

// ---------------------------------------------------------------------------------------------------
// Cleanup: children, temp dirs and the database go away on success, error and SIGINT/SIGTERM.

const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${String(error)}\n`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    cleanupAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------
// Child processes

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Child {
  proc: ChildProcess;
  pid: number;
  url: string;
  startupMs: number;
  stop(): Promise<void>;
  output(): string;
}

function nodeArgs(script: string, args: string[], cpuProf: boolean, label: string): string[] {
  const prof = cpuProf
    ? // default file names: tsx's loader thread writes its own profile, a fixed name would overwrite the main one
      ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/results', `${label}-profiles`)}`]
    : [];
  return [...prof, '--import', 'tsx', join(ROOT, script), ...args];
}

/** Spawns a server (node directly, so the pid is the server's) and waits for GET /healthz → 200. */
async function startChild(
  label: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  cpuProf = false,
): Promise<Child> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, nodeArgs(script, args, cpuProf, label), {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  });
  let exited = false;
  const exitPromise = new Promise<void>((r) =>
    proc.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const stop = async () => {
    if (exited) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
  };
  cleanups.push(stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${label} exited before it was healthy:\n${out}`);
    if (Date.now() > deadline) throw new Error(`${label} not healthy after 60 s:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  const startupMs = performance.now() - started;
  return { proc, pid: proc.pid ?? 0, url, startupMs, stop, output: () => out };
}

/** Runs a CLI command to completion and returns its stdout. */
async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/cli/bin.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  if (code !== 0) throw new Error(`payrail ${args.join(' ')} failed (${code}):\n${stderr}${stdout}`);
  return stdout;
}

// ---------------------------------------------------------------------------------------------------
// /proc sampling

const CLK_TCK = 100; // Linux USER_HZ
interface ProcSample {
  cpuMs: number;
  rssMb: number;
}
function sampleProc(pid: number): ProcSample {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name "(…)": state is field 3; utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuMs: (ticks * 1000) / CLK_TCK, rssMb: rssKb / 1024 };
  } catch {
    return { cpuMs: Number.NaN, rssMb: Number.NaN };
  }
}

// ---------------------------------------------------------------------------------------------------
// Load generation: fixed concurrency, closed loop, optional pacing to a target rate.

interface LoadResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  errorSamples: string[];
}

async function runLoad(
  concurrency: number,
  durationMs: number,
  op: (worker: number) => Promise<void>,
  ratePerSec?: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const interval = ratePerSec ? 1000 / ratePerSec : 0;
  let nextSlot = start;
  const worker = async (w: number) => {
    while (performance.now() < end) {
      if (interval) {
        const slot = nextSlot;
        nextSlot += interval;
        const wait = slot - performance.now();
        if (wait > 0) await sleep(wait);
        if (performance.now() >= end) break;
      }
      const t0 = performance.now();
      try {
        await op(w);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        if (errorSamples.length < 5)
          errorSamples.push(String((error as Error).message ?? error).slice(0, 300));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { ops: latencies.length, errors, elapsedMs: performance.now() - start, latencies, errorSamples };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// ---------------------------------------------------------------------------------------------------
// The scenarios, written against a Target so the very same code runs against the baseline.

interface Target {
  pool: UndiciPool;
  apiKey: string;
}

const runId = randomBytes(4).toString('hex');
let keyCounter = 0;
const expYear = new Date().getUTCFullYear() + 3;
const CREATE_BODY = JSON.stringify({ amount: 1000, currency: 'USD', method: 'card' });
const CARD_BODY = JSON.stringify({
  number: '4242424242424242',
  exp_month: 12,
  exp_year: expYear,
  cvc: '123',
});

async function call(
  t: Target,
  method: string,
  path: string,
  body?: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: UndiciResponse['headers'] }> {
  const headers: Record<string, string> = { authorization: `Bearer ${t.apiKey}`, ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await t.pool.request({ method, path, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.body.text();
  return { status: res.statusCode, text, headers: res.headers };
}

async function createPayment(t: Target): Promise<string> {
  const res = await call(t, 'POST', '/v1/payments', CREATE_BODY, {
    'idempotency-key': `bench-${runId}-${++keyCounter}`,
  });
  if (res.status !== 201) throw new Error(`POST /v1/payments → ${res.status} ${res.text.slice(0, 200)}`);
  return (JSON.parse(res.text) as { id: string }).id;
}

async function paymentFlow(t: Target): Promise<void> {
  const id = await createPayment(t);
  const res = await call(t, 'POST', `/pay/${id}`, CARD_BODY);
  if (res.status !== 200) throw new Error(`POST /pay/:id → ${res.status} ${res.text.slice(0, 200)}`);
  const status = (JSON.parse(res.text) as { status?: string }).status;
  if (status !== 'succeeded') throw new Error(`payment ended ${status}, expected succeeded`);
}

async function readList(t: Target): Promise<void> {
  const res = await call(t, 'GET', '/v1/payments?limit=100');
  if (res.status !== 200) throw new Error(`GET /v1/payments → ${res.status} ${res.text.slice(0, 200)}`);
}

/** 1000 concurrent requests with one key; 409 (first one still running) is retried like a client would. */
async function retryStorm(url: string, apiKey: string): Promise<LoadResult & { notes: string[] }> {
  const n = 1000;
  const pool = new Pool(url, { connections: n, pipelining: 1 });
  const t: Target = { pool, apiKey };
  const orderId = `storm-${runId}`;
  const key = `storm-${runId}`;
  const body = JSON.stringify({ amount: 1000, currency: 'USD', method: 'card', order_id: orderId });
  const latencies: number[] = [];
  const finals: Array<{ status: number; text: string }> = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let conflicts = 0;
  let replayed = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: n }, async () => {
        const t0 = performance.now();
        for (let attempt = 0; attempt < 200; attempt++) {
          try {
            const res = await call(t, 'POST', '/v1/payments', body, { 'idempotency-key': key });
            if (res.status === 409) {
              conflicts++;
              await sleep(5 + Math.random() * 20);
              continue;
            }
            if (res.headers['idempotent-replayed'] === 'true') replayed++;
            finals.push({ status: res.status, text: res.text });
            latencies.push(performance.now() - t0);
            return;
          } catch (error) {
            errors++;
            if (errorSamples.length < 5) errorSamples.push(String(error).slice(0, 300));
            return;
          }
        }
        errors++;
        if (errorSamples.length < 5) errorSamples.push('still 409 after 200 attempts');
      }),
    );
    const elapsedMs = performance.now() - start;
    const notes: string[] = [];
    const first = finals[0];
    const different = finals.filter((f) => f.status !== first?.status || f.text !== first?.text).length;
    if (first && first.status !== 201)
      notes.push(`first final answer was ${first.status}: ${first.text.slice(0, 200)}`);
    if (different > 0) {
      errors += different;
      notes.push(`${different} final answers differ from the first`);
    }
    const list = await call(t, 'GET', `/v1/payments?limit=100&order_id=${orderId}`);
    const created = list.status === 200 ? (JSON.parse(list.text) as { data: unknown[] }).data.length : -1;
    if (created !== 1) {
      errors++;
      notes.push(`expected exactly 1 payment for the key, found ${created}`);
    }
    notes.push(
      `${finals.length}/${n} final answers, ${replayed} replayed, ${conflicts} × 409 in-flight retried, payments created: ${created}`,
    );
    return { ops: latencies.length, errors, elapsedMs, latencies, errorSamples, notes };
  } finally {
    await pool.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// Main

interface ScenarioResult {
  name: string;
  store: string;
  ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  baseline_ops_per_s: number | null;
  ratio_to_baseline: number | null;
  errors: number;
  cpu_ms_per_op: number;
  rss_mb_after: number;
  requests_per_op: number;
  notes?: string[];
  /** The orchestrator's own time per call during the scenario (PAYRAIL_ORCHESTRATOR_TIMING). */
  orchestrator_self_ms?: Record<string, { count: number; p50_ms: number; p99_ms: number; max_ms: number }>;
}

const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const durationMs = opts.duration * 1000;
  const warmupMs = Math.min(1000, durationMs / 4);
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(
    `Payrail bench: store=${opts.store}, ${opts.duration} s per scenario, ${opts.connections} connections, ${cpus().length} cores, Node ${process.version}`,
  );

  const tmp = mkdtempSync(join(tmpdir(), 'payrail-bench-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));

  // --- Startup on an existing embedded data directory (second start).
  const startupDir = join(tmp, 'startup-data');
  const firstOpen = performance.now();
  await runCli(['migrate'], { PAYRAIL_DATA_DIR: startupDir, PAYRAIL_DATABASE_URL: '' });
  const firstOpenMs = performance.now() - firstOpen;
  const probe = await startChild('startup-probe', 'server/src/cli/bin.ts', ['start'], {
    PAYRAIL_DATA_DIR: startupDir,
    PAYRAIL_DATABASE_URL: '',
  });
  const startupMs = probe.startupMs;
  const startupRss = sampleProc(probe.pid).rssMb;
  await probe.stop();
  log(
    `startup (embedded, existing data dir): ${round(startupMs, 0)} ms spawn → /healthz 200, RSS ${round(startupRss)} MB (CLI migrate on a fresh dir took ${round(firstOpenMs, 0)} ms)`,
  );

  // --- Database and merchant.
  let env: Record<string, string>;
  if (opts.store === 'postgres') {
    const name = `payrail_bench_${randomBytes(6).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: opts.adminUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    cleanups.push(async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      log(`dropped database ${name}`);
    });
    const url = new URL(opts.adminUrl);
    url.pathname = `/${name}`;
    env = { PAYRAIL_DATABASE_URL: url.toString() };
    log(`created database ${name}`);
  } else {
    env = { PAYRAIL_DATABASE_URL: '', PAYRAIL_DATA_DIR: join(tmp, 'data') };
  }
  // With the server stopped, so the embedded store is opened by the CLI itself (creates + migrates it).
  const created = JSON.parse(
    await runCli(['merchant', 'create', '--name', 'Bench Shop', '--email', 'bench@example.com'], env),
  ) as { keys: { test: string } };
  const apiKey = created.keys.test;

  // The orchestrator's own time per call is measured by instrumentation in the server (issue 7 target:
  // ≤ 2 ms p99); it adds a little work per call, the same in every scenario.
  env = { ...env, PAYRAIL_ORCHESTRATOR_TIMING: '1' };
  const server = await startChild('payrail', 'server/src/cli/bin.ts', ['start'], env, opts.cpuProf);
  const orchestratorTiming = async (reset: boolean) => {
    const res = await fetch(`${server.url}/_debug/orchestrator-timing${reset ? '?reset=1' : ''}`);
    return ((await res.json()) as { methods: ScenarioResult['orchestrator_self_ms'] }).methods;
  };
  log(`payrail server pid ${server.pid} healthy after ${round(server.startupMs, 0)} ms`);
  const baseline = await startChild('baseline', 'bench/baseline-server.ts', [], {}, false);

  const results: ScenarioResult[] = [];
  const mkTarget = (url: string) => ({
    pool: new Pool(url, { connections: opts.connections, pipelining: 1 }),
    apiKey,
  });
  const target = mkTarget(server.url);
  const baseTarget = mkTarget(baseline.url);
  cleanups.push(async () => {
    await target.pool.destroy();
    await baseTarget.pool.destroy();
  });

  const measure = async (
    name: string,
    requestsPerOp: number,
    op: (t: Target) => Promise<void>,
    withBaseline: boolean,
    rate?: number,
  ): Promise<ScenarioResult> => {
    await runLoad(opts.connections, warmupMs, () => op(target), rate);
    const before = sampleProc(server.pid);
    const r = await runLoad(opts.connections, durationMs, () => op(target), rate);
    const after = sampleProc(server.pid);
    let baseOps: number | null = null;
    if (withBaseline) {
      await runLoad(opts.connections, warmupMs, () => op(baseTarget), rate);
      const b = await runLoad(opts.connections, durationMs, () => op(baseTarget), rate);
      baseOps = (b.ops * 1000) / b.elapsedMs;
    }
    const sorted = r.latencies.sort((a, b) => a - b);
    const opsPerS = (r.ops * 1000) / r.elapsedMs;
    const res: ScenarioResult = {
      name,
      store: opts.store,
      ops_per_s: round(opsPerS),
      p50_ms: round(percentile(sorted, 50), 2),
      p99_ms: round(percentile(sorted, 99), 2),
      baseline_ops_per_s: baseOps === null ? null : round(baseOps),
      ratio_to_baseline: baseOps ? round(opsPerS / baseOps, 3) : null,
      errors: r.errors,
      cpu_ms_per_op: round((after.cpuMs - before.cpuMs) / Math.max(1, r.ops), 3),
      rss_mb_after: round(after.rssMb),
      requests_per_op: requestsPerOp,
      ...(r.errorSamples.length ? { notes: r.errorSamples } : {}),
    };
    log(
      `  ${name}: ${res.ops_per_s} ops/s, p50 ${res.p50_ms} ms, p99 ${res.p99_ms} ms, errors ${res.errors}`,
    );
    return res;
  };

  try {
    for (const scenario of opts.scenarios) {
      log(`running ${scenario}…`);
      switch (scenario) {
        case 'payment-create':
          results.push(await measure('payment-create', 1, (t) => createPayment(t).then(() => {}), true));
          break;
        case 'payment-flow': {
          const full = await measure('payment-flow', 2, paymentFlow, true);
          results.push(full);
          if (full.ops_per_s > 1) {
            // the latency target is stated at half the maximum rate
            await orchestratorTiming(true);
            const half = await measure('payment-flow@half-rate', 2, paymentFlow, false, full.ops_per_s / 2);
            half.orchestrator_self_ms = await orchestratorTiming(false);
            for (const [method, t] of Object.entries(half.orchestrator_self_ms ?? {})) {
              log(
                `  orchestrator own time, ${method}: p50 ${t.p50_ms} ms, p99 ${t.p99_ms} ms (${t.count} calls)`,
              );
            }
            results.push(half);
          }
          break;
        }
        case 'webhook-ingest': {
          // Its own script with its own server (a QIWI instance whose secret it knows, seeded payments).
          const report = join(ROOT, 'bench/results/webhook-ingest.json');
          rmSync(report, { force: true });
          const child = spawn(
            process.execPath,
            [
              ...nodeArgs('bench/webhook-ingest.ts', [], false, 'webhook-ingest'),
              ...['--store', opts.store, '--duration', String(opts.duration)],
              ...['--connections', String(opts.connections)],
              ...['--payments', String(Math.max(2_000, Math.ceil(opts.duration * 2_500)))],
            ],
            {
              cwd: ROOT,
              env: { ...process.env, PAYRAIL_BENCH_POSTGRES_URL: opts.adminUrl },
              stdio: 'inherit',
            },
          );
          await new Promise((r) => child.once('exit', r));
          const ingest = JSON.parse(readFileSync(report, 'utf8')) as { scenarios: ScenarioResult[] };
          results.push(...ingest.scenarios);
          break;
        }
        case 'read-list': {
          const seed = 300;
          const s0 = performance.now();
          let next = 0;
          await Promise.all(
            Array.from({ length: opts.connections }, async () => {
              while (next++ < seed) await createPayment(target);
            }),
          );
          log(`  seeded ${seed} payments via the API in ${round(performance.now() - s0, 0)} ms`);
          results.push(await measure('read-list', 1, readList, true));
          break;
        }
        case 'idempotent-retry-storm': {
          const before = sampleProc(server.pid);
          const r = await retryStorm(server.url, apiKey);
          const after = sampleProc(server.pid);
          const sorted = r.latencies.sort((a, b) => a - b);
          const res: ScenarioResult = {
            name: 'idempotent-retry-storm',
            store: opts.store,
            ops_per_s: round((r.ops * 1000) / r.elapsedMs),
            p50_ms: round(percentile(sorted, 50), 2),
            p99_ms: round(percentile(sorted, 99), 2),
            baseline_ops_per_s: null,
            ratio_to_baseline: null,
            errors: r.errors,
            cpu_ms_per_op: round((after.cpuMs - before.cpuMs) / Math.max(1, r.ops), 3),
            rss_mb_after: round(after.rssMb),
            requests_per_op: 1,
            notes: [...r.notes, ...r.errorSamples],
          };
          log(`  ${r.notes.join('; ')}`);
          results.push(res);
          break;
        }
      }
    }
  } catch (error) {
    log(`scenario failed: ${String(error)}\nserver output:\n${server.output()}`);
    throw error;
  }

  const serverOut = server.output().trim();
  if (serverOut) log(`server warnings/errors (last lines):\n${serverOut.split('\n').slice(-10).join('\n')}`);

  // --- Report
  const header = [
    'scenario',
    'ops/s',
    'p50 ms',
    'p99 ms',
    'baseline/s',
    'ratio',
    'errors',
    'cpu ms/op',
    'rss MB',
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.ops_per_s),
    String(r.p50_ms),
    String(r.p99_ms),
    r.baseline_ops_per_s === null ? '-' : String(r.baseline_ops_per_s),
    r.ratio_to_baseline === null ? '-' : String(r.ratio_to_baseline),
    String(r.errors),
    String(r.cpu_ms_per_op),
    String(r.rss_mb_after),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  log('');
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) log(line(row));
  log('');
  log(`startup (embedded, second start): ${round(startupMs, 0)} ms`);

  const report = {
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      total_mem_mb: Math.round(totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    options: {
      store: opts.store,
      duration_s: opts.duration,
      connections: opts.connections,
      scenarios: opts.scenarios,
    },
    startup: {
      embedded_second_start_ms: round(startupMs, 0),
      embedded_first_open_cli_migrate_ms: round(firstOpenMs, 0),
      bench_server_start_ms: round(server.startupMs, 0),
      rss_mb_idle: round(startupRss),
    },
    scenarios: results,
  };
  writeFileSync(join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  log('wrote bench/results/latest.json');
  const failed = results.some((r) => r.errors > 0);
  if (failed) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
