/**
 * PostgreSQL work per payment flow (issue 7): statements, parses and PostgreSQL CPU per
 * `POST /v1/payments` + `POST /pay/:id` (card 4242…, automatic capture).
 *
 *   node --import tsx bench/pg-per-flow.ts [--flows 400] [--warmup 40] [--concurrency 4] [--list]
 *
 * A fresh database; the server runs as a child process exactly as `pnpm bench` starts it, but talks to
 * PostgreSQL through a loopback proxy in this process that reads the frontend protocol messages and
 * counts them: Parse (`P`: the statement parsed — and for an unnamed one planned — again), Execute (`E`:
 * a statement run) and simple Query (`Q`: BEGIN/COMMIT…). Counts are exact, not sampled. PostgreSQL CPU:
 * utime+stime from /proc of the backends serving this database (pg_stat_activity), before and after the
 * measured flows; server CPU likewise from the child's /proc. `--list` prints each distinct statement
 * parsed during one sequential flow after warm-up (first 100 characters).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pg = createRequire(new URL('../stores/postgres/package.json', import.meta.url))('pg') as {
  Client: new (o: {
    connectionString: string;
  }) => {
    connect(): Promise<void>;
    query<R = unknown>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
    end(): Promise<void>;
  };
};
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FLOWS = arg('flows', 400);
const WARMUP = arg('warmup', 40);
const CONCURRENCY = arg('concurrency', 4);
const LIST = process.argv.includes('--list');
const ADMIN = process.env.PAYRAIL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TICK_MS = 10; // USER_HZ = 100 on Linux

const counts = { parse: 0, execute: 0, query: 0 };
let capture: string[] | null = null;
const statementTexts = new Map<string, string>();

/** Forwards one client connection to PostgreSQL, counting the frontend messages it sends. */
function proxy(client: Socket, target: { host: string; port: number }) {
  const upstream = connect(target.port, target.host);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  let buffer: Buffer = Buffer.alloc(0);
  let started = false; // the startup message has no type byte
  client.on('data', (chunk: Buffer) => {
    upstream.write(chunk);
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (!started) {
        if (buffer.length < 4) break;
        const len = buffer.readInt32BE(0);
        if (buffer.length < len) break;
        buffer = buffer.subarray(len);
        started = true;
        continue;
      }
      if (buffer.length < 5) break;
      const len = buffer.readInt32BE(1);
      if (buffer.length < len + 1) break;
      const type = String.fromCharCode(buffer[0] ?? 0);
      const body = buffer.subarray(5, len + 1);
      if (type === 'P') {
        counts.parse++;
        const nameEnd = body.indexOf(0);
        const name = body.subarray(0, nameEnd).toString();
        const text = body
          .subarray(nameEnd + 1, body.indexOf(0, nameEnd + 1))
          .toString()
          .replace(/\s+/g, ' ')
          .trim();
        if (name && statementTexts.size < 1000) statementTexts.set(name, text);
        if (capture) capture.push(`parse ${name ? `[${name}] ` : '(unnamed) '}${text.slice(0, 90)}`);
      } else if (type === 'B') {
        if (capture) {
          const portalEnd = body.indexOf(0);
          const name = body.subarray(portalEnd + 1, body.indexOf(0, portalEnd + 1)).toString();
          if (name) capture.push(`bind  [${name}] ${(statementTexts.get(name) ?? '?').slice(0, 90)}`);
        }
      } else if (type === 'E') {
        counts.execute++;
      } else if (type === 'Q') {
        counts.query++;
        if (capture) capture.push(`query ${body.toString().slice(0, 60)}`);
      }
      buffer = buffer.subarray(len + 1);
    }
  });
}

const cpuTicks = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  } catch {
    return 0; // exited
  }
};

async function main() {
  const dbName = `payrail_pgflow_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const adminUrl = new URL(ADMIN);
  const target = { host: adminUrl.hostname, port: Number(adminUrl.port || 5432) };
  const proxyServer: Server = createServer((socket) => proxy(socket, target));
  await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxyServer.address() as { port: number }).port;
  const dbUrl = `postgres://${adminUrl.username}@127.0.0.1:${proxyPort}/${dbName}`;
  const env = {
    ...process.env,
    PAYRAIL_STORE: 'postgres',
    PAYRAIL_DATABASE_URL: dbUrl,
    LOG_LEVEL: 'warn',
    PAYRAIL_JOBS: 'off',
  };
  let server: ChildProcess | undefined;
  try {
    // spawnSync blocks this process, and with it the proxy: the CLI gets PostgreSQL directly.
    const direct = { ...env, PAYRAIL_DATABASE_URL: `${ADMIN.replace(/\/[^/]*$/, '')}/${dbName}` };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/bin.ts', ...args], {
        cwd: ROOT,
        env: direct,
        encoding: 'utf8',
      });
    const migrated = run('migrate');
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    const created = run('merchant', 'create', '--name', 'Bench', '--email', 'bench@example.com');
    const apiKey = /sk_test_[A-Za-z0-9_]+/.exec(created.stdout + created.stderr)?.[0];
    if (!apiKey) throw new Error(`no API key from merchant create: ${created.stdout}${created.stderr}`);

    const port = 20000 + Math.floor(Math.random() * 20000);
    server = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/bin.ts', 'start'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }

    const expYear = new Date().getUTCFullYear() + 3;
    let failures = 0;
    const flow = async () => {
      const createRes = await fetch(`${base}/v1/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'idempotency-key': randomBytes(12).toString('hex'),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ amount: 1000, currency: 'USD', method: 'card' }),
      });
      const payment = (await createRes.json()) as { id: string };
      const payRes = await fetch(`${base}/pay/${payment.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' }),
      });
      const paid = (await payRes.json()) as { status?: string };
      if (paid.status !== 'succeeded') failures++;
    };
    const load = async (n: number) => {
      let left = n;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (left-- > 0) await flow();
        }),
      );
    };

    await load(WARMUP);
    if (LIST) {
      capture = [];
      await flow();
      console.log(
        'messages of one flow after warm-up (parse = text sent to be parsed; bind [name] = a prepared statement run again):',
      );
      for (const line of capture) console.log(`  ${line}`);
      capture = null;
    }
    const backends = async () =>
      (
        await admin.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [dbName],
        )
      ).rows.map((r) => r.pid);
    const pidsBefore = await backends();
    const pgBefore = new Map(pidsBefore.map((pid) => [pid, cpuTicks(pid)]));
    const serverBefore = cpuTicks(server.pid ?? 0);
    const countsBefore = { ...counts };
    const started = performance.now();
    await load(FLOWS);
    const elapsed = performance.now() - started;
    const pidsAfter = await backends();
    let pgTicks = 0;
    for (const pid of new Set([...pidsBefore, ...pidsAfter]))
      pgTicks += cpuTicks(pid) - (pgBefore.get(pid) ?? 0);
    const serverTicks = cpuTicks(server.pid ?? 0) - serverBefore;
    const per = (k: keyof typeof counts) => ((counts[k] - countsBefore[k]) / FLOWS).toFixed(2);
    console.log(
      JSON.stringify(
        {
          flows: FLOWS,
          concurrency: CONCURRENCY,
          failures,
          flows_per_s: Number(((FLOWS * 1000) / elapsed).toFixed(1)),
          executes_per_flow: Number(per('execute')),
          parses_per_flow: Number(per('parse')),
          simple_queries_per_flow: Number(per('query')),
          pg_backends: pidsAfter.length,
          pg_cpu_ms_per_flow: Number(((pgTicks * TICK_MS) / FLOWS).toFixed(2)),
          server_cpu_ms_per_flow: Number(((serverTicks * TICK_MS) / FLOWS).toFixed(2)),
          loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
        },
        null,
        1,
      ),
    );
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server?.once('exit', r));
    }
    proxyServer.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
