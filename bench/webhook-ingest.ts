/**
 * `webhook-ingest` (issue 7): signed QIWI notifications for existing payments, 10 % of them duplicates,
 * against the real server in a child process, with the bare-Fastify baseline measured in the same run.
 *
 *   node --import tsx bench/webhook-ingest.ts [--store postgres|embedded] [--payments 20000]
 *     [--duration 10] [--connections 16]
 *
 * Seeds `--payments` QIWI payments awaiting payment (`requires_action`, provider `qiwi:bench`) through
 * the store, starts `payrail start` with a `qiwi` instance `bench` from a plugins file (secret known to
 * this script), then POSTs to `/hooks/qiwi/bench` the notification QIWI sends when a bill is PAID —
 * signed with X-Api-Signature-SHA256 by the plugin's own `signNotification`, the function the QIWI
 * simulator signs with. Every tenth request repeats one already sent (a duplicate: answered 200, no
 * write). Runs until `--duration` seconds pass or the fresh payments run out. Each answer must be
 * `200 {"error":"0"}`; afterwards a sample of payments is checked through the API (notified ones
 * `succeeded`, the others untouched). Writes bench/results/webhook-ingest.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_TARIFF,
  formatDecimalFixed,
  newId,
  type OutboxEvent,
  type Payment,
  paymentResource,
  type Store,
} from '../core/src/index';
import { signNotification } from '../plugins/qiwi/src/index';
import { generateApiKey } from '../server/src/auth/api-keys';
import { createEmbeddedStore, createPostgresStore, createTestDatabase } from '../stores/postgres/src/index';
import { buildServerIfNeeded, nodeArgs, serverScript } from './lib/harness';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'postgres' },
    payments: { type: 'string', default: '20000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
  },
});
const storeKind = values.store === 'embedded' ? 'embedded' : 'postgres';
const paymentCount = Number(values.payments);
const durationMs = Number(values.duration) * 1000;
const connections = Number(values.connections);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fromServer = createRequire(join(ROOT, 'server/package.json'));
interface Pool {
  request(o: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{
    statusCode: number;
    body: { text(): Promise<string> };
  }>;
  destroy(): Promise<void>;
}
const { Pool } = fromServer('undici') as { Pool: new (origin: string, o: { connections: number }) => Pool };

const SITE = 'bench-site';
const SECRET = 'bench-qiwi-secret-not-real';
const INSTANCE = 'bench';
const log = (s: string) => process.stdout.write(`${s}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function sampleProc(pid: number): { cpuMs: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / 100, rssMb: rssKb / 1024 };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** Spawns `script` with node + tsx and waits until GET /healthz answers 200 (or any answer for the baseline). */
async function startChild(script: string, args: string[], env: Record<string, string>) {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, nodeArgs(script, args, false, 'webhook-ingest'), {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-10_000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-10_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${script} exited:\n${out}`);
    if (Date.now() > deadline) throw new Error(`${script} not healthy after 120 s:\n${out}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  return { pid: proc.pid ?? 0, url, stop, output: () => out };
}

/** A QIWI payment as createPayment leaves it: bill issued, buyer sent to the pay form. */
function awaitingPayment(merchantId: string, i: number): Payment {
  const now = new Date();
  const id = newId('payment', now.getTime());
  return {
    id,
    merchantId,
    shopId: null,
    mode: 'test',
    status: 'requires_action',
    amount: 1000 + (i % 9000),
    currency: 'RUB',
    amountCapturable: 0,
    amountCaptured: 0,
    amountRefunded: 0,
    amountRefundPending: 0,
    method: 'qiwi_wallet',
    captureMethod: 'automatic',
    orderId: `wh-${i}`,
    description: null,
    customer: null,
    returnUrl: null,
    metadata: {},
    provider: { id: 'qiwi', instanceId: INSTANCE, paymentRef: id },
    card: null,
    nextAction: { type: 'redirect', url: `https://oplata.qiwi.com/form/?invoice_uid=${id}` },
    decline: null,
    risk: null,
    client: null,
    billing: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

const createdEvent = (p: Payment): OutboxEvent => ({
  id: newId('event', p.createdAt.getTime()),
  merchantId: p.merchantId,
  mode: p.mode,
  type: 'payment.created',
  objectId: p.id,
  data: { object: paymentResource(p) },
  createdAt: p.createdAt,
});

/** The body and headers QIWI POSTs when the bill is PAID (v1 protocol), signed once, before the load. */
function paidNotification(p: Payment): { body: string; headers: Record<string, string> } {
  const value = formatDecimalFixed(p.amount, p.currency, 2);
  const bill = {
    siteId: SITE,
    billId: p.id,
    amount: { value, currency: 'RUB' },
    status: { value: 'PAID', datetime: '2026-01-01T12:00:00' },
    customer: {},
    customFields: {},
    creationDateTime: '2026-01-01T11:59:00',
    expirationDateTime: '2026-01-01T12:44:00',
  };
  const signature = signNotification(
    { currency: 'RUB', amountValue: value, billId: p.id, siteId: SITE, status: 'PAID' },
    SECRET,
  );
  return {
    body: JSON.stringify({ bill, version: '1' }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-api-signature-sha256': signature,
    },
  };
}

async function main() {
  buildServerIfNeeded((line) => process.stdout.write(`${line}\n`));
  const tmp = mkdtempSync(join(tmpdir(), 'payrail-webhook-bench-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(tmp, { recursive: true, force: true })];
  try {
    // --- Store, merchant and payments, written before the server opens the database.
    let store: Store & { close(): Promise<void> };
    let dbEnv: Record<string, string>;
    if (storeKind === 'postgres') {
      const db = await createTestDatabase(
        process.env.PAYRAIL_BENCH_POSTGRES_URL ? { adminUrl: process.env.PAYRAIL_BENCH_POSTGRES_URL } : {},
      );
      cleanups.push(() => db.drop());
      store = createPostgresStore({ url: db.url, poolSize: 8 });
      dbEnv = { PAYRAIL_DATABASE_URL: db.url };
    } else {
      const dataDir = join(tmp, 'data');
      store = await createEmbeddedStore({ dataDir });
      dbEnv = { PAYRAIL_DATABASE_URL: '', PAYRAIL_DATA_DIR: dataDir };
    }
    await store.migrate();
    const now = new Date();
    const merchantId = newId('merchant', now.getTime());
    const key = generateApiKey(merchantId, 'test', now);
    await store.merchants.create({
      merchant: {
        id: merchantId,
        name: 'Bench shop',
        email: 'bench@shop.example',
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: now,
      },
      apiKeys: [key.record],
    });
    const payments: Payment[] = [];
    const s0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < paymentCount) {
          const p = awaitingPayment(merchantId, next++);
          await store.payments.insert({ payment: p, events: [createdEvent(p)] });
          payments.push(p);
        }
      }),
    );
    await store.close();
    log(
      `seeded ${payments.length} QIWI payments (requires_action) in ${round(performance.now() - s0, 0)} ms`,
    );
    const notifications = payments.map(paidNotification);

    // --- Server with the qiwi instance `bench`, and the baseline.
    const pluginsFile = join(tmp, 'plugins.json');
    writeFileSync(
      pluginsFile,
      JSON.stringify({
        qiwi: [
          { instanceId: INSTANCE, siteId: SITE, secretKey: { env: 'BENCH_QIWI_SECRET' }, publicKey: 'pk' },
        ],
      }),
    );
    const server = await startChild(serverScript(), ['start'], {
      ...dbEnv,
      PAYRAIL_PLUGINS_FILE: pluginsFile,
      BENCH_QIWI_SECRET: SECRET,
      PAYRAIL_SIMULATORS: '0',
      PAYRAIL_JOBS: 'off',
    });
    cleanups.push(server.stop);
    const baseline = await startChild('bench/baseline-server.ts', [], {});
    cleanups.push(baseline.stop);
    log(`payrail pid ${server.pid} and baseline ready; ${connections} connections, ${durationMs / 1000} s`);

    // --- Load: fresh PAID notifications, every tenth one a duplicate of one already answered.
    const run = async (url: string, check: boolean) => {
      const pool = new Pool(url, { connections });
      let fresh = 0;
      let duplicates = 0;
      let errors = 0;
      const samples: string[] = [];
      const latencies: number[] = [];
      const answered: number[] = [];
      let k = 0;
      const start = performance.now();
      const end = start + durationMs;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < end) {
            const dup = ++k % 10 === 0 && answered.length > 0;
            const index = dup ? (answered[(k * 7919) % answered.length] as number) : fresh++;
            if (!dup && index >= notifications.length) return;
            if (dup) duplicates++;
            const n = notifications[index] as { body: string; headers: Record<string, string> };
            const t0 = performance.now();
            try {
              const res = await pool.request({
                method: 'POST',
                path: `/hooks/qiwi/${INSTANCE}`,
                headers: n.headers,
                body: n.body,
              });
              const text = await res.body.text();
              latencies.push(performance.now() - t0);
              if (check && (res.statusCode !== 200 || text !== '{"error":"0"}')) {
                errors++;
                if (samples.length < 5) samples.push(`${res.statusCode} ${text.slice(0, 200)}`);
              } else if (!dup) answered.push(index);
            } catch (error) {
              errors++;
              if (samples.length < 5) samples.push(String(error).slice(0, 200));
            }
          }
        }),
      );
      const elapsedMs = performance.now() - start;
      await pool.destroy();
      const sorted = latencies.sort((a, b) => a - b);
      return { ops: latencies.length, elapsedMs, sorted, errors, samples, answered, duplicates };
    };

    const before = sampleProc(server.pid);
    const r = await run(server.url, true);
    const after = sampleProc(server.pid);
    const b = await run(baseline.url, false);

    // --- Check a sample through the API: notified payments succeeded once, the rest untouched.
    const api = async (path: string) =>
      (await (
        await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key.secret}` } })
      ).json()) as {
        status: string;
        amount_captured: number;
        amount: number;
      };
    const notified = new Set<string>();
    for (const i of r.answered) notified.add((payments[i] as Payment).id);
    let wrong = 0;
    for (const p of payments.filter((_, i) => i % Math.max(1, Math.floor(payments.length / 200)) === 0)) {
      const got = await api(`/v1/payments/${p.id}`);
      const expected = notified.has(p.id) ? 'succeeded' : 'requires_action';
      if (got.status !== expected || (expected === 'succeeded' && got.amount_captured !== p.amount)) wrong++;
    }

    const opsPerS = (r.ops * 1000) / r.elapsedMs;
    const baseOps = (b.ops * 1000) / b.elapsedMs;
    const result = {
      name: 'webhook-ingest',
      store: storeKind,
      ops_per_s: round(opsPerS),
      p50_ms: round(percentile(r.sorted, 50), 2),
      p99_ms: round(percentile(r.sorted, 99), 2),
      baseline_ops_per_s: round(baseOps),
      ratio_to_baseline: round(opsPerS / baseOps, 3),
      errors: r.errors + wrong,
      cpu_ms_per_op: round((after.cpuMs - before.cpuMs) / Math.max(1, r.ops), 3),
      rss_mb_after: round(after.rssMb),
      requests_per_op: 1,
      applied: r.answered.length,
      duplicates: r.duplicates,
      notes: [...r.samples, ...(wrong ? [`${wrong} sampled payments in the wrong state`] : [])],
    };
    log(
      `webhook-ingest (${storeKind}): ${result.ops_per_s} notifications/s (${result.applied} applied, ${result.duplicates} duplicates), p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, baseline ${result.baseline_ops_per_s}/s (ratio ${result.ratio_to_baseline}), CPU ${result.cpu_ms_per_op} ms/op, RSS ${result.rss_mb_after} MB, errors ${result.errors}`,
    );
    if (r.answered.length >= payments.length)
      log('note: every seeded payment was notified before the duration ended; raise --payments');
    for (const n of result.notes) log(`  ${n}`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/webhook-ingest.json'),
      `${JSON.stringify({ machine: { cores: cpus().length, node: process.version }, scenarios: [result] }, null, 2)}\n`,
    );
    if (result.errors > 0) process.exitCode = 1;
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

await main();
