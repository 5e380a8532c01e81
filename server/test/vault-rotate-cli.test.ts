import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_TARIFF, newId, silentLogger, systemClock } from '@payrail/core';
import { CardVault, VaultKeyRing } from '@payrail/plugin-cards';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVault } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { devVaultKeyFile, resolveVaultKeys } from '../src/vault-keys-file';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../src/cli/bin.ts');
const ROOT = resolve(import.meta.dirname, '../..');

const keyEntry = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

describe('payrail vault rotate (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PostgresStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = createPostgresStore({ url: db.url, poolSize: 4 });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const cli = async (keys: string, ...args: string[]) => {
    const env = {
      ...process.env,
      PAYRAIL_DATABASE_URL: db.url,
      PAYRAIL_VAULT_KEYS: keys,
      LOG_LEVEL: 'silent',
    };
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env });
      return { code: 0, out: JSON.parse(stdout), stderr: '' };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: JSON.parse(e.stdout), stderr: e.stderr };
    }
  };

  it('re-encrypts every saved card under the newest key; a second run has nothing to do', async () => {
    const merchantId = newId('merchant');
    await store.merchants.create({
      merchant: {
        id: merchantId,
        name: 'Shop',
        email: 'a@b.c',
        tariff: DEFAULT_TARIFF,
        providerRoutes: {},
        createdAt: new Date(),
      },
      apiKeys: [],
    });
    const oldKey = keyEntry('k2025');
    const newKey = keyEntry('k2026');
    const sealer = (keys: string) =>
      openVault({ ...loadConfig({ PAYRAIL_DATABASE_URL: db.url }), vaultKeys: keys }, store, silentLogger)!;
    const pans = ['4242424242424242', '5555555555554444', '2200000000000004'];
    const saved = [];
    for (const [i, number] of pans.entries()) {
      saved.push(
        await sealer(oldKey).save({
          merchantId,
          mode: 'test',
          customerId: `cus_${i}`,
          card: { type: 'card', number, expMonth: 12, expYear: 2040, cvc: '123' },
        }),
      );
    }

    const first = await cli(`${oldKey},${newKey}`, 'vault', 'rotate');
    expect(first.code, first.stderr).toBe(0);
    expect(first.out).toEqual({ key_id: 'k2026', resealed: 3, skipped: 0, failed: [] });
    const second = await cli(`${oldKey},${newKey}`, 'vault', 'rotate');
    expect(second.out).toEqual({ key_id: 'k2026', resealed: 0, skipped: 0, failed: [] });

    // The old key can now be dropped: every card opens with the new one alone.
    const onlyNew = new CardVault({
      keys: new VaultKeyRing([{ id: 'k2026', key: Buffer.from(newKey.split(':')[1]!, 'base64') }]),
      storedCards: store.storedCards,
      fingerprintKey: 'unused-for-opening-0123456789abcdef',
      clock: systemClock,
    });
    for (const [i, card] of saved.entries()) {
      const stored = await store.storedCards.get({ merchantId, mode: 'test', id: card.id });
      expect(stored?.keyId).toBe('k2026');
      expect(onlyNew.cardInput(stored!, '999').number).toBe(pans[i]);
    }

    // Without the key a card was sealed with, the run reports it and fails.
    const orphan = await sealer(keyEntry('lost')).save({
      merchantId,
      mode: 'test',
      customerId: 'cus_x',
      card: { type: 'card', number: '378282246310005', expMonth: 1, expYear: 2041, cvc: '1234' },
    });
    const failing = await cli(newKey, 'vault', 'rotate');
    expect(failing.code).toBe(1);
    expect(failing.out.failed).toEqual([
      expect.objectContaining({ id: orphan.id, code: 'PAYRAIL_ERR_CONFIG' }),
    ]);
    expect(failing.stderr).toContain('PAYRAIL_ERR_CONFIG');
    // Three CLI processes (tsx start-up each): generous on a loaded machine.
  }, 240_000);
});

describe('vault keys without PAYRAIL_VAULT_KEYS', () => {
  it('embedded mode generates a dev key next to the data dir once and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payrail-vault-'));
    try {
      const database = { kind: 'embedded' as const, dataDir: join(dir, 'data') };
      const first = resolveVaultKeys({ vaultKeys: undefined, database });
      expect(first).toMatchObject({ source: 'dev-file', created: true, file: join(dir, 'data.vault-keys') });
      expect(devVaultKeyFile(database.dataDir)).toBe(join(dir, 'data.vault-keys'));
      expect((await stat(join(dir, 'data.vault-keys'))).mode & 0o777).toBe(0o600);
      const second = resolveVaultKeys({ vaultKeys: undefined, database });
      expect(second).toMatchObject({ source: 'dev-file', created: false });
      if (first.source !== 'dev-file' || second.source !== 'dev-file') throw new Error('unreachable');
      expect(second.keys[0]!.key.equals(first.keys[0]!.key)).toBe(true);
      expect(await readFile(first.file, 'utf8')).toMatch(/^dev1:[A-Za-z0-9+/]{43}=\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('PAYRAIL_VAULT_KEYS wins; PostgreSQL without it has no vault; a bad value is a config error', () => {
    const env = keyEntry('prod1');
    expect(
      resolveVaultKeys({ vaultKeys: env, database: { kind: 'embedded', dataDir: '/nonexistent/x' } }),
    ).toMatchObject({
      source: 'env',
      keys: [{ id: 'prod1' }],
    });
    expect(
      resolveVaultKeys({ vaultKeys: undefined, database: { kind: 'postgres', url: 'postgres://x/y' } }),
    ).toEqual({
      source: 'none',
    });
    expect(() =>
      resolveVaultKeys({ vaultKeys: 'nokey', database: { kind: 'postgres', url: 'postgres://x/y' } }),
    ).toThrow(expect.objectContaining({ code: 'PAYRAIL_ERR_CONFIG' }));
  });
});
