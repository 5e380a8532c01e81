// The compiled server (`pnpm start:built`, and the published `payrail` bin): `node` runs
// server/dist/cli/bin.js with the `payrail-built` export condition, so every @payrail/* package resolves
// to its dist/ JavaScript. Node 20 cannot import a .ts file without tsx, so a server that starts and takes
// a payment here ran compiled code only. It also caught a runtime dependency declared only for
// development (undici), which a bundle-less build needs declared.
//
// Needs the packages built (`pnpm build` or `pnpm build:js`); `.ci/run` builds before it tests. Without a
// build the test says so and is skipped.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from './helpers/free-port';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}server/dist/cli/bin.js`;
const PACKAGES = [
  'core',
  'plugins/cards',
  'plugins/antifraud',
  'plugins/qiwi',
  'plugins/webmoney',
  'stores/postgres',
];
const missing = [BIN, ...PACKAGES.map((p) => `${ROOT}${p}/dist/index.js`)].filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.log(
    `built-server.test.ts skipped: the packages are not built (missing ${missing
      .map((f) => f.slice(ROOT.length))
      .join(', ')}); run \`pnpm build:js\` first (.ci/run builds before testing).`,
  );
}

function builtNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--conditions=payrail-built', BIN, ...args], {
    cwd: ROOT,
    // NODE_OPTIONS from the test runner could carry a loader; the built server must not need one.
    env: { ...process.env, NODE_OPTIONS: '', ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(proc: ChildProcess): () => string {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return () => out;
}

describe.skipIf(missing.length > 0)('the compiled server (no tsx)', () => {
  let db: TestDatabase;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await db?.drop();
  });

  it('migrates, creates a merchant with the built CLI, starts, and takes a card payment', async () => {
    const env = { PAYRAIL_DATABASE_URL: db.url, PAYRAIL_JOBS: 'off' };
    const cli = builtNode(
      ['merchant', 'create', '--name', 'Built Shop', '--email', 'built@example.com'],
      env,
    );
    const cliOut = collect(cli);
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(code, cliOut()).toBe(0);
    const key = /sk_test_[A-Za-z0-9_]+/.exec(cliOut())?.[0];
    expect(key, cliOut()).toBeDefined();

    const port = await freePort();
    server = builtNode(['start'], { ...env, PORT: String(port), HOST: '127.0.0.1' });
    const serverOut = collect(server);
    const base = `http://127.0.0.1:${port}`;
    let exited = false;
    server.once('exit', () => {
      exited = true;
    });
    for (;;) {
      expect(exited, `the built server exited:\n${serverOut()}`).toBe(false);
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const created = await fetch(`${base}/v1/payments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': 'built-1',
      },
      body: JSON.stringify({ amount: 1250, currency: 'EUR', method: 'card' }),
    });
    expect(created.status).toBe(201);
    const payment = (await created.json()) as { id: string };
    const paid = await fetch(`${base}/pay/${payment.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        number: '4242424242424242',
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        cvc: '123',
      }),
    });
    const body = (await paid.json()) as { status: string; amount: number };
    expect(paid.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: 'succeeded', amount: 1250 });
  });
});
