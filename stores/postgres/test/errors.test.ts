import { isPayrailErrorCode } from '@payrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src';
import { createTestDatabase, type TestDatabase } from '../src/testing';

describe('pg errors are translated at the store boundary', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = createPostgresStore({ url: db.url, poolSize: 2 });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('a refused connection is PAYRAIL_ERR_STORE_UNAVAILABLE (retryable)', async () => {
    const down = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres' });
    try {
      const error = await down.ping().catch((e: unknown) => e);
      expect(isPayrailErrorCode(error, 'PAYRAIL_ERR_STORE_UNAVAILABLE')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      const viaRepository = await down.payments.getById({ id: 'pay_x' }).catch((e: unknown) => e);
      expect(isPayrailErrorCode(viaRepository, 'PAYRAIL_ERR_STORE_UNAVAILABLE')).toBe(true);
    } finally {
      await down.close();
    }
  });

  it('a missing database is a configuration error', async () => {
    const url = new URL(db.url);
    url.pathname = '/payrail_no_such_database';
    const wrong = createPostgresStore({ url: url.toString() });
    try {
      expect(isPayrailErrorCode(await wrong.ping().catch((e: unknown) => e), 'PAYRAIL_ERR_CONFIG')).toBe(
        true,
      );
    } finally {
      await wrong.close();
    }
  });

  it('bigint beyond 2^53 fails loudly instead of rounding money', async () => {
    await expect(store.pool.query("SELECT '9007199254740993'::bigint AS v")).rejects.toThrow(/safe integer/);
    // The pool is still usable afterwards.
    await store.ping();
  });
});
