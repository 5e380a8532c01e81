// Crash test: the real server (`payrail start`, a child process on PostgreSQL) is killed with SIGKILL at
// random moments while clients run idempotent payment flows (create with an Idempotency-Key, then pay
// with the sandbox card); it is restarted on the same port and the clients retry with the same keys, as a
// real integration would. Afterwards: no payment lost, none duplicated, none captured twice, ledger balanced.
//
// CI runs a small count (3 kills, 40 flows). PAYRAIL_RELIABILITY_LONG=1 runs 20 kills and 400 flows;
// PAYRAIL_CRASH_SEED=<n> replays the kill schedule of a failed run (printed at the start).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Store } from '@payrail/core';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';
import { prng } from '../helpers/prng';

const LONG = process.env.PAYRAIL_RELIABILITY_LONG === '1';
const KILLS = LONG ? 20 : 3;
const FLOWS = LONG ? 400 : 40;
const CLIENTS = 8;
const SEED = Number(process.env.PAYRAIL_CRASH_SEED ?? randomBytes(4).readUInt32LE(0));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = `${ROOT}server/src/cli/bin.ts`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) =>
    proc.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`payrail ${args.join(' ')}: ${out}`)),
    ),
  );
}

interface Flow {
  key: string;
  /** The payment id of a 201 the client received. */
  paymentId?: string;
  /** The client saw the pay call answer `succeeded`. */
  paid: boolean;
  /** What stopped the flow early (a crash left its key in flight, or the payment mid-authorization). */
  unresolved?: string;
}

describe('crash test: SIGKILL during idempotent payment flows (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let merchantId: string;
  let apiKey: string;
  let port: number;
  let server: ChildProcess | undefined;
  let serverOut = '';
  const env = () => ({ PAYRAIL_DATABASE_URL: db.url });

  async function start(): Promise<void> {
    serverOut = '';
    const proc = spawn(process.execPath, ['--import', 'tsx', BIN, 'start'], {
      cwd: ROOT,
      env: { ...process.env, ...env(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => {
      serverOut = (serverOut + d.toString()).slice(-10_000);
    });
    proc.stderr?.on('data', (d: Buffer) => {
      serverOut = (serverOut + d.toString()).slice(-10_000);
    });
    server = proc;
    for (let i = 0; i < 1200; i++) {
      if (proc.exitCode !== null) throw new Error(`server exited: ${serverOut}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`server not healthy after 60 s: ${serverOut}`);
  }

  async function kill(): Promise<void> {
    const proc = server;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const created = JSON.parse(
      await runCli(['merchant', 'create', '--name', 'Crash Shop', '--email', 'crash@shop.test'], env()),
    ) as { merchant: { id: string }; keys: { test: string } };
    merchantId = created.merchant.id;
    apiKey = created.keys.test;
    store = createPostgresStore({ url: db.url, poolSize: 4 });
    port = await freePort();
  }, 120_000);

  afterAll(async () => {
    await kill();
    await store?.close();
    await db?.drop();
  });

  it(`loses and duplicates nothing across ${KILLS} SIGKILLs (${FLOWS} flows, seed ${SEED})`, async () => {
    console.info(`crash test seed ${SEED} (PAYRAIL_CRASH_SEED=${SEED} replays the kill schedule)`);
    const random = prng(SEED);
    const base = `http://127.0.0.1:${port}`;
    const card = {
      number: '4242424242424242',
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      cvc: '123',
    };
    const flows: Flow[] = Array.from({ length: FLOWS }, (_, i) => ({
      key: `crash-${SEED}-${i}`,
      paid: false,
    }));
    const bodyOf = (f: Flow) => ({
      amount: 1000 + (Number(f.key.split('-').at(-1)) % 500),
      currency: 'USD',
      method: 'card',
      order_id: f.key,
    });
    let killing = true;
    let restarts = 0;
    let networkRetries = 0;
    const killTimes: string[] = [];

    /** One request; network errors (the server is dead or restarting) come back as status 0. */
    const send = async (
      method: string,
      path: string,
      body: unknown,
      headers: Record<string, string> = {},
    ) => {
      try {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await res.text();
        return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch {
        networkRetries++;
        return { status: 0, json: {} };
      }
    };

    // Retry like a client would: network errors and 5xx always; 409 (key in flight) while the kills go on
    // and for a while after (a crash mid-request leaves the key locked for 60 s: then it is "unresolved").
    const runFlow = async (f: Flow) => {
      let inFlightSince = 0;
      for (;;) {
        const res = await send('POST', '/v1/payments', bodyOf(f), {
          authorization: `Bearer ${apiKey}`,
          'idempotency-key': f.key,
        });
        if (res.status === 201) {
          f.paymentId = String(res.json.id);
          break;
        }
        if (res.status === 409 && !killing) {
          inFlightSince ||= Date.now();
          if (Date.now() - inFlightSince > 3_000) {
            f.unresolved = 'create key still in flight (server killed mid-request)';
            return;
          }
        } else if (res.status !== 0 && res.status < 500 && res.status !== 409) {
          throw new Error(`create ${f.key} → ${res.status} ${JSON.stringify(res.json)}`);
        }
        await sleep(30 + random() * 70);
      }
      for (;;) {
        const res = await send('POST', `/pay/${f.paymentId}`, card);
        if (res.status === 200) {
          if (res.json.status !== 'succeeded')
            throw new Error(`pay ${f.key} ended ${String(res.json.status)}`);
          f.paid = true;
          return;
        }
        if (res.status === 409 || res.status === 422) {
          // A retry after a crash: the first attempt got further than its answer did (the payment is no
          // longer awaiting a card: 422 invalid transition, or 409 while it is being paid).
          const p = await store.payments.get({ merchantId, mode: 'test', id: f.paymentId ?? '' });
          if (p?.status === 'succeeded') {
            f.paid = true;
            return;
          }
          if (p?.status !== 'requires_payment_method') {
            f.unresolved = `payment left ${p?.status} (killed between the claim and the provider's answer)`;
            return;
          }
        } else if (res.status !== 0 && res.status < 500) {
          throw new Error(`pay ${f.key} → ${res.status} ${JSON.stringify(res.json)}`);
        }
        await sleep(30 + random() * 70);
      }
    };

    await start();
    let next = 0;
    const clients = Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (;;) {
          const f = flows[next++];
          if (!f) return;
          await runFlow(f);
        }
      }),
    );
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        // random moment: sometimes right after the restart, sometimes well into the load
        await sleep(100 + random() * 1_500);
        await kill();
        killTimes.push(new Date().toISOString());
        restarts++;
        await start();
      }
      killing = false;
    })();
    await Promise.all([clients, killer]);

    // Every key once more after the dust settled: a replay of the same payment or still in flight, never a new one.
    for (const f of flows) {
      const res = await send('POST', '/v1/payments', bodyOf(f), {
        authorization: `Bearer ${apiKey}`,
        'idempotency-key': f.key,
      });
      expect([201, 409], `${f.key} replay → ${res.status} ${JSON.stringify(res.json)}`).toContain(res.status);
      if (res.status === 201) {
        if (f.paymentId) expect(res.json.id).toBe(f.paymentId);
        f.paymentId ??= String(res.json.id);
      }
    }

    const problems: string[] = [];
    for (const f of flows) {
      const found = await store.payments.list({ merchantId, mode: 'test', orderId: f.key, limit: 10 });
      // Also a kill after the insert but before the key recorded its answer: the retry that takes over the
      // dead claim (after its 60 s lock) gets the reserved payment id back and answers with that payment.
      if (found.data.length > 1)
        problems.push(
          `${f.key}: ${found.data.length} payments (duplicate): ${found.data
            .map((d) => `${d.id} ${d.status} ${d.createdAt.toISOString()}`)
            .join(', ')}; client saw ${f.paymentId}`,
        );
      if (f.paymentId && found.data[0]?.id !== f.paymentId)
        problems.push(`${f.key}: payment ${f.paymentId} lost`);
      const p = found.data[0];
      if (f.paid && p?.status !== 'succeeded')
        problems.push(`${f.key}: client saw succeeded, stored ${p?.status}`);
      if (!p) continue;
      const entries = await store.ledger.listByPayment({ paymentId: p.id });
      const captures = new Set(entries.filter((e) => e.account === 'psp_fees').map((e) => e.postingId));
      const clearing = entries
        .filter((e) => e.account === 'provider_clearing')
        .reduce((s, e) => s + e.amount, 0);
      if (captures.size > 1) problems.push(`${f.key}: captured ${captures.size} times`);
      if (clearing !== p.amountCaptured - p.amountRefunded)
        problems.push(`${f.key}: provider_clearing ${clearing} ≠ captured ${p.amountCaptured}`);
      if (p.status === 'succeeded' && p.amountCaptured !== p.amount)
        problems.push(`${f.key}: succeeded with ${p.amountCaptured} of ${p.amount} captured`);
      if (!['requires_payment_method', 'processing', 'succeeded'].includes(p.status))
        problems.push(`${f.key}: unexpected status ${p.status}`);
    }
    const all = await store.payments.list({ merchantId, mode: 'test', limit: 100 });
    if (FLOWS <= 100 && all.data.length > FLOWS)
      problems.push(`${all.data.length} payments for ${FLOWS} flows`);
    const balances = await (store as Store).ledger.balances({ merchantId, mode: 'test' });
    const total = balances.filter((b) => b.currency === 'USD').reduce((s, b) => s + b.amount, 0);
    if (total !== 0) problems.push(`ledger USD sums to ${total}`);

    const paid = flows.filter((f) => f.paid).length;
    const unresolved = flows.filter((f) => f.unresolved);
    console.info(
      `crash test: ${restarts} SIGKILLs, ${networkRetries} requests failed at the network and were retried, ` +
        `${paid}/${FLOWS} flows paid, ${unresolved.length} unresolved (${[...new Set(unresolved.map((f) => f.unresolved))].join('; ') || 'none'})`,
    );
    if (problems.length) console.info(`kills at ${killTimes.join(', ')}`);
    expect(problems).toEqual([]);
    expect(restarts).toBe(KILLS);
    // the run did real work between the kills
    expect(paid).toBeGreaterThan(0);
  }, 600_000);
});
