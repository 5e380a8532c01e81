import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/free-port';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../src/cli/bin.ts');
const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The README as a user runs it: `payrail start` on the embedded database in a fresh directory, the CLI
 * creating a merchant while the server runs, the curl walkthrough over real HTTP, a graceful SIGTERM, and
 * the data still there after a restart.
 */
describe('payrail CLI and server processes (embedded database)', () => {
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    server = spawn(process.execPath, ['--import', 'tsx', BIN, 'start'], { cwd: ROOT, env });
    server.stdout?.on('data', (d) => {
      output += String(d);
    });
    server.stderr?.on('data', (d) => {
      output += String(d);
    });
    // A first start runs initdb in WASM and every migration: seconds on a quiet machine, over 30 s on a
    // loaded CI machine. This waits for readiness; it does not time anything.
    for (let i = 0; i < 1_200; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (server.exitCode !== null) throw new Error(`server exited early:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server not ready after 120 s:\n${output}`);
  };
  const stop = async (): Promise<number | null> => {
    const child = server;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    return exited;
  };
  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env });
    return JSON.parse(stdout);
  };
  const api = async (method: string, path: string, key?: string, body?: unknown, headers = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
    const json: any = await res.json();
    return { status: res.status, body: json };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'payrail-cli-'));
    port = await freePort();
    env = {
      ...process.env,
      PAYRAIL_DATABASE_URL: '',
      PAYRAIL_DATA_DIR: join(dataDir, 'data'),
      PORT: String(port),
      LOG_LEVEL: 'info',
    };
    await start();
  }, 180_000);
  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('first start on an empty database says how to create a merchant', () => {
    expect(output).toContain('pnpm payrail merchant create');
  });

  it('the README walkthrough works over HTTP, and the data survives a graceful restart', async () => {
    const created = await cli('merchant', 'create', '--name', 'My Shop', '--email', 'me@example.com');
    expect(created.merchant).toMatchObject({ name: 'My Shop', email: 'me@example.com' });
    const key: string = created.keys.test;
    expect(key).toMatch(/^sk_test_/);
    expect(created.keys.live).toMatch(/^sk_live_/);

    const listed = await cli('keys', 'list', '--merchant', created.merchant.id);
    expect(listed.map((k: { mode: string }) => k.mode).sort()).toEqual(['live', 'test']);
    expect(JSON.stringify(listed)).not.toContain(key);

    const payment = await api(
      'POST',
      '/v1/payments',
      key,
      { amount: 1999, currency: 'EUR', method: 'card', capture_method: 'manual', order_id: '1001' },
      { 'idempotency-key': 'order-1001' },
    );
    expect(payment.status).toBe(201);
    expect(payment.body.next_action.url).toBe(`http://localhost:${port}/pay/${payment.body.id}`);
    const id: string = payment.body.id;

    const paid = await api('POST', `/pay/${id}`, undefined, {
      number: '4242424242424242',
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 4,
      cvc: '123',
    });
    expect(paid.body).toMatchObject({ status: 'authorized', card: { brand: 'visa', last4: '4242' } });
    const captured = await api('POST', `/v1/payments/${id}/capture`, key, {});
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_captured: 1999 });
    const refund = await api(
      'POST',
      `/v1/payments/${id}/refunds`,
      key,
      { amount: 500 },
      { 'idempotency-key': 'r1' },
    );
    expect(refund.body).toMatchObject({ object: 'refund', status: 'succeeded', amount: 500 });
    const events = await api('GET', '/v1/events?limit=10', key);
    expect(events.body.data.map((e: { type: string }) => e.type)).toContain('refund.succeeded');

    expect(await stop()).toBe(0);
    await start();
    expect(output).not.toContain('No merchant yet');
    const after = await api('GET', `/v1/payments/${id}`, key);
    expect(after.body).toMatchObject({
      status: 'partially_refunded',
      amount_captured: 1999,
      amount_refunded: 500,
    });
  }, 240_000);

  it('a CLI mistake is a non-zero exit with a stable error code', async () => {
    const failure = await run(
      process.execPath,
      ['--import', 'tsx', BIN, 'merchant', 'create', '--name', 'X'],
      {
        cwd: ROOT,
        env,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('PAYRAIL_ERR_VALIDATION');
    expect((failure as { stderr: string }).stderr).toContain('--email');
  }, 60_000);
});
