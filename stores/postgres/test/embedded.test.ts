import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it("lets a second store on a directory in use share the owner's database through its socket", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'payrail-embedded-'));
    dirs.push(dataDir);
    const owner = await createEmbeddedStore({ dataDir });
    await owner.migrate();
    const client = await createEmbeddedStore({ dataDir });
    expect(client.pool.options.port).toBe(owner.pool.options.port);
    const merchant = makeMerchant();
    await client.merchants.create({ merchant, apiKeys: [makeApiKey(merchant.id)] });
    await client.close();
    // the owner sees the client's write and keeps working after the client left
    expect(await owner.merchants.get({ id: merchant.id })).toEqual(merchant);
    await owner.close();

    // A lock left by a process that died is stale and taken over.
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: 999999999, port: 1 }));
    const reopened = await createEmbeddedStore({ dataDir });
    expect(await reopened.merchants.get({ id: merchant.id })).toEqual(merchant);
    await reopened.close();
  });
});
