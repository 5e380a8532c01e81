import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPayrailErrorCode } from '@payrail/core';
import { makeApiKey, makeMerchant, makePayment } from '@payrail/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../src';

describe('embedded store (PGlite on a data directory)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(
      dirs.flatMap((dir) => [rm(dir, { recursive: true, force: true }), rm(`${dir}.lock`, { force: true })]),
    );
  });

  it('keeps its data across close and reopen, and creates missing directories', async () => {
    const base = await mkdtemp(join(tmpdir(), 'payrail-embedded-'));
    dirs.push(base);
    const dataDir = join(base, 'nested', 'data');

    const first = await createEmbeddedStore({ dataDir });
    expect(first.kind).toBe('pglite');
    await first.migrate();
    const merchant = makeMerchant();
    await first.merchants.create({ merchant, apiKeys: [makeApiKey(merchant.id)] });
    const payment = makePayment({ merchantId: merchant.id, amount: 9_007_199_254_740_991 });
    await first.payments.insert({ payment, events: [] });
    await first.close();
    await first.close(); // idempotent

    const second = await createEmbeddedStore({ dataDir });
    try {
      await second.migrate();
      expect(await second.merchants.get({ id: merchant.id })).toEqual(merchant);
      expect(await second.payments.getById({ id: payment.id })).toEqual(payment);
    } finally {
      await second.close();
    }
  });

  it('refuses a second store on a data directory in use, and frees it on close', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'payrail-embedded-'));
    dirs.push(dataDir);
    const first = await createEmbeddedStore({ dataDir });
    const error = await createEmbeddedStore({ dataDir }).catch((e: unknown) => e);
    expect(isPayrailErrorCode(error, 'PAYRAIL_ERR_STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain(`in use by process ${process.pid}`);
    await first.close();

    // A lock left by a process that died is stale and taken over.
    await writeFile(`${dataDir}.lock`, '999999999');
    const reopened = await createEmbeddedStore({ dataDir });
    await reopened.ping();
    await reopened.close();
  });
});
