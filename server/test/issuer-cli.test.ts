import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/api-keys';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../src/cli/bin.ts');
const ROOT = resolve(import.meta.dirname, '../..');

describe('payrail issuer create (PostgreSQL)', () => {
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

  const cli = async (...args: string[]) => {
    const env = { ...process.env, PAYRAIL_DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env });
      return { code: 0, stdout, stderr: '' };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('creates the issuer and prints its id and keys, stored only as hashes', async () => {
    const { code, stdout } = await cli('issuer', 'create', '--name', 'First Bank');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.issuer).toMatchObject({ name: 'First Bank' });
    expect(out.issuer.id).toMatch(/^iss_/);
    expect(out.keys.test).toMatch(/^ik_test_[0-9A-Za-z]{32}$/);
    expect(out.keys.live).toMatch(/^ik_live_[0-9A-Za-z]{32}$/);

    expect(await store.issuers.get({ id: out.issuer.id })).toMatchObject({ name: 'First Bank' });
    const key = await store.issuers.findActiveKeyByHash({ secretHash: hashApiKey(out.keys.live) });
    expect(key).toMatchObject({ issuerId: out.issuer.id, mode: 'live' });
    expect(key?.displayPrefix).toBe(`${out.keys.live.slice(0, 12)}…`);
  });

  it('refuses a missing name', async () => {
    const { code, stdout, stderr } = await cli('issuer', 'create');
    expect(code).not.toBe(0);
    expect(`${stdout}${stderr}`).toContain('--name is required');
  });
});
