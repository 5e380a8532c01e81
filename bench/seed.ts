// `pnpm bench:seed --payments 100000 [--store postgres|embedded] [--database-url URL | --data-dir DIR]
// [--merchant ID] [--concurrency n] [--bulk]`: inserts payments through the store's own API
// (`store.payments.insert`, the same single-statement write `POST /v1/payments` does) and reports the rate.
// Without --database-url/--data-dir it seeds a throw-away database (to measure the rate) and removes it.
// `--bulk` (PostgreSQL/PGlite): multi-row INSERTs of the same rows, built with the store's own column
// mapping, without `payment.created` events — for 1 M payments (see seedPaymentsBulk).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_TARIFF,
  type Merchant,
  newId,
  type OutboxEvent,
  type Payment,
  paymentResource,
  type Store,
} from '../core/src/index';
import {
  createEmbeddedStore,
  createPostgresStore,
  createTestDatabase,
  type PostgresStore,
} from '../stores/postgres/src/index';
import { PAYMENT_COLUMNS } from '../stores/postgres/src/mapping/payment';
import { insertRows } from '../stores/postgres/src/mapping/sql';

export interface SeedOptions {
  store: Store;
  merchantId: string;
  count: number;
  /** Inserts in flight at once (each is one statement, so one pooled connection). */
  concurrency?: number;
  /** Called about every 10 000 payments with the number inserted so far. */
  onProgress?: (done: number) => void;
  /**
   * Index of the first payment (default 0). Payment i is created i × 10 ms before `base`, so seeding
   * 10 k and then 90 k more from index 10 000 continues back in time instead of overlapping.
   */
  firstIndex?: number;
  /** Time of payment 0 (default now). */
  base?: number;
}

export interface SeedResult {
  count: number;
  elapsedMs: number;
  perSecond: number;
}

const STATUSES = ['requires_payment_method', 'succeeded', 'failed', 'canceled'] as const;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID id (`core/src/ids` format) whose time part is exactly `ms`. `newId` is monotonic per process, so
 * for the backwards-running timestamps below it would stamp every id with the first payment's time; here
 * the id sorts with `created_at` like one made when the payment was created.
 */
export function idAt(kind: 'payment' | 'event', ms: number): string {
  let time = '';
  for (let t = ms, k = 0; k < 10; k++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  let random = '';
  for (const byte of randomBytes(16)) random += CROCKFORD[byte % 32];
  return `${kind === 'payment' ? 'pay' : 'evt'}_${time}${random}`;
}

/**
 * A payment as `POST /v1/payments` stores it. Statuses cycle requires_payment_method / succeeded / failed /
 * canceled (so three quarters carry a settled status, with no ledger postings: they only make lists and
 * status filters realistic, and seeded data never unbalances the ledger); every fifth is EUR, the rest USD;
 * amounts 1.00–99.99. Payment i is created i × 10 ms before `base` (100 per second, each in its own
 * millisecond), so pages hold mixed ages and ids sort by creation time.
 */
export function seedPayment(merchantId: string, i: number, base: number): Payment {
  const created = new Date(base - i * 10);
  const status = STATUSES[i % STATUSES.length] ?? 'requires_payment_method';
  const amount = 100 + (i % 9_900);
  return {
    id: idAt('payment', created.getTime()),
    merchantId,
    shopId: null,
    mode: 'test',
    status,
    amount,
    currency: i % 5 === 0 ? 'EUR' : 'USD',
    amountCapturable: 0,
    amountCaptured: 0,
    amountRefunded: 0,
    amountRefundPending: 0,
    method: 'card',
    captureMethod: 'automatic',
    orderId: `seed-${i}`,
    description: null,
    customer: null,
    returnUrl: null,
    metadata: {},
    provider: { id: 'cards', instanceId: 'default' },
    card: null,
    nextAction: null,
    decline: null,
    risk: null,
    client: null,
    billing: null,
    version: 1,
    createdAt: created,
    updatedAt: created,
  };
}

/** The `payment.created` event the orchestrator writes with a new payment (core/src/orchestrator/events.ts). */
function createdEvent(payment: Payment): OutboxEvent {
  return {
    id: idAt('event', payment.createdAt.getTime()),
    merchantId: payment.merchantId,
    mode: payment.mode,
    type: 'payment.created',
    objectId: payment.id,
    data: { object: paymentResource(payment) },
    createdAt: payment.createdAt,
  };
}

/** Inserts `count` payments for the merchant (test mode) with `concurrency` inserts in flight. */
export async function seedPayments(options: SeedOptions): Promise<SeedResult> {
  const concurrency = options.concurrency ?? 8;
  const base = options.base ?? Date.now();
  const first = options.firstIndex ?? 0;
  const start = performance.now();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const n = next++;
        if (n >= options.count) return;
        const payment = seedPayment(options.merchantId, first + n, base);
        await options.store.payments.insert({
          payment,
          events: [createdEvent(payment)],
        });
        done++;
        if (done % 10_000 === 0) options.onProgress?.(done);
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  return { count: options.count, elapsedMs, perSecond: (options.count * 1000) / elapsedMs };
}

/** Rows per multi-row INSERT: 1 500 (× 30 columns = 45 000 parameters), fewer if columns push it past 65 535. */
const BULK_BATCH = Math.min(1_500, Math.floor(65_535 / PAYMENT_COLUMNS.length));

/**
 * The same payment rows as `seedPayments` — built by `seedPayment` and turned into columns by the store's
 * own `PAYMENT_COLUMNS` mapping, so they read back through the store API identically — but inserted
 * 1 500 per statement straight into `payments`, `concurrency` statements in flight. **No outbox events**:
 * a seeded backlog of undispatched `payment.created` events is work for the server's dispatcher, not
 * stored history (docs/performance.md, "Scaling"), and the list/read paths never join events.
 */
export async function seedPaymentsBulk(options: SeedOptions & { store: PostgresStore }): Promise<SeedResult> {
  const concurrency = options.concurrency ?? 2;
  const base = options.base ?? Date.now();
  const first = options.firstIndex ?? 0;
  const start = performance.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const from = next;
        if (from >= options.count) return;
        const to = Math.min(options.count, from + BULK_BATCH);
        next = to;
        const payments = Array.from({ length: to - from }, (_, k) =>
          seedPayment(options.merchantId, first + from + k, base),
        );
        const { text, values } = insertRows('payments', PAYMENT_COLUMNS, payments);
        await options.store.pool.query(text, values);
        done += payments.length;
        if (Math.floor(done / 10_000) > reported) {
          reported = Math.floor(done / 10_000);
          options.onProgress?.(reported * 10_000);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  return { count: options.count, elapsedMs, perSecond: (options.count * 1000) / elapsedMs };
}

/** "10k", "1m", "100000" → a count. */
export function parseCount(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(value.trim());
  if (!m) throw new Error(`not a count: ${value} (use e.g. 10000, 10k, 1m)`);
  const scale = { '': 1, k: 1_000, m: 1_000_000 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * scale);
}

async function main(argv: string[]): Promise<void> {
  let count = 10_000;
  let kind: 'postgres' | 'embedded' = 'postgres';
  let url: string | undefined;
  let dataDir: string | undefined;
  let merchantId: string | undefined;
  let concurrency = 8;
  let bulk = false;
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
      case '--payments':
        count = parseCount(value());
        break;
      case '--store': {
        const v = value();
        if (v !== 'postgres' && v !== 'embedded') throw new Error('--store must be postgres or embedded');
        kind = v;
        break;
      }
      case '--database-url':
        url = value();
        break;
      case '--data-dir':
        dataDir = value();
        kind = 'embedded';
        break;
      case '--merchant':
        merchantId = value();
        break;
      case '--bulk':
        bulk = true;
        break;
      case '--concurrency':
        concurrency = Number(value());
        if (!Number.isInteger(concurrency) || concurrency < 1)
          throw new Error('--concurrency: a positive integer');
        break;
      default:
        throw new Error(
          `unknown option ${arg}\npnpm bench:seed --payments N [--store postgres|embedded] [--database-url URL | --data-dir DIR] [--merchant ID] [--concurrency n] [--bulk]`,
        );
    }
  }
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    let store: PostgresStore;
    if (kind === 'postgres') {
      if (!url) {
        const db = await createTestDatabase({
          adminUrl: process.env.PAYRAIL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
        });
        cleanups.push(() => db.drop());
        url = db.url;
      }
      store = createPostgresStore({ url, poolSize: Math.max(concurrency, 2) });
    } else {
      if (!dataDir) {
        const tmp = mkdtempSync(join(tmpdir(), 'payrail-seed-'));
        cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
        dataDir = join(tmp, 'data');
      }
      // One connection: PGlite runs a single session (see the store README).
      store = await createEmbeddedStore({ dataDir, poolSize: 1 });
    }
    cleanups.push(() => store.close());
    await store.migrate();
    if (!merchantId) {
      const now = new Date();
      const merchant: Merchant = {
        id: newId('merchant', now.getTime()),
        name: 'Seed Shop',
        email: `seed-${randomBytes(3).toString('hex')}@example.com`,
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: now,
      };
      await store.merchants.create({ merchant, apiKeys: [] });
      merchantId = merchant.id;
    }
    process.stdout.write(
      `seeding ${count} payments (${store.kind}, ${bulk ? 'bulk INSERTs of 1 500, no events' : 'store.payments.insert'}, ${concurrency} in flight) for ${merchantId}…\n`,
    );
    const seedOptions = {
      store,
      merchantId,
      count,
      concurrency,
      onProgress: (done: number) => process.stdout.write(`  ${done}\n`),
    };
    const r = bulk ? await seedPaymentsBulk(seedOptions) : await seedPayments(seedOptions);
    process.stdout.write(
      `seeded ${r.count} payments in ${(r.elapsedMs / 1000).toFixed(1)} s: ${Math.round(r.perSecond)} payments/s\n`,
    );
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `bench:seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
