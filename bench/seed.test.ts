import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TARIFF, type Payment } from '../core/src/index';
import { createPostgresStore, type PostgresStore } from '../stores/postgres/src/index';
import {
  createEmbeddedTestStore,
  createTestDatabase,
  type TestDatabase,
} from '../stores/postgres/src/testing';
import { idAt, seedPayments, seedPaymentsBulk } from './seed';

// `--bulk` seeding must leave rows that the store reads back exactly like the ones `store.payments.insert`
// writes (same payment i → same fields, only the random part of the id differs), with ids that sort by
// creation time, and without outbox events.

const COUNT = 9; // covers every status (cycle of 4) and the EUR/USD mix (every 5th)
const BASE = Date.UTC(2026, 11, 1, 12, 0, 0);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The millisecond time in a ULID id's first 10 characters after the prefix. */
function idTime(id: string): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  return [...body].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);
}

const withoutId = ({ id: _id, ...rest }: Payment) => rest;

const stores: Array<[string, () => Promise<{ store: PostgresStore; drop: () => Promise<void> }>]> = [
  [
    'postgres',
    async () => {
      const db: TestDatabase = await createTestDatabase();
      const store = createPostgresStore({ url: db.url, poolSize: 2 });
      return { store, drop: () => db.drop() };
    },
  ],
  ['pglite', async () => ({ store: await createEmbeddedTestStore(), drop: async () => {} })],
];

describe.each(stores)('bulk seeding (%s)', (_name, open) => {
  let store: PostgresStore;
  let drop: () => Promise<void>;
  const viaStore = 'mer_seed_store_0000000000000';
  const viaBulk = 'mer_seed_bulk_00000000000000';

  beforeAll(async () => {
    ({ store, drop } = await open());
    await store.migrate();
    for (const id of [viaStore, viaBulk]) {
      await store.merchants.create({
        merchant: {
          id,
          name: id,
          email: `${id}@example.com`,
          tariff: DEFAULT_TARIFF,
          providerRoutes: {},
          createdAt: new Date(BASE),
        },
        apiKeys: [],
      });
    }
    await seedPayments({ store, merchantId: viaStore, count: COUNT, base: BASE, concurrency: 1 });
    // Two bulk calls, as bench:scale seeds size by size: the second continues back in time.
    await seedPaymentsBulk({ store, merchantId: viaBulk, count: 4, base: BASE });
    await seedPaymentsBulk({ store, merchantId: viaBulk, count: COUNT - 4, base: BASE, firstIndex: 4 });
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  it('reads back through list and getById like store-inserted payments', async () => {
    const fromStore = await store.payments.list({ merchantId: viaStore, mode: 'test', limit: 100 });
    const fromBulk = await store.payments.list({ merchantId: viaBulk, mode: 'test', limit: 100 });
    expect(fromBulk.data).toHaveLength(COUNT);
    expect(fromStore.data).toHaveLength(COUNT);
    for (let i = 0; i < COUNT; i++) {
      const a = fromStore.data[i] as Payment;
      const b = fromBulk.data[i] as Payment;
      expect(withoutId(b)).toEqual({ ...withoutId(a), merchantId: viaBulk });
      expect(await store.payments.getById({ id: b.id })).toEqual(b);
    }
    expect(new Set(fromBulk.data.map((p) => p.status))).toEqual(
      new Set(['requires_payment_method', 'succeeded', 'failed', 'canceled']),
    );
    expect(fromBulk.data.filter((p) => p.currency === 'EUR').map((p) => p.orderId)).toEqual([
      'seed-0',
      'seed-5',
    ]);
  });

  it('gives ids that carry created_at and sort with it (newest first in a list)', async () => {
    const page = await store.payments.list({ merchantId: viaBulk, mode: 'test', limit: 100 });
    for (const p of page.data) {
      expect(p.id).toMatch(/^pay_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(idTime(p.id)).toBe(p.createdAt.getTime());
    }
    const times = page.data.map((p) => p.createdAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(times[0]).toBe(BASE);
    expect(times[COUNT - 1]).toBe(BASE - (COUNT - 1) * 10);
    expect(idTime(idAt('event', 1_234_567))).toBe(1_234_567);
  });

  it('writes no outbox events (store inserts write one payment.created each)', async () => {
    const { rows } = await store.pool.query<{ merchant_id: string; n: number }>(
      'SELECT merchant_id, count(*)::int AS n FROM events GROUP BY merchant_id',
    );
    expect(Object.fromEntries(rows.map((r) => [r.merchant_id, r.n]))).toEqual({ [viaStore]: COUNT });
  });
});
