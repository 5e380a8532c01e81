import { isPayrailErrorCode } from '@payrail/core';
import { makePayment } from '@payrail/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createMongoStore, keyId } from '../src';
import { encodePayment } from '../src/documents';
import { createTestStore, startTestMongo } from '../src/testing';

const mongo = await startTestMongo();
const opened = createTestStore(mongo);

afterAll(async () => {
  await (await opened).drop();
  await mongo.close();
});

describe('driver errors are translated at the store boundary', () => {
  it('an unreachable server is PAYRAIL_ERR_STORE_UNAVAILABLE (retryable)', async () => {
    const down = createMongoStore({ url: 'mongodb://127.0.0.1:1/payrail', serverSelectionTimeoutMS: 200 });
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
});

describe('document keys', () => {
  it('keyId is deterministic and frames its parts', () => {
    expect(keyId('payment', 'pay_1').equals(keyId('payment', 'pay_1'))).toBe(true);
    expect(keyId('payment', 'pay_1').equals(keyId('refund', 'pay_1'))).toBe(false);
    expect(keyId('idempotency', 'a:b', 'c').equals(keyId('idempotency', 'a', 'b:c'))).toBe(false);
  });

  it('a document found under another key’s _id is refused, never returned', async () => {
    const { store } = await opened;
    const stored = makePayment({ merchantId: 'mer_x' });
    const asked = makePayment({ merchantId: 'mer_x' });
    // Plant a document as a digest collision would leave it: `asked`'s _id holding `stored`.
    await store.client
      .db(store.dbName)
      .collection('payments')
      .insertOne({
        _id: keyId('payment', asked.id),
        ...encodePayment(stored),
        refunds: {},
        refundIds: [],
        ledger: [],
        events: [],
        undispatched: [],
        receipts: [],
      });
    const error = await store.payments.getById({ id: asked.id }).catch((e: unknown) => e);
    expect(isPayrailErrorCode(error, 'PAYRAIL_ERR_INTERNAL')).toBe(true);
    expect((error as Error).message).toMatch(/digest/);
  });

  it('writes use majority write concern unless the URL sets w', () => {
    const byDefault = createMongoStore({ url: 'mongodb://127.0.0.1:1/db' });
    const fromUrl = createMongoStore({ url: 'mongodb://127.0.0.1:1/db?w=1' });
    expect(byDefault.client.db('db').writeConcern?.w).toBe('majority');
    expect(fromUrl.client.db('db').writeConcern?.w).toBe(1);
    expect(byDefault.dbName).toBe('db');
    expect(createMongoStore({ url: 'mongodb://127.0.0.1:1/?w=1' }).dbName).toBe('payrail');
  });
});
