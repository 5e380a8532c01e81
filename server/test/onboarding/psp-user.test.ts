import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createPostgresStore, type PostgresStore } from '@payrail/store-postgres';
import { createTestDatabase, type TestDatabase } from '@payrail/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPspUser } from '../../src/accounts/psp-staff';
import { sha256Hex } from '../../src/accounts/secrets';
import {
  type AccountsTestApp,
  createAccountsTestApp,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../accounts/helpers';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../src/cli/bin.ts');
const ROOT = resolve(import.meta.dirname, '../../..');

const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

describe('PSP staff creation (createPspUser)', () => {
  let t: AccountsTestApp;
  beforeAll(async () => {
    t = await createAccountsTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates confirmed staff with an unusable password and a one-time link that sets it', async () => {
    const login = uniqueEmail('ops');
    const created = await createPspUser(t.store, {
      login: login.toUpperCase(),
      role: 'admin',
      accountUrl: 'https://account.payrail.test',
      now: t.clock.now(),
    });
    expect(created.user).toMatchObject({ accountType: 'psp', role: 'admin', merchantId: null, login });
    expect(created.user.emailConfirmedAt).not.toBeNull();
    expect(created.link).toMatch(/^https:\/\/account\.payrail\.test\/account\/reset-password\?token=/);

    // Nobody knows the random password: login fails until the link is used.
    const browser = t.browser();
    expect((await browser.post('/v1/auth/login', { login, password: STRONG_PASSWORD })).statusCode).toBe(401);
    const token = tokenOf(created.link);
    const reset = await browser.post('/v1/auth/password/reset', { token, new_password: STRONG_PASSWORD });
    expect(reset.statusCode).toBe(200);
    expect(
      (await browser.post('/v1/auth/password/reset', { token, new_password: STRONG_PASSWORD })).statusCode,
    ).toBe(400);
    expect((await browser.post('/v1/auth/login', { login, password: STRONG_PASSWORD })).statusCode).toBe(200);
    const me = await browser.get('/v1/backoffice/whoami');
    expect(me.body).toMatchObject({ role: 'admin', login });
    expect(me.body.permissions).toContain('applications:review');

    await expect(
      createPspUser(t.store, { login, role: 'support', accountUrl: 'https://x.test', now: t.clock.now() }),
    ).rejects.toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'login' });
    await expect(
      createPspUser(t.store, {
        login: '@telegram_name',
        role: 'support',
        accountUrl: 'https://x.test',
        now: t.clock.now(),
      }),
    ).rejects.toMatchObject({ code: 'PAYRAIL_ERR_VALIDATION', param: 'login' });
  });
});

describe('payrail psp-user create (CLI, PostgreSQL)', () => {
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
    const env = {
      ...process.env,
      PAYRAIL_DATABASE_URL: db.url,
      PAYRAIL_ACCOUNT_URL: 'https://account.example',
      LOG_LEVEL: 'silent',
    };
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env });
      return { code: 0, out: JSON.parse(stdout) };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout, stderr: e.stderr };
    }
  };

  it('prints the new staff member and a one-time password-set link', async () => {
    const result = await cli('psp-user', 'create', '--login', 'support@psp.example', '--role', 'support');
    expect(result.code).toBe(0);
    expect(result.out).toMatchObject({ user: { login: 'support@psp.example', role: 'support' } });
    const link: string = result.out.password_set_link;
    expect(link.startsWith('https://account.example/account/reset-password?token=')).toBe(true);

    const user = await store.users.findByLogin({ login: 'support@psp.example' });
    expect(user).toMatchObject({ accountType: 'psp', role: 'support' });
    expect(user?.emailConfirmedAt).not.toBeNull();
    const consumed = await store.accountTokens.consume({
      tokenHash: sha256Hex(tokenOf(link)),
      purpose: 'password_reset',
      now: new Date(),
    });
    expect(consumed.ok && consumed.token.userId).toBe(user?.id);

    // Merchants the operator creates need no application: live mode is open at once.
    const merchant = await cli('merchant', 'create', '--name', 'Operator Shop', '--email', 'shop@op.example');
    expect(merchant.code).toBe(0);
    const stored = await store.merchants.get({ id: merchant.out.merchant.id });
    expect(stored?.onboarding?.liveEnabledAt).toBeInstanceOf(Date);

    const badRole = await cli('psp-user', 'create', '--login', 'x@psp.example', '--role', 'owner');
    expect(badRole.code).not.toBe(0);
    expect(`${badRole.out}${badRole.stderr}`).toMatch(/--role must be admin or support/);
  });
});
