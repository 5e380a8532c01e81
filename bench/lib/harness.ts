// Pieces shared by the benchmark scripts (bench/run.ts, bench/soak.ts): child processes, the CLI, /proc
// sampling, the load generator, the payment scenarios' requests, a throw-away database per run, and
// cleanup of all of it on exit and on SIGINT/SIGTERM. See bench/README.md.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------------
// Dependencies that live in workspace packages, not at the root (bench/ is not a package).

export interface UndiciResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: { text(): Promise<string> };
}
export interface UndiciPool {
  request(options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }): Promise<UndiciResponse>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}
export interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fromServer = createRequire(join(ROOT, 'server/package.json'));
const fromStore = createRequire(join(ROOT, 'stores/postgres/package.json'));
export const { Pool } = fromServer('undici') as {
  Pool: new (origin: string, options: { connections: number; pipelining: number }) => UndiciPool;
};
export const pg = fromStore('pg') as { Client: new (options: { connectionString: string }) => PgClient };

// ---------------------------------------------------------------------------------------------------
// Cleanup: children, temp dirs and the database go away on success, error and SIGINT/SIGTERM.

export const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;
export function cleanupAll(): Promise<void> {
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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
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

export interface Child {
  proc: ChildProcess;
  pid: number;
  url: string;
  startupMs: number;
  stop(): Promise<void>;
  output(): string;
}

/**
 * How the bench runs Payrail: `built` (default) is the compiled server, as deployed and as
 * `pnpm start:built` runs it (server/dist with the `payrail-built` export condition, no tsx: ~45 MB less
 * RSS); `tsx` runs the TypeScript sources like `pnpm start`. Chosen with `--server` (run.ts, soak.ts),
 * passed to child benches as PAYRAIL_BENCH_SERVER.
 */
export type ServerMode = 'built' | 'tsx';
export const serverMode = (): ServerMode => (process.env.PAYRAIL_BENCH_SERVER === 'tsx' ? 'tsx' : 'built');
export const serverScript = (): string =>
  serverMode() === 'built' ? 'server/dist/cli/bin.js' : 'server/src/cli/bin.ts';

/** Parses `--server built|tsx` and exports the choice to child processes. */
export function setServerMode(value: string | undefined): void {
  if (value !== 'built' && value !== 'tsx') throw new Error(`--server must be built or tsx, not ${value}`);
  process.env.PAYRAIL_BENCH_SERVER = value;
}

/**
 * For `built`: compiles every package's JavaScript (`pnpm build:js`) once, so the bench never measures a
 * stale dist/. Child benches started after it see PAYRAIL_BENCH_BUILT=1 and skip it.
 */
export function buildServerIfNeeded(log: (s: string) => void): void {
  if (serverMode() !== 'built' || process.env.PAYRAIL_BENCH_BUILT === '1') return;
  const started = performance.now();
  const result = spawnSync('pnpm', ['build:js'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `pnpm build:js failed (${result.status}):\n${result.stderr}${result.stdout}`.slice(-4000),
    );
  }
  process.env.PAYRAIL_BENCH_BUILT = '1';
  log(
    `server: compiled (pnpm build:js, ${Math.round(performance.now() - started)} ms); --server tsx runs the sources`,
  );
}

/** `--import tsx` for TypeScript, the `payrail-built` condition for compiled JavaScript. */
const loaderArgs = (script: string): string[] =>
  script.endsWith('.ts') ? ['--import', 'tsx'] : ['--conditions=payrail-built'];

export function nodeArgs(
  script: string,
  args: string[],
  cpuProf: boolean,
  label: string,
  preload: string[] = [],
): string[] {
  const prof = cpuProf
    ? // default file names: tsx's loader thread writes its own profile, a fixed name would overwrite the main one
      ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/results', `${label}-profiles`)}`]
    : [];
  const imports = preload.flatMap((p) => ['--import', join(ROOT, p)]);
  return [...prof, ...loaderArgs(script), ...imports, join(ROOT, script), ...args];
}

/**
 * Spawns a server (node directly, so the pid is the server's) and waits for GET /healthz → 200.
 * `extra.preload`: modules (paths from the repository root) loaded with `--import` before the script;
 * `extra.ipc`: open an IPC channel to the child (`proc.send`/`'message'`).
 */
export async function startChild(
  label: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  cpuProf = false,
  extra: { preload?: string[]; ipc?: boolean } = {},
): Promise<Child> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, nodeArgs(script, args, cpuProf, label, extra.preload), {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: extra.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
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
export async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, [...loaderArgs(serverScript()), join(ROOT, serverScript()), ...args], {
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
export interface ProcSample {
  cpuMs: number;
  rssMb: number;
}
export function sampleProc(pid: number): ProcSample {
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

export interface LoadResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  errorSamples: string[];
}

export async function runLoad(
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

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// ---------------------------------------------------------------------------------------------------
// The scenarios, written against a Target so the very same code runs against the baseline.

export interface Target {
  pool: UndiciPool;
  apiKey: string;
}

export const runId = randomBytes(4).toString('hex');
let keyCounter = 0;
const expYear = new Date().getUTCFullYear() + 3;
export const CREATE_BODY = JSON.stringify({ amount: 1000, currency: 'USD', method: 'card' });
export const CARD_BODY = JSON.stringify({
  number: '4242424242424242',
  exp_month: 12,
  exp_year: expYear,
  cvc: '123',
});

export async function call(
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

export async function createPayment(t: Target): Promise<string> {
  const res = await call(t, 'POST', '/v1/payments', CREATE_BODY, {
    'idempotency-key': `bench-${runId}-${++keyCounter}`,
  });
  if (res.status !== 201) throw new Error(`POST /v1/payments → ${res.status} ${res.text.slice(0, 200)}`);
  return (JSON.parse(res.text) as { id: string }).id;
}

export async function paymentFlow(t: Target): Promise<void> {
  const id = await createPayment(t);
  const res = await call(t, 'POST', `/pay/${id}`, CARD_BODY);
  if (res.status !== 200) throw new Error(`POST /pay/:id → ${res.status} ${res.text.slice(0, 200)}`);
  const status = (JSON.parse(res.text) as { status?: string }).status;
  if (status !== 'succeeded') throw new Error(`payment ended ${status}, expected succeeded`);
}

export const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/**
 * The database the server will run on, and the merchant the load runs as. PostgreSQL: a fresh database
 * `<prefix>_<random>` created through `adminUrl` and dropped on cleanup; embedded: `<tmp>/data`.
 * The merchant is created by `payrail merchant create` with the server stopped, so the embedded store is
 * opened by the CLI itself (creates + migrates it).
 */
export async function prepareStore(options: {
  store: 'postgres' | 'embedded';
  adminUrl: string;
  tmp: string;
  log: (line: string) => void;
  prefix?: string;
}): Promise<{ env: Record<string, string>; apiKey: string }> {
  const { store, adminUrl, tmp, log } = options;
  let env: Record<string, string>;
  if (store === 'postgres') {
    const name = `${options.prefix ?? 'payrail_bench'}_${randomBytes(6).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: adminUrl });
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
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    env = { PAYRAIL_DATABASE_URL: url.toString() };
    log(`created database ${name}`);
  } else {
    env = { PAYRAIL_DATABASE_URL: '', PAYRAIL_DATA_DIR: join(tmp, 'data') };
  }
  const created = JSON.parse(
    await runCli(['merchant', 'create', '--name', 'Bench Shop', '--email', 'bench@example.com'], env),
  ) as { keys: { test: string } };
  return { env, apiKey: created.keys.test };
}
