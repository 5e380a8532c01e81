// Two real `payrail start` processes on ONE PostgreSQL database, as behind a load balancer (issue 5,
// "Several instances"): idempotency holds across them, a provider notification delivered to both at once
// is applied once, both run the jobs and every merchant webhook is delivered once, and a process killed
// (SIGKILL) in the middle of a delivery batch loses no event. multi-instance.test.ts checks the same
// in one process with two app instances; this one uses separate OS processes, pools and schedulers.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QiwiSimulator } from '@payrail/plugin-qiwi/simulator';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyWebhook } from '../src/webhooks/signature';
import { freePort } from './helpers/free-port';
import { type ServedFetchHandler, serveFetchHandler } from './helpers/serve-fetch-handler';
import { startWebhookReceiver, waitFor } from './helpers/webhook-receiver';

// Process start-up (tsx compiling the server) is slow on a loaded 2-core CI machine: generous deadlines,
// which only bound a hang; nothing below asserts on time.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 240_000 });

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}server/src/cli/bin.ts`;
const QIWI = { siteId: 'two-proc-site', secretKey: randomBytes(16).toString('hex'), publicKey: 'pk' };
const DELIVER_JOB = 'webhooks.deliver';
const DISPATCH_JOB = 'webhooks.dispatch_outbox';
const card = {
  number: '4242424242424242',
  exp_month: 12,
  exp_year: new Date().getUTCFullYear() + 3,
  cvc: '123',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) =>
    proc.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`payrail ${args.join(' ')}: ${out}${err}`)),
    ),
  );
}

/** One `payrail start` child process. */
class ServerProcess {
  proc: ChildProcess | undefined;
  output = '';
  constructor(
    readonly name: string,
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** agenda's lock owner name of this process (agenda-scheduler.ts: `${HOSTNAME}:${pid}`). */
  get agendaName(): string {
    return `${this.name}:${this.proc?.pid}`;
  }

  async start(): Promise<void> {
    this.output = '';
    const proc = spawn(process.execPath, ['--import', 'tsx', BIN, 'start'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, HOSTNAME: this.name, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.proc = proc;
    // Ready = listening and jobs started (startServer starts them before the process is idle).
    for (let i = 0; i < 2_400; i++) {
      if (proc.exitCode !== null) throw new Error(`${this.name} exited early:\n${this.output}`);
      const ok = await fetch(`${this.url}/readyz`).then(
        (r) => r.arrayBuffer().then(() => r.ok),
        () => false,
      );
      if (ok) return;
      await sleep(50);
    }
    throw new Error(`${this.name} not ready after 120 s:\n${this.output}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    // A graceful stop lets running jobs finish (a few seconds); it must not hang the suite.
    const force = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(force);
  }
}

describe('two `payrail start` processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let sim: QiwiSimulator;
  let qiwiApi: ServedFetchHandler | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  let merchantId: string;
  let apiKey: string;
  let pluginsFile: string | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = new QiwiSimulator({ siteId: QIWI.siteId, secretKey: QIWI.secretKey });
    qiwiApi = await serveFetchHandler((request) => sim.handleApi(request));
    pluginsFile = join(tmpdir(), `payrail-two-processes-${randomBytes(4).toString('hex')}.json`);
    await writeFile(pluginsFile, JSON.stringify({ qiwi: [{ ...QIWI, apiBaseUrl: qiwiApi.url }] }));
    // The CLI migrates the fresh database; the servers then start together on it.
    const created = JSON.parse(
      await runCli(['merchant', 'create', '--name', 'Two Processes', '--email', 'two@shop.test'], {
        PAYRAIL_DATABASE_URL: db.url,
      }),
    ) as { merchant: { id: string }; keys: { test: string } };
    merchantId = created.merchant.id;
    apiKey = created.keys.test;
    store = createPostgresStore({ url: db.url, poolSize: 4 });
    const env = {
      PAYRAIL_DATABASE_URL: db.url,
      PAYRAIL_PLUGINS_FILE: pluginsFile,
      PAYRAIL_SIMULATORS: '0',
      // The same key on every instance: each must open the signing secrets the other sealed.
      PAYRAIL_WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      PAYRAIL_JOBS: 'on',
      PAYRAIL_JOBS_POLL_INTERVAL: '250ms',
      LOG_LEVEL: 'warn',
    };
    const [portA, portB] = [await freePort(), await freePort()];
    a = new ServerProcess('proc-a', portA, { ...env, PAYRAIL_PUBLIC_URL: `http://127.0.0.1:${portA}` });
    b = new ServerProcess('proc-b', portB, { ...env, PAYRAIL_PUBLIC_URL: `http://127.0.0.1:${portB}` });
    await Promise.all([a.start(), b.start()]);
  });

  afterAll(async () => {
    await Promise.all([a?.kill('SIGTERM'), b?.kill('SIGTERM')]);
    await store?.close();
    await qiwiApi?.close();
    await db?.drop();
    if (pluginsFile) await rm(pluginsFile, { force: true });
  });

  const api = async (
    p: ServerProcess,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    method = body === undefined ? 'GET' : 'POST',
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${p.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  /** Every event of one payment, from the shared database. */
  const eventsOf = async (paymentId: string) =>
    (await store.events.list({ merchantId, mode: 'test', objectId: paymentId, limit: 100 })).data;

  /** Card payments created and paid through alternating processes; returns their ids. */
  const cardPayments = async (count: number, tag: string) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const via = i % 2 === 0 ? a : b;
      const created = await api(via, '/v1/payments', {
        amount: 1_000 + i,
        currency: 'USD',
        method: 'card',
        order_id: `${tag}-${i}`,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const paid = await fetch(`${(i % 2 === 0 ? b : a).url}/pay/${created.body.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(card),
      });
      expect(((await paid.json()) as { status: string }).status).toBe('succeeded');
      ids.push(created.body.id as string);
    }
    return ids;
  };

  /** Resolves once no event waits in the outbox (the dispatcher job of one process or the other ran). */
  const outboxDrained = () =>
    waitFor(
      async () => ((await store.webhooks.undispatchedEvents({ limit: 1 })).length === 0 ? true : undefined),
      120_000,
    );

  /** agenda's row of a recurring job (one per name, shared by the processes). */
  const jobRow = async (name: string) => {
    const { rows } = await store.pool.query(
      'SELECT last_run_at, last_finished_at, locked_at, last_modified_by FROM agenda_jobs WHERE name = $1',
      [name],
    );
    return rows[0] as {
      last_run_at: Date | null;
      last_finished_at: Date | null;
      locked_at: Date | null;
      last_modified_by: string | null;
    };
  };
  const setDisabled = (name: string, disabled: boolean) =>
    store.pool.query('UPDATE agenda_jobs SET disabled = $2 WHERE name = $1', [name, disabled]);

  /** Resolves after the delivery job has started and finished a run that began after now, twice. */
  const twoMoreDeliveryRuns = async () => {
    for (let round = 0; round < 2; round++) {
      const since = new Date();
      await waitFor(async () => {
        const row = await jobRow(DELIVER_JOB);
        return row.last_run_at &&
          row.last_run_at > since &&
          row.last_finished_at &&
          row.last_finished_at >= row.last_run_at
          ? true
          : undefined;
      }, 120_000);
    }
  };

  it('idempotency holds across processes: one key sent to both at once makes one payment', async () => {
    const key = `two-proc-${randomBytes(6).toString('hex')}`;
    const body = { amount: 4_200, currency: 'USD', method: 'card', order_id: key };
    const statuses: number[] = [];
    const attempt = async (p: ServerProcess): Promise<string> => {
      for (;;) {
        const res = await api(p, '/v1/payments', body, { 'idempotency-key': key });
        statuses.push(res.status);
        if (res.status === 201) return res.body.id as string;
        // 409: the same key is in flight in the other process (or this one); a client retries.
        expect(res.status, JSON.stringify(res.body)).toBe(409);
        await sleep(50);
      }
    };
    const ids = await Promise.all([a, b, a, b, a, b, a, b].map(attempt));
    expect(new Set(ids).size).toBe(1);
    const found = await store.payments.list({ merchantId, mode: 'test', orderId: key, limit: 10 });
    expect(found.data.map((p) => p.id)).toEqual([ids[0]]);
    const created = (await eventsOf(ids[0] as string)).filter((e) => e.type === 'payment.created');
    expect(created).toHaveLength(1);
    console.info(`idempotency across processes: answers ${statuses.join(',')}`);
  });

  it('a QIWI notification delivered to both processes at once is applied once', async () => {
    const created = await api(a, '/v1/payments', {
      amount: 15_075,
      currency: 'RUB',
      method: 'qiwi_wallet',
      order_id: 'qiwi-two-proc',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.status).toBe('requires_action');
    const id = created.body.id as string;
    expect(sim.bills.get(id)?.status.value).toBe('WAITING');

    sim.setStatus(id, 'PAID');
    const n = sim.notification(id);
    const results = await Promise.all(
      [a, b, a, b, a, b].map(async (p) => {
        const res = await fetch(`${p.url}/hooks/qiwi/default`, {
          method: 'POST',
          headers: n.headers,
          body: new Uint8Array(n.rawBody),
        });
        return { status: res.status, body: await res.text() };
      }),
    );
    // QIWI's protocol: {"error":"0"} for a notification taken (a duplicate included).
    for (const r of results) expect(r).toEqual({ status: 200, body: '{"error":"0"}' });

    const payment = await store.payments.getById({ id });
    expect(payment).toMatchObject({ status: 'succeeded', amountCaptured: 15_075 });
    const events = await eventsOf(id);
    expect(events.filter((e) => e.type === 'payment.succeeded')).toHaveLength(1);
    const entries = await store.ledger.listByPayment({ paymentId: id });
    const captures = new Set(entries.filter((e) => e.refundId === null).map((e) => e.postingId));
    expect(captures.size).toBe(1);
    const clearing = entries
      .filter((e) => e.account === 'provider_clearing')
      .reduce((s, e) => s + e.amount, 0);
    expect(clearing).toBe(15_075);
    expect(entries.reduce((s, e) => s + e.amount, 0)).toBe(0);
  });

  it('both processes run the jobs, and every event reaches the merchant exactly once', async () => {
    // Earlier events are dispatched (to no endpoint) before the endpoint exists, so its set is exact.
    await outboxDrained();
    const receiver = await startWebhookReceiver();
    try {
      const endpoint = await api(a, '/v1/webhook_endpoints', { url: receiver.url, event_types: ['*'] });
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      const ids = await cardPayments(6, 'once');
      const expected = (await Promise.all(ids.map(eventsOf))).flat().map((e) => e.id);
      // payment.created, payment.succeeded and whatever else a card payment emits on its way
      expect(expected.length).toBeGreaterThanOrEqual(ids.length * 2);
      await waitFor(() => (receiver.received.length >= expected.length ? true : undefined), 120_000);
      // More runs of the delivery job in whichever process: nothing may arrive a second time.
      await twoMoreDeliveryRuns();
      const received = receiver.received.map((r) => JSON.parse(r.body).id as string);
      expect(received.slice().sort()).toEqual(expected.slice().sort());
      for (const r of receiver.received) {
        expect(r.status).toBe(200);
        expect(
          verifyWebhook({
            body: r.body,
            header: r.headers['payrail-signature'],
            secret: endpoint.body.secret,
          }),
        ).toBe(true);
      }
      // Both processes took part in the scheduled work (agenda records who locked each job last).
      const { rows } = await store.pool.query('SELECT DISTINCT last_modified_by FROM agenda_jobs');
      console.info(`jobs last run by: ${rows.map((r) => r.last_modified_by).join(', ')}`);
      const deleted = await api(b, `/v1/webhook_endpoints/${endpoint.body.id}`, undefined, {}, 'DELETE');
      expect(deleted.status).toBe(200);
    } finally {
      await receiver.close();
    }
  });

  it('a process SIGKILLed in the middle of a delivery batch loses no event', async () => {
    await outboxDrained();
    // The outbox dispatcher is paused (agenda skips a disabled job row) while the payments are made, so
    // their events become one big batch of deliveries when it resumes: sending them to the slow merchant
    // takes several seconds whatever the machine's load, a window to kill the sender in.
    await setDisabled(DISPATCH_JOB, true);
    await waitFor(async () => ((await jobRow(DISPATCH_JOB)).locked_at === null ? true : undefined), 120_000);
    await sleep(1_000); // a run agenda locked just before the pause (one poll ahead) is over
    const receiver = await startWebhookReceiver({ holdMs: 1_000 });
    try {
      const endpoint = await api(b, '/v1/webhook_endpoints', { url: receiver.url, event_types: ['*'] });
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      const ids = await cardPayments(12, 'kill');
      const expected = new Set((await Promise.all(ids.map(eventsOf))).flat().map((e) => e.id));
      expect(expected.size).toBeGreaterThanOrEqual(ids.length * 2);
      await setDisabled(DISPATCH_JOB, false);

      // Wait until a process is sending (some events delivered, requests held by the slow merchant, more
      // to come) and kill the one holding the delivery job: its claimed batch is mid-flight.
      const victim = await waitFor(async () => {
        const done = receiver.received.length;
        if (receiver.state.inFlight === 0 || done < 8 || done >= expected.size - 4) return undefined;
        const owner = (await jobRow(DELIVER_JOB)).last_modified_by;
        return [a, b].find((p) => p.agendaName === owner);
      }, 120_000);
      const before = receiver.received.length;
      const inFlight = receiver.state.inFlight;
      await victim.kill('SIGKILL');
      console.info(
        `killed ${victim.name} with ${before}/${expected.size} events delivered and ${inFlight} requests in flight`,
      );
      expect(before).toBeLessThan(expected.size);
      await victim.start();

      // The dead process's job lock and delivery leases expire; then a live process sends the rest.
      await waitFor(() => {
        const got = new Set(receiver.acceptedEventIds());
        return [...expected].every((id) => got.has(id)) ? true : undefined;
      }, 240_000);
      const accepted = receiver.acceptedEventIds();
      for (const r of receiver.received) {
        expect(
          verifyWebhook({
            body: r.body,
            header: r.headers['payrail-signature'],
            secret: endpoint.body.secret,
          }),
        ).toBe(true);
      }
      // At least once: duplicates are possible only for requests the killed process had sent.
      expect(accepted.every((id) => expected.has(id))).toBe(true);
      console.info(`after the restart: ${accepted.length} accepted for ${expected.size} events`);
    } finally {
      await setDisabled(DISPATCH_JOB, false);
      await receiver.close();
    }
  });
});
