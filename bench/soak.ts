// Payrail soak test (issue 7): payment-flow paced at half the measured capacity for a long time; server
// RSS and p99 must not grow and nothing may fail. See docs/performance.md ("Soak") and bench/README.md.
//   pnpm bench:soak [--store postgres|embedded] [--duration 30m] [--window 60s] [--rate n]
//                   [--capacity-seconds 15] [--connections 16] [--warmup-windows 1]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  buildServerIfNeeded,
  type Child,
  cleanupAll,
  cleanups,
  Pool,
  paymentFlow,
  percentile,
  pg,
  prepareStore,
  ROOT,
  round,
  runLoad,
  sampleProc,
  serverScript,
  setServerMode,
  sleep,
  startChild,
  type Target,
} from './lib/harness';
import {
  analyzeSoak,
  DEFAULT_SOAK_THRESHOLDS,
  parseDuration,
  type SoakVerdict,
  type SoakWindow,
} from './soak-analysis';

interface Options {
  store: 'postgres' | 'embedded';
  durationS: number;
  windowS: number;
  rate: number | null;
  capacityS: number;
  connections: number;
  warmupWindows: number;
  adminUrl: string;
}

const USAGE =
  'pnpm bench:soak [--store postgres|embedded] [--duration 30m] [--window 60s] [--rate n] [--capacity-seconds 15] [--connections 16] [--warmup-windows 1] [--server built|tsx]\n';

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    store: 'postgres',
    durationS: 30 * 60,
    windowS: 60,
    rate: null,
    capacityS: 15,
    connections: 16,
    warmupWindows: DEFAULT_SOAK_THRESHOLDS.warmupWindows,
    adminUrl: process.env.PAYRAIL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? (arg.split(/=(.*)/s) as [string, string]) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const positive = (v: number, name: string) => {
      if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name} must be positive`);
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
        opts.durationS = positive(parseDuration(value()), '--duration');
        break;
      case '--window':
        opts.windowS = positive(parseDuration(value()), '--window');
        break;
      case '--rate':
        opts.rate = positive(Number(value()), '--rate');
        break;
      case '--capacity-seconds':
        opts.capacityS = positive(parseDuration(value()), '--capacity-seconds');
        break;
      case '--connections':
        opts.connections = positive(Number(value()), '--connections');
        if (!Number.isInteger(opts.connections)) throw new Error('--connections must be an integer');
        break;
      case '--warmup-windows':
        opts.warmupWindows = Number(value());
        if (!Number.isInteger(opts.warmupWindows) || opts.warmupWindows < 0)
          throw new Error('--warmup-windows must be an integer ≥ 0');
        break;
      case '--server':
        setServerMode(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------------
// The server's V8 heap, through bench/lib/heap-probe.mjs over the IPC channel.

interface HeapSample {
  heap_used: number;
  heap_total: number;
}
let heapRequest = 0;
function readHeap(server: Child, timeoutMs = 2000): Promise<HeapSample | null> {
  const { proc } = server;
  if (!proc.connected) return Promise.resolve(null);
  const id = ++heapRequest;
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string; id?: number } & HeapSample) => {
      if (message?.type !== 'payrail-bench:heap' || message.id !== id) return;
      done(message);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    const done = (result: HeapSample | null) => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      resolve(result);
    };
    proc.on('message', onMessage);
    try {
      proc.send({ type: 'payrail-bench:heap', id });
    } catch {
      done(null);
    }
  });
}

const loadavg1 = () => round(loadavg()[0] ?? Number.NaN, 2);
const mb = (bytes: number) => round(bytes / 1024 / 1024);

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const windowCount = Math.max(1, Math.round(opts.durationS / opts.windowS));
  log(
    `Payrail soak: store=${opts.store}, ${windowCount} window(s) of ${opts.windowS} s (${round((windowCount * opts.windowS) / 60)} min), ${opts.connections} connections, ${cpus().length} cores, Node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  buildServerIfNeeded(log);
  const tmp = mkdtempSync(join(tmpdir(), 'payrail-soak-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  const { env, apiKey } = await prepareStore({
    store: opts.store,
    adminUrl: opts.adminUrl,
    tmp,
    log,
    prefix: 'payrail_soak',
  });
  const server = await startChild('payrail', serverScript(), ['start'], env, false, {
    preload: ['bench/lib/heap-probe.mjs'],
    ipc: true,
  });
  const heapAvailable = (await readHeap(server)) !== null;
  log(
    `payrail server pid ${server.pid} healthy after ${round(server.startupMs, 0)} ms, RSS ${round(sampleProc(server.pid).rssMb)} MB, V8 heap ${heapAvailable ? 'readable' : 'not readable (RSS only)'}`,
  );
  const target: Target = {
    pool: new Pool(server.url, { connections: opts.connections, pipelining: 1 }),
    apiKey,
  };
  cleanups.push(() => target.pool.destroy());
  // PostgreSQL: the outbox backlog (events not yet dispatched) per window, read from the soak's database.
  let outbox: (() => Promise<number | null>) | null = null;
  if (env.PAYRAIL_DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.PAYRAIL_DATABASE_URL });
    await client.connect();
    cleanups.push(() => client.end());
    outbox = async () => {
      try {
        const res = (await client.query(
          'SELECT count(*)::int AS n FROM events WHERE dispatched_at IS NULL',
        )) as {
          rows: Array<{ n: number }>;
        };
        return res.rows[0]?.n ?? null;
      } catch {
        return null;
      }
    };
  }

  // --- Capacity: closed loop, as `pnpm bench` measures payment-flow, unless given.
  let capacity: { ops_per_s: number; p99_ms: number; errors: number; seconds: number } | null = null;
  let rate: number;
  if (opts.rate !== null) {
    rate = opts.rate;
    log(`rate given: ${rate} flows/s`);
  } else {
    await runLoad(opts.connections, Math.min(3000, (opts.capacityS * 1000) / 3), () => paymentFlow(target));
    const r = await runLoad(opts.connections, opts.capacityS * 1000, () => paymentFlow(target));
    const sorted = r.latencies.sort((a, b) => a - b);
    capacity = {
      ops_per_s: round((r.ops * 1000) / r.elapsedMs),
      p99_ms: round(percentile(sorted, 99), 2),
      errors: r.errors,
      seconds: opts.capacityS,
    };
    log(
      `capacity (closed loop, ${opts.capacityS} s): ${capacity.ops_per_s} flows/s, p99 ${capacity.p99_ms} ms, errors ${r.errors}`,
    );
    if (r.errors > 0 || capacity.ops_per_s <= 0) {
      log(`capacity run failed: ${r.errorSamples.join('\n')}\nserver output:\n${server.output()}`);
      throw new Error('capacity measurement failed');
    }
    rate = round(capacity.ops_per_s / 2, 2);
  }
  log(`soak: payment-flow paced at ${rate} flows/s`);
  log(
    'window     t(s)    ops   ops/s  err  p50 ms  p99 ms  max ms  RSS MB  heap MB  cpu ms/op  load   outbox',
  );

  const started = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const windows: SoakWindow[] = [];
  let verdict: SoakVerdict | null = null;
  const writeReport = () => {
    const report = {
      date: started.toISOString(),
      finished: verdict ? new Date().toISOString() : null,
      machine: {
        cores: cpus().length,
        cpu_model: cpus()[0]?.model ?? 'unknown',
        total_mem_mb: Math.round(totalmem() / 1024 / 1024),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadavg_at_start: loadAtStart,
        loadavg_at_end: verdict ? loadavg().map((x) => round(x, 2)) : null,
      },
      options: {
        store: opts.store,
        duration_s: windowCount * opts.windowS,
        window_s: opts.windowS,
        connections: opts.connections,
        scenario: 'payment-flow',
        rate_given: opts.rate,
      },
      server: { startup_ms: round(server.startupMs, 0), heap_readable: heapAvailable },
      capacity,
      target_ops_per_s: rate,
      windows,
      verdict,
    };
    writeFileSync(join(ROOT, 'bench/results/soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  };
  // One continuous paced load for the whole soak (no pause between windows). Each operation is counted
  // in the window in which it completed; at every window boundary the server is sampled.
  interface Bucket {
    latencies: number[];
    errors: number;
    errorSamples: string[];
    serverErrorLogs: number;
    serverErrorSample?: string;
    rssMax: number;
  }
  const newBucket = (rss: number): Bucket => ({
    latencies: [],
    errors: 0,
    errorSamples: [],
    serverErrorLogs: 0,
    rssMax: rss,
  });
  let current = newBucket(sampleProc(server.pid).rssMb);
  // pino lines at level error (50) or fatal (60) that the server writes during the soak
  const countServerErrors = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!/"level":(50|60)\b/.test(line)) continue;
      current.serverErrorLogs++;
      current.serverErrorSample ??= line.slice(0, 300);
    }
  };
  server.proc.stdout?.on('data', countServerErrors);
  server.proc.stderr?.on('data', countServerErrors);
  const measuredFlow = async () => {
    const t0 = performance.now();
    try {
      await paymentFlow(target);
      current.latencies.push(performance.now() - t0);
    } catch (error) {
      current.errors++;
      if (current.errorSamples.length < 5)
        current.errorSamples.push(String((error as Error).message ?? error).slice(0, 300));
      throw error; // runLoad counts it too
    }
  };
  const rssSampler = setInterval(() => {
    const rss = sampleProc(server.pid).rssMb;
    if (rss > current.rssMax) current.rssMax = rss;
  }, 1000);
  cleanups.push(() => clearInterval(rssSampler));

  const windowMs = opts.windowS * 1000;
  const soakStart = performance.now();
  const load = runLoad(opts.connections, windowCount * windowMs, measuredFlow, rate);
  let before = sampleProc(server.pid);
  let windowStart = soakStart;
  for (let index = 0; index < windowCount; index++) {
    if (index === windowCount - 1)
      await load; // the last window also takes the flows still in flight
    else await sleep(Math.max(0, soakStart + (index + 1) * windowMs - performance.now()));
    const ended = performance.now();
    const b = current;
    const after = sampleProc(server.pid);
    current = newBucket(after.rssMb);
    const heap = heapAvailable ? await readHeap(server) : null;
    const backlog = outbox ? await outbox() : null;
    const sorted = b.latencies.sort((x, y) => x - y);
    const ops = sorted.length;
    // The last window ends at the nominal end: after it no flow starts, but runLoad returns only when the
    // paced workers wake from their last (unused) slots, up to connections ÷ rate seconds later.
    const windowEnd = index === windowCount - 1 ? Math.min(ended, soakStart + windowCount * windowMs) : ended;
    const seconds = (windowEnd - windowStart) / 1000;
    const w: SoakWindow = {
      index,
      start_s: round((windowStart - soakStart) / 1000, 2),
      duration_s: round(seconds, 2),
      ops,
      errors: b.errors,
      ops_per_s: round(ops / seconds),
      target_ops_per_s: rate,
      p50_ms: round(percentile(sorted, 50), 2),
      p99_ms: round(percentile(sorted, 99), 2),
      max_ms: round(sorted[ops - 1] ?? Number.NaN, 2),
      rss_mb: round(after.rssMb),
      rss_max_mb: round(Math.max(b.rssMax, after.rssMb)),
      cpu_ms_per_op: round((after.cpuMs - before.cpuMs) / Math.max(1, ops), 3),
      heap_used_mb: heap ? mb(heap.heap_used) : null,
      heap_total_mb: heap ? mb(heap.heap_total) : null,
      loadavg_1m: loadavg1(),
      server_error_logs: b.serverErrorLogs,
      outbox_backlog: backlog,
      ...(b.errorSamples.length ? { error_samples: b.errorSamples } : {}),
      ...(b.serverErrorSample ? { server_error_sample: b.serverErrorSample } : {}),
    };
    before = after;
    windowStart = ended;
    windows.push(w);
    const cells = [
      `${index + 1}/${windowCount}`.padEnd(7),
      String(round((ended - soakStart) / 1000, 0)).padStart(7),
      String(w.ops).padStart(6),
      String(w.ops_per_s).padStart(7),
      String(w.errors).padStart(4),
      String(w.p50_ms).padStart(7),
      String(w.p99_ms).padStart(7),
      String(w.max_ms).padStart(7),
      String(w.rss_mb).padStart(7),
      String(w.heap_used_mb ?? '-').padStart(8),
      String(w.cpu_ms_per_op).padStart(10),
      String(w.loadavg_1m).padStart(5),
      String(backlog ?? '-').padStart(7),
    ];
    log(
      `${cells.join(' ')}${index < opts.warmupWindows ? '  (warm-up)' : ''}${w.server_error_logs ? `  server logged ${w.server_error_logs} error(s)` : ''}`,
    );
    for (const e of b.errorSamples) log(`  error: ${e}`);
    writeReport();
  }
  clearInterval(rssSampler);

  verdict = analyzeSoak(windows, { warmupWindows: opts.warmupWindows });
  const serverOut = server.output().trim();
  if (serverOut) log(`server warnings/errors (last lines):\n${serverOut.split('\n').slice(-10).join('\n')}`);
  log('');
  const rss = verdict.rss_mb;
  const p99 = verdict.p99_ms;
  if (rss)
    log(
      `RSS: median ${round(rss.first_third_median)} MB (first third after warm-up) → ${round(rss.last_third_median)} MB (last third), ${rss.growth_pct >= 0 ? '+' : ''}${round(rss.growth_pct)} %; trend ${round(rss.slope_per_hour)} MB/h`,
    );
  if (p99)
    log(
      `p99: median ${round(p99.first_third_median, 2)} ms → ${round(p99.last_third_median, 2)} ms (×${round(p99.factor, 2)})`,
    );
  if (verdict.heap_used_mb)
    log(
      `V8 heap used: median ${round(verdict.heap_used_mb.first_third_median)} MB → ${round(verdict.heap_used_mb.last_third_median)} MB; trend ${round(verdict.heap_used_mb.slope_per_hour)} MB/h`,
    );
  log(`errors: ${verdict.errors}`);
  for (const n of verdict.notes) log(`note: ${n}`);
  for (const f of verdict.failures) log(`FAIL: ${f}`);
  const t = verdict.thresholds;
  log(
    `verdict: ${verdict.pass ? 'PASS' : 'FAIL'} (rule: no errors; RSS last/first-third median ≤ +${t.rssGrowthPct} % and not [trend > ${t.rssSlopeMbPerHour} MB/h with medians +${t.rssSlopeMinRiseMb} MB]; p99 not [× > ${t.p99GrowthFactor} and +${t.p99MinRiseMs} ms])`,
  );
  writeReport();
  log('wrote bench/results/soak.json');
  if (!verdict.pass) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
