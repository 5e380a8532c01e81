// Server memory probe: RSS idle after start, after a short payment-flow load, and after settling, plus
// which heavy optional dependencies the process loaded. Not part of `pnpm bench` (docs/performance.md, "Memory").
//   node --import tsx bench/memory.ts [--store postgres|embedded] [--load-seconds 5] [--connections 8]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// bench/ has no package.json of its own: pg and undici come from the packages that depend on them.
interface Body {
  json(): Promise<unknown>;
  text(): Promise<string>;
  dump(): Promise<void>;
}
interface UndiciPool {
  request(o: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
  }): Promise<{ statusCode: number; body: Body }>;
  destroy(): Promise<void>;
}
const { Pool } = createRequire(join(ROOT, 'server/package.json'))('undici') as {
  Pool: new (origin: string, o: { connections: number }) => UndiciPool;
};
const pg = createRequire(join(ROOT, 'stores/postgres/package.json'))('pg') as {
  Client: new (o: {
    connectionString: string;
  }) => {
    connect(): Promise<void>;
    query(sql: string): Promise<unknown>;
    end(): Promise<void>;
  };
};
const HEAVY = [
  'mongodb',
  '@agendajs/mongo-backend',
  'pdfkit',
  '@electric-sql/pglite',
  '@electric-sql/pglite-socket',
  'handlebars',
  'nodemailer',
  '@node-rs/argon2',
  '@fastify/swagger',
  '@fastify/swagger-ui',
];
const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'postgres' },
    'load-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = mkdtempSync(join(tmpdir(), 'payrail-mem-'));
const cleanups: (() => Promise<void>)[] = [async () => rmSync(tmp, { recursive: true, force: true })];

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 102.4) / 10;
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/cli/bin.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  if (code !== 0) throw new Error(`payrail ${args.join(' ')} exited ${code}`);
  return out;
}

async function main(): Promise<void> {
  let env: Record<string, string>;
  if (values.store === 'postgres') {
    const name = `payrail_mem_${randomBytes(5).toString('hex')}`;
    const admin = async (sql: string) => {
      const c = new pg.Client({ connectionString: values['admin-url'] });
      await c.connect();
      await c.query(sql).finally(() => c.end());
    };
    await admin(`CREATE DATABASE ${name}`);
    cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const url = new URL(values['admin-url'] as string);
    url.pathname = `/${name}`;
    env = { PAYRAIL_DATABASE_URL: url.toString() };
  } else {
    env = { PAYRAIL_DATABASE_URL: '', PAYRAIL_DATA_DIR: join(tmp, 'data') };
  }
  const created = JSON.parse(
    await cli(['merchant', 'create', '--name', 'Mem Shop', '--email', 'mem@example.com'], env),
  ) as { keys: { test: string } };

  const port = await freePort();
  const dump = join(tmp, 'modules.json');
  const server = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(ROOT, 'bench/memory-probe.mjs'),
      join(ROOT, 'server/src/cli/bin.ts'),
      'start',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        PROBE_OUT: dump,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  cleanups.unshift(async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (i > 6000) throw new Error('server not healthy after 60 s');
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(10);
  }
  const pid = server.pid as number;
  await sleep(3000);
  const idle = rssMb(pid);
  server.kill('SIGUSR2');
  await sleep(500);
  const dumped = JSON.parse(readFileSync(dump, 'utf8')) as { mem: NodeJS.MemoryUsage; modules: string[] };

  const pool = new Pool(base, { connections: Number(values.connections) });
  const headers = { authorization: `Bearer ${created.keys.test}`, 'content-type': 'application/json' };
  const card = JSON.stringify({ number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' });
  let flows = 0;
  const until = Date.now() + Number(values['load-seconds']) * 1000;
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  await Promise.all(
    Array.from({ length: Number(values.connections) }, async (_, w) => {
      for (let n = 0; Date.now() < until; n++) {
        const c = await pool.request({
          method: 'POST',
          path: '/v1/payments',
          headers: { ...headers, 'idempotency-key': `mem-${w}-${n}-${randomBytes(4).toString('hex')}` },
          body: JSON.stringify({ amount: 1000, currency: 'USD', method: 'card' }),
        });
        const { id } = (await c.body.json()) as { id: string };
        const p = await pool.request({ method: 'POST', path: `/pay/${id}`, headers, body: card });
        if (p.statusCode !== 200) throw new Error(`pay → ${p.statusCode} ${await p.body.text()}`);
        await p.body.dump();
        flows++;
      }
    }),
  );
  clearInterval(sampler);
  const afterLoad = rssMb(pid);
  await pool.destroy();
  await sleep(10_000);
  const settled = rssMb(pid);

  const loaded = HEAVY.filter((m) => dumped.modules.some((u) => u.includes(`/node_modules/${m}/`)));
  const mb = (n: number) => Math.round(n / 1024 / 102.4) / 10;
  console.log(
    JSON.stringify(
      {
        store: values.store,
        loadavg_before_load: loadavg(),
        rss_mb: { idle, peak, after_load: afterLoad, after_10s_idle: settled },
        idle_breakdown_mb: {
          heap_used: mb(dumped.mem.heapUsed),
          heap_total: mb(dumped.mem.heapTotal),
          external: mb(dumped.mem.external),
          array_buffers: mb(dumped.mem.arrayBuffers),
        },
        flows,
        modules_loaded: dumped.modules.length,
        heavy_loaded: loaded,
      },
      null,
      2,
    ),
  );
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of cleanups) await c().catch(() => {});
  });
